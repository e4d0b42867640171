"""The dbt project (dbt_project/) as Dagster assets: lake sources -> staging -> marts, tests as checks.

dbt builds into a database private to the pipeline (`$WAREHOUSE_DIR/build/warehouse.duckdb`); after
a successful build, the ops that ran it publish the marts to `$WAREHOUSE_DIR/warehouse.duckdb`
(`pipelines.assets.publish`), so readers never share a file with dbt.

Lineage runs from the extract assets to the marts because every dbt source carries the extract asset's
key in `meta.dagster.asset_key` (`["healthie", <stream>]`); models are keyed `[<schema>, <model>]`
(`["marts", "fct_appointments"]`) and grouped by the folder they live in.

The manifest is prepared at build time, never parsed at import in production: run
`python -m pipelines.assets.dbt` (or call `prepare_dbt_manifest()`) before loading the Definitions;
under `dagster dev` this module prepares it on import (`prepare_if_dev`). So that the module can be
imported to prepare, and for `dbt_build_args` alone, before any manifest exists, `healthie_dbt_assets`
is only built when first accessed.
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    build_dbt_asset_selection,
    dbt_assets,
)
from dagster_dbt.asset_utils import (
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.dbt_manifest import DbtManifestParam, validate_manifest
from dbt.version import __version__ as dbt_core_version
from packaging import version

from pipelines.assets.dbt_in_process import InProcessDbt
from pipelines.assets.publish import (
    MARTS_SCHEMA,
    PUBLISHED_FILE,
    Publication,
    build_database_path,
    publish_marts,
    published_path,
)
from pipelines.files import DIR_MODE, FILE_MODE, ensure_dir, temp_path_for
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.paths import resolve_warehouse_dir
from pipelines.settings import WarehouseConfig

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
#: The dbt installed beside this Python (the pinned one), whether or not the venv is on PATH
#: (`make` runs `.venv/bin/...` without activating it); else whatever `dbt` PATH has.
_VENV_DBT = Path(sys.executable).parent / "dbt"
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"

#: The dbt source that reads the lake (models/staging/healthie/_healthie__sources.yml).
LAKE_SOURCE = "healthie"
#: The published DuckDB file under $WAREHOUSE_DIR, the one readers open (dbt builds into build/).
WAREHOUSE_FILE = PUBLISHED_FILE
#: DuckDB takes one writer at a time: every run that builds (and publishes) the warehouse queues here.
WAREHOUSE_POOL = "duckdb_warehouse"
#: dbt materializations that leave a table behind: the marts published to readers.
_TABLE_MATERIALIZATIONS = frozenset({"table", "incremental"})
#: dbt tests that re-read the whole lake (dbt_project.yml tags every test on a staging view with it).
LAKE_SCAN_TAG = "lake_scan"
#: dbt's artifacts under the private build folder: one folder per invocation, and the parse state
#: (`partial_parse.msgpack`) the invocations of one warehouse share (`dbt_target`).
DBT_ARTIFACTS_DIR = "dbt"
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
#: dbt writes no manifest.json / run_results.json: writing the whole project's manifest costs 0.3 s a
#: build, and nothing reads them (Dagster takes the build's events from dbt's log stream; the manifest
#: Dagster loads is `make manifest`'s). dbt still saves its parse state (`dbt_target`).
NO_JSON_ARTIFACTS = "--no-write-json"


class HealthieDbtCliResource(DbtCliResource):
    """`DbtCliResource` running dbt inside the step's process, without dagster-dbt's in-process adapter.

    `cli()` takes the same arguments and returns the same `DbtCliInvocation` (selection from the
    Dagster context, events, errors: dagster-dbt's own code), but its "process" is dbt's programmatic
    runner in this process (`pipelines.assets.dbt_in_process`), which skips the 2-2.5 s a dbt CLI
    process spends starting up. It also skips the adapter dagster-dbt builds beside it per invocation,
    which serves only `fetch_row_counts()` and `fetch_column_metadata()`, not called here, and costs a
    parse of all of dbt's macros (0.9 s), and the `dbt --version` process dagster-dbt starts once per
    resource to learn dbt's version (1.5 s a run): the version is that of the dbt-core installed here.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version)

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: dg.OpExecutionContext | dg.AssetExecutionContext | None = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        """dagster-dbt's `cli()` (the same selection from the context, target folder and invocation),
        with dbt in this process instead of a CLI process."""
        translator = dagster_dbt_translator or DagsterDbtTranslator()
        cleaned_args, runtime_selects, runtime_excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=translator,
            runtime_selects=runtime_selects,
            runtime_excludes=runtime_excludes,
        )
        project_dir = Path(params.dbt_project.project_dir if params.dbt_project else self.project_dir)
        target = Path(target_path or self._get_unique_target_path(context=context))
        if not target.is_absolute():
            target = project_dir / target
        # The folders and selection mode dagster-dbt hands the CLI process in its environment, as flags,
        # then the profile and target it passes as arguments.
        flags = ["--target-path", os.fspath(target), "--log-path", os.fspath(target)]
        flags += ["--project-dir", os.fspath(project_dir)]
        flags += ["--profiles-dir", os.fspath(self.profiles_dir)] if self.profiles_dir else []
        flags += ["--indirect-selection", params.indirect_selection] if params.indirect_selection else []
        flags += ["--profile", self.profile] if self.profile else []
        flags += ["--target", self.target] if self.target else []
        command = [
            self.dbt_executable,
            *self.global_config_flags,
            *cleaned_args,
            *flags,
            *params.selection_args,
        ]
        return DbtCliInvocation(
            process=InProcessDbt(command, cwd=project_dir),  # type: ignore[arg-type]
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target,
            raise_on_error=raise_on_error,
            cli_version=self._cli_version,
            project=params.dbt_project,
            context=context,
            adapter=None,
        )


