"""Fixtures of the end-to-end tests: one private product per module, and its first nightly_sync.

A module names its sandbox seed with a module-level `SANDBOX_SEED` (default 42); its fixtures run the
product once (`nightly`) and then mutate it in the order the module's tests are written.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from .product import Product, running_product

DEFAULT_SEED = 42


@pytest.fixture(scope="module")
def product(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    seed = int(getattr(request.module, "SANDBOX_SEED", DEFAULT_SEED))
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        running_product(tmp_path_factory.mktemp("e2e"), seed, monkeypatch) as running,
    ):
        yield running


@pytest.fixture(scope="module")
def nightly(product: Product) -> dg.ExecuteInProcessResult:
    """The module's first `nightly_sync`: every stream into the lake, then `dbt build` with checks."""
    result = product.run("nightly_sync")
    assert result.success, "nightly_sync failed"
    return result
