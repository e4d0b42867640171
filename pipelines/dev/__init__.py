"""Development scaffolding, not part of the deployed product: the `make run` demo (`demo`) and the
receiver driven from outside on a real socket (`harness`), shared by tests, benchmarks and the demo."""
