"""The Dagster wiring of the dbt project: command lines, translator, and a real materialization."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster_dbt import dbt_assets

from pipelines.assets.dbt import (
    DBT_EXECUTABLE,
    DBT_PROJECT,
    DBT_PROJECT_DIR,
    PARTIAL_PARSE_FILE,
    HealthieDbtTranslator,
    dbt_build_args,
    dbt_resource,
    dbt_target,
    healthie_dbt_selection,
    prepare_dbt_manifest,
    refresh_build_args,
)
from pipelines.healthie.streams import STREAMS
from pipelines.settings import build_warehouse_config


@pytest.mark.parametrize(
    ("streams", "full_refresh", "expected"),
    [
        (None, False, ["build"]),
        (None, True, ["build", "--full-refresh"]),
        (["appointments"], False, ["build", "--select", "source:healthie.appointments+"]),
        (
            ["entries", "appointments", "entries"],
            False,
            ["build", "--select", "source:healthie.appointments+ source:healthie.entries+"],
        ),
        (("billing_items",), True, ["build", "--select", "source:healthie.billing_items+", "--full-refresh"]),
    ],
)
def test_dbt_build_args(streams: list[str] | None, full_refresh: bool, expected: list[str]) -> None:
    assert dbt_build_args(streams=streams, full_refresh=full_refresh) == expected


def test_dbt_build_args_can_skip_the_lake_scanning_tests() -> None:
    assert dbt_build_args(streams=["entries"], skip_lake_scans=True) == [
        "build",
        "--select",
        "source:healthie.entries+",
        "--exclude",
        "tag:lake_scan",
    ]


def test_a_refresh_leaves_out_lake_scans_unit_tests_and_json_artifacts() -> None:
    assert refresh_build_args(["entries"]) == [
        "build",
        "--select",
        "source:healthie.entries+",
        "--exclude",
        "tag:lake_scan resource_type:unit_test",
        "--no-write-json",
    ]
    assert refresh_build_args(None)[:3] == ["build", "--exclude", "tag:lake_scan resource_type:unit_test"]


def _dbt_ls(target: Path) -> str:
    command = [DBT_EXECUTABLE, "--debug", "ls", "--select", "fct_appointments"]
    command += ["--target-path", str(target), "--log-path", str(target)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=True).stdout


def test_dbt_reuses_the_warehouse_parse_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first invocation in a warehouse parses the project and leaves its state in build/dbt/; the
    next one starts from it (dbt skips parsing); each invocation's own folder is removed."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    saved = tmp_path / "build" / "dbt" / PARTIAL_PARSE_FILE
    with dbt_target(tmp_path) as first:
        first_log = _dbt_ls(first)
    assert saved.exists() and not first.exists()
    assert saved.stat().st_mode & 0o077 == 0, "owner-only, as everything under the warehouse"
    with dbt_target(tmp_path) as second:
        assert (second / PARTIAL_PARSE_FILE).read_bytes() == saved.read_bytes()
        second_log = _dbt_ls(second)
    assert "no changes found, skipping parsing" not in first_log
    assert "no changes found, skipping parsing" in second_log
    assert sorted(p.name for p in saved.parent.iterdir()) == [PARTIAL_PARSE_FILE]


def test_a_failed_invocation_keeps_the_saved_parse_state(tmp_path: Path) -> None:
    saved = tmp_path / "build" / "dbt" / PARTIAL_PARSE_FILE
    saved.parent.mkdir(parents=True)
    saved.write_bytes(b"state of the last good build")
    with pytest.raises(RuntimeError), dbt_target(tmp_path) as target:
        (target / PARTIAL_PARSE_FILE).write_bytes(b"state of a failed build")
        raise RuntimeError("dbt failed")
    assert saved.read_bytes() == b"state of the last good build"
    assert not target.exists()


@pytest.mark.parametrize("streams", [["appointment"], []])
def test_dbt_build_args_refuses_unknown_or_empty_selections(streams: list[str]) -> None:
    with pytest.raises(ValueError):
        dbt_build_args(streams=streams)


def test_translator_requires_an_asset_key_on_sources() -> None:
    source = {
        "resource_type": "source",
        "unique_id": "source.x.healthie.new_stream",
        "meta": {},
        "config": {},
    }
    with pytest.raises(ValueError, match=r"meta\.dagster\.asset_key"):
        HealthieDbtTranslator().get_asset_key(source)


@pytest.fixture(scope="module")
def translated(built_warehouse: Path) -> dg.AssetsDefinition:
    """dbt assets over the manifest of the shared test build, through the project's translator."""

    @dbt_assets(
        manifest=built_warehouse / "dbt" / "target" / "manifest.json",
        dagster_dbt_translator=HealthieDbtTranslator(),
    )
    def assets(context: dg.AssetExecutionContext) -> Iterator[Any]:
        yield from ()

    return assets


def test_sources_are_the_extract_assets(translated: dg.AssetsDefinition) -> None:
    upstream = {key for key in translated.dependency_keys if key not in translated.keys}
    assert upstream == {dg.AssetKey(["healthie", spec.name]) for spec in STREAMS}


def test_models_are_keyed_by_schema_and_grouped_by_folder(translated: dg.AssetsDefinition) -> None:
    groups = {key.to_user_string(): translated.group_names_by_key[key] for key in translated.keys}
    assert groups["staging/stg_healthie__appointments"] == "staging"
    assert groups["staging/int_patient_weekly_latest_metrics"] == "intermediate"
    assert groups["marts/fct_appointments"] == "marts"
    assert groups["marts/dim_patients"] == "marts"
    assert groups["marts/rpt_provider_monthly"] == "reporting"
    assert groups["marts/fct_claims"] == "marts"  # models/marts/revenue_cycle
    assert groups["marts/rpt_claims_aging"] == "reporting"
    assert set(groups.values()) == {"staging", "intermediate", "marts", "reporting"}
    # 20 staging views (stg_healthie__claim_lines, ...), 1 intermediate, 19 marts, 9 reports.
    assert len(groups) == 49


def test_dbt_tests_are_asset_checks(translated: dg.AssetsDefinition) -> None:
    checks = {(spec.asset_key.to_user_string(), spec.name) for spec in translated.check_specs}
    assert ("marts/fct_appointments", "unique_fct_appointments_appointment_id") in checks
    assert ("staging/stg_healthie__appointments", "all_values_parse_stg_healthie__appointments_") in checks


@pytest.fixture(scope="module")
def project_manifest() -> Path:
    """The manifest Definitions load (the build-time step, here only if nobody ran it yet)."""
    if not DBT_PROJECT.manifest_path.exists():
        prepare_dbt_manifest()
    return DBT_PROJECT.manifest_path


def test_materializing_a_selection_runs_dbt_build_with_checks(
    project_manifest: Path, warehouse_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines.assets.dbt import healthie_dbt_assets

    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_copy))
    result = dg.materialize(
        [healthie_dbt_assets],
        resources={"dbt": dbt_resource(), "warehouse": build_warehouse_config()},
        selection=healthie_dbt_selection(["appointment_types"]),
    )

    assert result.success
    materialized = {
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key
    }
    assert materialized == {"staging/stg_healthie__appointment_types", "marts/dim_appointment_types"}
    evaluations = result.get_asset_check_evaluations()
    assert evaluations
    assert all(evaluation.passed for evaluation in evaluations)
