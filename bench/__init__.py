"""Benchmarks behind `make bench`: each module's `main()` prints its figures and ratios."""