def dbt_resource(global_config_flags: Sequence[str] = ()) -> DbtCliResource:
    """The `dbt` resource: dbt on this project, in the step's process, with the profile in
    dbt_project/profiles.yml.

    `global_config_flags` go before the command (`["--quiet"]` keeps logs to errors).
    """
    return HealthieDbtCliResource(
        # DbtCliResource.__init__ takes the DbtProject; mypy's pydantic plugin sees only the str field.
        project_dir=DBT_PROJECT,  # type: ignore[arg-type]
        dbt_executable=DBT_EXECUTABLE,
        global_config_flags=list(global_config_flags),
    )


def prepare_dbt_manifest() -> Path:
    """Parse the dbt project into `dbt_project/target/manifest.json` (the build-time step) and return it."""
    dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()
    return DBT_PROJECT.manifest_path


def prepare_if_dev() -> None:
    """`DbtProject.prepare_if_dev` with this environment's dbt: re-parse on import under `dagster dev` only.

    dagster-dbt's own preparer runs `dbt` from PATH, which `make dev` does not put the venv on.
    """
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        prepare_dbt_manifest()


prepare_if_dev()


def dbt_stream_selector(streams: Iterable[str]) -> str:
    """The dbt selection of everything that reads `streams`: `source:healthie.a+ source:healthie.b+`.

    One space-separated value: dagster-dbt re-orders a multi-value `--select`, after which dbt rejects
    the second selector as an extra argument.
    """
    names = sorted(set(streams))
    unknown = [name for name in names if name not in STREAMS_BY_NAME]
    if unknown:
        raise ValueError(f"unknown stream(s) {unknown}; known: {sorted(STREAMS_BY_NAME)}")
    if not names:
        raise ValueError("no streams given: an empty selection would build nothing (or, unchecked, all)")
    return " ".join(f"source:{LAKE_SOURCE}.{name}+" for name in names)


def dbt_build_args(
    streams: Iterable[str] | None = None,
    *,
    full_refresh: bool = False,
    skip_lake_scans: bool = False,
    skip_unit_tests: bool = False,
) -> list[str]:
    """The dbt command line that builds (models + tests) everything, or only what reads `streams`.

    `dbt_build_args(streams=["appointments"])` -> `["build", "--select", "source:healthie.appointments+"]`.
    Streams are validated against the stream specs and sorted, so the same change set always gives the
    same command (`dbt_stream_selector`). `full_refresh` rebuilds incremental models from the whole
    lake. `skip_lake_scans` leaves out the tests that re-read the whole lake through the staging views
    (tag `lake_scan`): a webhook refresh should, since the incremental marts parse every changed row
    themselves; the nightly build should not. `skip_unit_tests` leaves out dbt's unit tests: they check
    the models' SQL against fixtures, not the data, so they prove nothing new between two builds of the
    same project; the nightly build and the test suite run them, a webhook refresh need not.
    """
    args = ["build"]
    if streams is not None:
        args += ["--select", dbt_stream_selector(streams)]
    excluded = [f"tag:{LAKE_SCAN_TAG}"] if skip_lake_scans else []
    excluded += ["resource_type:unit_test"] if skip_unit_tests else []
    if excluded:
        args += ["--exclude", " ".join(excluded)]
    if full_refresh:
        args.append("--full-refresh")
    return args


