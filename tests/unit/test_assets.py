"""Asset and check definitions: keys, groups, kinds, grain, and the completeness verdict."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from pipelines.assets import extract_assets
from pipelines.assets.checks import CHECK_NAME, SIZE_CHECK_NAME, evaluate_completeness, evaluate_size
from pipelines.assets.extract import ExtractConfig
from pipelines.extract.options import StreamResult
from pipelines.healthie.client import ClientSettings
from pipelines.healthie.streams import STREAMS
from pipelines.resources import HealthieResource, build_healthie_resource
from pipelines.settings import WarehouseConfig, build_warehouse_config


def test_one_asset_per_stream_with_grain_group_and_kinds() -> None:
    (assets,) = extract_assets
    specs = {spec.key: spec for spec in assets.specs}
    assert set(specs) == {dg.AssetKey(["healthie", s.name]) for s in STREAMS}
    for stream in STREAMS:
        spec = specs[dg.AssetKey(["healthie", stream.name])]
        assert spec.group_name == "healthie_extract"
        assert spec.kinds == {"healthie", "delta"}
        assert spec.description == stream.description
    assert assets.can_subset


def test_checks_cover_every_stream_and_every_counted_one() -> None:
    (assets,) = extract_assets
    keys = set(assets.check_keys)
    counted = {
        dg.AssetCheckKey(dg.AssetKey(["healthie", s.name]), CHECK_NAME) for s in STREAMS if s.count_operation
    }
    sized = {dg.AssetCheckKey(dg.AssetKey(["healthie", s.name]), SIZE_CHECK_NAME) for s in STREAMS}
    assert keys == counted | sized


def test_definitions_load_without_any_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEALTHIE_API_KEY", raising=False)
    healthie = build_healthie_resource()
    defs = dg.Definitions(
        assets=extract_assets,
        resources={"healthie": healthie, "warehouse": build_warehouse_config()},
    )
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.asset_layer.executable_asset_keys == {dg.AssetKey(["healthie", s.name]) for s in STREAMS}
    # The key is a reference resolved when a run starts, never a value read at load time.
    assert isinstance(healthie.api_key, dg.EnvVar) and healthie.api_key == "HEALTHIE_API_KEY"


def test_resource_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHIE_RATE_LIMIT_RPS", "40")
    resource = build_healthie_resource()
    assert resource.rate_limit_rps == 40.0
    settings = HealthieResource(api_key="k", rate_limit_rps=resource.rate_limit_rps).client_settings()
    assert settings.rate_limit_rps == 40.0
    monkeypatch.setenv("WAREHOUSE_DIR", "/tmp/wh")
    monkeypatch.setenv("LAKE_HISTORY_RETENTION_DAYS", "0")
    warehouse = build_warehouse_config()
    assert warehouse.history_retention == timedelta(0)
    assert WarehouseConfig(warehouse_dir="/tmp/wh").path == Path("/tmp/wh")


def test_the_resource_hands_out_client_settings_with_one_source_of_defaults() -> None:
    """Every resource field names a `ClientSettings` field; unset ones keep `ClientSettings`' default."""
    settings_fields = {f.name: f for f in dataclasses.fields(ClientSettings)}
    assert set(HealthieResource.model_fields) <= set(settings_fields)
    unset = HealthieResource(api_key="k").client_settings()
    assert unset == ClientSettings(api_key="k")
    tuned = HealthieResource(api_key="k", max_attempts=2, api_url="http://127.0.0.1:1/graphql")
    assert tuned.client_settings() == ClientSettings(
        api_key="k", max_attempts=2, api_url="http://127.0.0.1:1/graphql"
    )


@pytest.mark.parametrize("value", ["-1", "seven", "1.5"])
def test_a_malformed_retention_fails_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("LAKE_HISTORY_RETENTION_DAYS", value)
    with pytest.raises(ValueError, match="LAKE_HISTORY_RETENTION_DAYS"):
        build_warehouse_config()


def test_extract_config_maps_to_sync_options() -> None:
    options = ExtractConfig(history_start="2015-03-01", window_concurrency=4).to_options()
    assert options.history_start.year == 2015 and options.history_start.tzinfo is not None
    assert options.window_concurrency == 4


def result(**values: Any) -> StreamResult:
    """A stream's sync result: every counter zero unless given."""
    fields: dict[str, Any] = {f.name: 0 for f in dataclasses.fields(StreamResult)}
    fields.update(stream="appointments", batch_id="b", path="/lake", resumed=False, churn_observed=False)
    fields.update(source_count_start=None, source_count_end=None, table_version=1)
    return StreamResult(**{**fields, **values})


KEY = dg.AssetKey(["healthie", "appointments"])


@pytest.mark.parametrize(
    ("table_rows", "source", "churn", "passed", "severity"),
    [
        (10, 10, False, True, None),
        (9, 10, True, False, dg.AssetCheckSeverity.WARN),
        (9, 10, False, False, dg.AssetCheckSeverity.ERROR),
        (11, 10, False, False, dg.AssetCheckSeverity.ERROR),
        (0, None, False, False, dg.AssetCheckSeverity.ERROR),
    ],
)
def test_completeness_verdict(
    table_rows: int, source: int | None, churn: bool, passed: bool, severity: dg.AssetCheckSeverity | None
) -> None:
    verdict = evaluate_completeness(
        result(live_ids=table_rows, source_count_end=source, churn_observed=churn), KEY
    )
    assert verdict.passed is passed and verdict.asset_key == KEY
    if severity is not None:
        assert verdict.severity is severity


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("files", "table_bytes", "disk_bytes", "retention_days", "passed"),
    [
        (1, 10 * MB, 12 * MB, 0, True),  # current state plus the log
        (1, 10 * MB, 30 * MB, 0, False),  # expired versions were never vacuumed
        (1, 10 * MB, 80 * MB, 7, True),  # a week of nightly rewrites is allowed
        (40, 10 * MB, 12 * MB, 0, False),  # small files were never compacted
    ],
)
def test_lake_size_verdict(
    files: int, table_bytes: int, disk_bytes: int, retention_days: int, passed: bool
) -> None:
    sized = result(table_files=files, table_bytes=table_bytes, disk_bytes=disk_bytes, live_ids=1000)
    verdict = evaluate_size(sized, timedelta(days=retention_days), KEY)
    assert verdict.passed is passed and verdict.severity is dg.AssetCheckSeverity.WARN
