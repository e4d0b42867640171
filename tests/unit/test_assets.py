"""Asset and check definitions: keys, groups, kinds, grain, and the completeness verdict."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pytest

from pipelines.assets import extract_asset_checks, extract_assets
from pipelines.assets.checks import CHECK_NAME, evaluate_completeness
from pipelines.assets.extract import ExtractConfig
from pipelines.healthie import HealthieResource, build_healthie_resource
from pipelines.healthie.streams import STREAMS
from pipelines.settings import WarehouseConfig, build_warehouse_config


def test_one_asset_per_stream_with_grain_group_and_kinds() -> None:
    (assets,) = extract_assets
    specs = {spec.key: spec for spec in assets.specs}
    assert set(specs) == {dg.AssetKey(["healthie", s.name]) for s in STREAMS}
    for stream in STREAMS:
        spec = specs[dg.AssetKey(["healthie", stream.name])]
        assert spec.group_name == "healthie_extract"
        assert spec.kinds == {"healthie", "parquet"}
        assert spec.description == stream.description
    assert assets.can_subset


def test_checks_cover_every_counted_stream() -> None:
    keys = {key for check in extract_asset_checks for key in check.check_keys}
    expected = {
        dg.AssetCheckKey(dg.AssetKey(["healthie", s.name]), CHECK_NAME) for s in STREAMS if s.count_operation
    }
    assert keys == expected


def test_definitions_load_without_any_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEALTHIE_API_KEY", raising=False)
    defs = dg.Definitions(
        assets=extract_assets,
        asset_checks=extract_asset_checks,
        resources={"healthie": build_healthie_resource(), "warehouse": build_warehouse_config()},
    )
    defs.resolve_all_job_defs()


def test_resource_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHIE_RATE_LIMIT_RPS", "40")
    resource = build_healthie_resource()
    assert isinstance(resource, HealthieResource) and resource.rate_limit_rps == 40.0
    monkeypatch.setenv("WAREHOUSE_DIR", "/tmp/wh")
    assert isinstance(build_warehouse_config(), WarehouseConfig)


def test_extract_config_maps_to_sync_options() -> None:
    options = ExtractConfig(history_start="2015-03-01", window_concurrency=4).to_options()
    assert options.history_start.year == 2015 and options.history_start.tzinfo is not None
    assert options.window_concurrency == 4


@pytest.mark.parametrize(
    ("landed", "metadata", "passed", "severity"),
    [
        (10, {"source_count_end": 10, "churn_observed": False}, True, None),
        (9, {"source_count_end": 10, "churn_observed": True}, False, dg.AssetCheckSeverity.WARN),
        (9, {"source_count_end": 10, "churn_observed": False}, False, dg.AssetCheckSeverity.ERROR),
        (11, {"source_count_end": 10, "churn_observed": False}, False, dg.AssetCheckSeverity.ERROR),
        (0, {}, False, dg.AssetCheckSeverity.ERROR),
    ],
)
def test_completeness_verdict(
    landed: int, metadata: dict[str, Any], passed: bool, severity: dg.AssetCheckSeverity | None
) -> None:
    result = evaluate_completeness(landed, metadata)
    assert result.passed is passed
    if severity is not None:
        assert result.severity is severity