def refresh_build_args(streams: Iterable[str] | None) -> list[str]:
    """The dbt command line of a webhook refresh: what reads `streams` (every model if None), with its
    tests but neither the lake-scanning ones nor the unit tests (`dbt_build_args`), and no JSON artifacts
    (`NO_JSON_ARTIFACTS`).
    """
    return [*dbt_build_args(streams, skip_lake_scans=True, skip_unit_tests=True), NO_JSON_ARTIFACTS]


def _meta(dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = dbt_resource_props.get("config", {}).get("meta") or dbt_resource_props.get("meta") or {}
    return dict(meta)


class HealthieDbtTranslator(DagsterDbtTranslator):
    """Sources take the extract assets' keys from their meta; models are grouped by folder.

    Groups: `staging`, `intermediate`, `marts` (every domain folder under models/marts) and `reporting`
    (models/marts/reporting).
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            asset_key = _meta(dbt_resource_props).get("dagster", {}).get("asset_key")
            if not asset_key:
                raise ValueError(
                    f"dbt source {dbt_resource_props['unique_id']} lacks meta.dagster.asset_key: "
                    "without it the lineage from the extract asset breaks"
                )
            return dg.AssetKey(asset_key)
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        folders = list(dbt_resource_props["fqn"][1:-1])
        if folders[:2] == ["marts", "reporting"]:
            return "reporting"
        return folders[0] if folders else None


def ensure_private_warehouse(warehouse_dir: Path) -> Path:
    """Create dbt's build database `<warehouse_dir>/build/warehouse.duckdb` owner-only (0600, in a 0700
    folder) before dbt opens it, and return its path.

    DuckDB creates a missing database file (and its WAL) with the process umask, usually world-readable;
    the marts hold PHI, so the file exists, private, before the first build, and later builds keep its
    mode. The folder is the pipeline's alone: readers open the published file, never this one.
    """
    path = build_database_path(warehouse_dir)
    ensure_dir(path.parent)
    os.chmod(path.parent, DIR_MODE)
    if not path.exists():
        duckdb.connect(str(path)).close()
    os.chmod(path, FILE_MODE)
    return path


@contextlib.contextmanager
def dbt_target(warehouse_dir: Path) -> Iterator[Path]:
    """A new dbt target folder for one invocation, seeded with the warehouse's saved parse state.

    Why: dbt re-parses the whole project (about 2 s, a large part of a webhook refresh) unless the
    target folder holds a `partial_parse.msgpack` made with the same profile, and the profile's path is
    under WAREHOUSE_DIR, so the one `make manifest` leaves in dbt_project/target (parsed for another
    WAREHOUSE_DIR, or none) is refused ("profile has changed"). So each warehouse keeps its own, in
    `build/dbt/`: copied into the invocation's folder before dbt starts, saved back (temp file and
    rename, so a concurrent reader never sees half of it) once dbt has succeeded. A changed project
    file is re-parsed by dbt itself (it hashes every file), a new dbt version discards the state. The
    invocation's folder (its own run_results.json and logs, as dagster-dbt's unique target folders)
    is removed afterwards.
    """
    root = ensure_dir(build_database_path(warehouse_dir).parent / DBT_ARTIFACTS_DIR)
    saved = root / PARTIAL_PARSE_FILE
    target = Path(tempfile.mkdtemp(prefix="invocation-", dir=root))
    try:
        if saved.exists():
            shutil.copyfile(saved, target / PARTIAL_PARSE_FILE)
        yield target
        fresh = target / PARTIAL_PARSE_FILE
        if fresh.exists():
            temp = temp_path_for(saved)
            shutil.copyfile(fresh, temp)
            os.chmod(temp, FILE_MODE)  # owner-only, as everything under the warehouse
            os.replace(temp, saved)  # no fsync: a cache; dbt re-parses whole if it cannot read it
    finally:
        shutil.rmtree(target, ignore_errors=True)


def dbt_warehouse_dir(warehouse: WarehouseConfig) -> Path:
    """The `warehouse` resource's directory, refused unless dbt builds there too.

    dbt's profile reads `WAREHOUSE_DIR` from the run's environment; publishing from another directory
    than dbt built in would publish the wrong marts, or none. Set `WAREHOUSE_DIR` instead of configuring
    the resource differently.
    """
    path = warehouse.path
    dbt_builds_in = resolve_warehouse_dir()  # what dbt's profile resolves from the same variable
    if path != dbt_builds_in:
        raise ValueError(
            f"the warehouse resource points at {path} but dbt builds under WAREHOUSE_DIR "
            f"({dbt_builds_in}): set WAREHOUSE_DIR rather than the resource's warehouse_dir"
        )
    return path


def project_marts(manifest_path: Path | None = None) -> dict[str, dg.AssetKey]:
    """The tables readers get: every enabled model of schema `marts` that dbt builds as a table, by
    table name (the model's alias), with its Dagster asset key. Read from the dbt manifest."""
    manifest = json.loads((manifest_path or DBT_PROJECT.manifest_path).read_text(encoding="utf-8"))
    translator = HealthieDbtTranslator()
    return {
        node.get("alias") or node["name"]: translator.get_asset_key(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node.get("schema") == MARTS_SCHEMA
        and node["config"].get("enabled", True)
        and node["config"].get("materialized") in _TABLE_MATERIALIZATIONS
    }


def publish_build(
    context: dg.OpExecutionContext | dg.AssetExecutionContext,
    warehouse_dir: Path,
    marts: Mapping[str, dg.AssetKey] | None = None,
) -> Iterator[dg.AssetObservation]:
    """Publish the marts dbt just built, log what it cost, and observe each published mart.

    Call only once dbt has exited successfully (`DbtCliInvocation.stream()` is exhausted: it waits for
    the process and raises if dbt failed, so a failed build never gets here and publishes nothing).
    `marts` defaults to the project's (`project_marts()`). Each mart's observation carries its row
    count and the publish's cost (seconds, bytes).
    """
    marts = project_marts() if marts is None else marts
    publication = publish_marts(
        build_database_path(warehouse_dir), published_path(warehouse_dir), marts=marts
    )
    context.log.info(publication.summary())
    if publication.stale_temp_removed:
        context.log.warning("removed the temp file of an earlier publish that did not finish")
    if publication.left_out:
        context.log.warning(
            f"left unpublished (in the build's marts schema, no longer a model): {list(publication.left_out)}"
        )
    for mart in publication.marts:
        yield dg.AssetObservation(
            asset_key=marts[mart.name], metadata=_published_metadata(publication, mart.rows)
        )


def _published_metadata(publication: Publication, rows: int) -> dict[str, Any]:
    return {
        "dagster/row_count": rows,
        "published_path": dg.MetadataValue.path(str(publication.path)),
        "publish_seconds": round(publication.seconds, 3),
        "publish_bytes": publication.bytes,
        "storage_version": publication.storage_version,
    }


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt assets."""

    full_refresh: bool = False
    """Rebuild incremental marts from the whole lake (`dbt build --full-refresh`)."""


@cache
def _build_healthie_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=DBT_PROJECT.manifest_path,
        project=DBT_PROJECT,
        dagster_dbt_translator=HealthieDbtTranslator(),
        name="healthie_dbt_assets",
        pool=WAREHOUSE_POOL,
    )
    def healthie_dbt_assets(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        config: DbtBuildConfig,
        warehouse: WarehouseConfig,
    ) -> Iterator[Any]:
        """`dbt build` of the selected models (each model a materialization, each dbt test a check), then
        the marts published to readers; a failed build raises before publishing anything."""
        warehouse_dir = dbt_warehouse_dir(warehouse)
        ensure_private_warehouse(warehouse_dir)
        args = [*dbt_build_args(full_refresh=config.full_refresh), NO_JSON_ARTIFACTS]
        with dbt_target(warehouse_dir) as target:
            yield from dbt.cli(args, context=context, raise_on_error=True, target_path=target).stream()
        yield from publish_build(context, warehouse_dir)

    return healthie_dbt_assets


def healthie_dbt_selection(streams: Iterable[str]) -> dg.AssetSelection:
    """The dbt assets downstream of `streams`, as a Dagster selection (same scope as `dbt_build_args`)."""
    return build_dbt_asset_selection([_build_healthie_dbt_assets()], dbt_select=dbt_stream_selector(streams))


def __getattr__(name: str) -> dg.AssetsDefinition:
    """`healthie_dbt_assets` is built on first access, once the manifest exists."""
    if name == "healthie_dbt_assets":
        return _build_healthie_dbt_assets()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    print(f"dbt manifest written to {prepare_dbt_manifest()}")
