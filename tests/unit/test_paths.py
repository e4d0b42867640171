"""Every process resolves WAREHOUSE_DIR to the same folder, wherever it was started."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.paths import PROJECT_ROOT, resolve_warehouse_dir
from pipelines.settings import WarehouseConfig, warehouse_dir_from_env
from pipelines.webhooks.inbox import inbox_path


@pytest.mark.parametrize("value", ["data", "./data", "var/../data"])
def test_relative_paths_resolve_from_the_project_root_not_the_cwd(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as dagster-dbt runs dbt in dbt_project/, or a receiver started elsewhere
    monkeypatch.setenv("WAREHOUSE_DIR", value)
    expected = PROJECT_ROOT / "data"
    assert resolve_warehouse_dir() == warehouse_dir_from_env() == expected
    assert WarehouseConfig(warehouse_dir=value).path == expected
    assert inbox_path() == expected / "webhooks" / "inbox.sqlite3"


def test_absolute_paths_are_used_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    assert warehouse_dir_from_env() == tmp_path.resolve()
