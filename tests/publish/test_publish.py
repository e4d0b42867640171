"""`warehouse.duckdb` is published, never written in place: each guarantee against real DuckDB files.

A "build" here is what dbt leaves in the private build database: tables in schema `marts` (every row
carrying the number of the build that wrote it) and a view in `staging`. Readers are separate
processes holding a read-only connection (`reader.py`), or a thread reconnecting in a loop.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipelines.assets.dbt import (
    DBT_PROJECT,
    dbt_resource,
    dbt_warehouse_dir,
    ensure_private_warehouse,
    prepare_dbt_manifest,
    project_marts,
    publish_build,
)
from pipelines.assets.publish import (
    READABLE_BY_DUCKDB_1_4,
    PublishError,
    build_database_path,
    publish_marts,
    published_path,
    storage_version,
)
from pipelines.files import temp_path_for
from pipelines.refresh.job import build_downstream_models
from pipelines.settings import WarehouseConfig

from .conftest import Reader
from .reader import read_marts

MARTS = ("dim_c", "fct_a", "fct_b")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_build(
    build_db: Path, build: int, marts: Sequence[str] = MARTS, *, extra_sql: Sequence[str] = ()
) -> None:
    """Replace the build database's marts as a dbt build does: each mart a table of typed columns."""
    with duckdb.connect(str(build_db)) as con:
        con.execute("create schema if not exists marts; create schema if not exists staging")
        for number, name in enumerate(marts, start=1):
            con.execute(
                f"""
                create or replace table marts.{name} as
                select
                    $build::integer as build,
                    range::varchar as {name}_id,
                    (range * 1.25)::decimal(18, 2) as amount,
                    timestamp '2024-01-01' + to_days(range::integer) as starts_at,
                    map {{'weight': range::double}} as latest_metrics,
                    [range, range + 1] as pair
                from range($rows)
                """,
                {"build": build, "rows": 100 * number + build},
            )
        con.execute("create or replace view staging.stg_lake as select 1 as lake_row")
        for statement in extra_sql:
            con.execute(statement)


@pytest.fixture
def warehouse_dir(tmp_path: Path) -> Path:
    return tmp_path / "warehouse"


@pytest.fixture
def build_db(warehouse_dir: Path) -> Path:
    return ensure_private_warehouse(warehouse_dir)


@pytest.fixture
def published(warehouse_dir: Path, build_db: Path) -> Path:
    """The first build, published."""
    write_build(build_db, 1)
    return publish_marts(build_db, published_path(warehouse_dir)).path


def builds_seen(answer: dict[str, Any]) -> set[int]:
    assert "error" not in answer, answer["error"]
    return {build for builds in answer["builds"].values() for build in builds}


# --- the build database ---------------------------------------------------------------------------


def test_build_database_is_created_owner_only(warehouse_dir: Path) -> None:
    previous = os.umask(0o022)
    try:
        path = ensure_private_warehouse(warehouse_dir)
    finally:
        os.umask(previous)
    assert path == build_database_path(warehouse_dir) == warehouse_dir / "build" / "warehouse.duckdb"
    assert (mode(path), mode(path.parent), mode(warehouse_dir)) == (0o600, 0o700, 0o700)
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    assert ensure_private_warehouse(warehouse_dir) == path
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)


def test_dbt_and_the_publisher_agree_on_the_warehouse_dir(
    warehouse_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_dir))
    assert dbt_warehouse_dir(WarehouseConfig(warehouse_dir=str(warehouse_dir))) == warehouse_dir
    with pytest.raises(ValueError, match="set WAREHOUSE_DIR"):
        dbt_warehouse_dir(WarehouseConfig(warehouse_dir=str(tmp_path / "elsewhere")))


# --- what is published ------------------------------------------------------------------------------


def test_only_the_marts_are_published_with_their_comments(warehouse_dir: Path, build_db: Path) -> None:
    write_build(
        build_db,
        1,
        extra_sql=[
            "comment on table marts.fct_a is 'One row per a; it''s the grain'",
            "comment on column marts.fct_a.amount is 'Paid, DECIMAL'",
        ],
    )
    publication = publish_marts(build_db, published_path(warehouse_dir))

    assert [(mart.name, mart.rows) for mart in publication.marts] == [
        ("dim_c", 101),
        ("fct_a", 201),
        ("fct_b", 301),
    ]
    with duckdb.connect(str(publication.path), read_only=True) as con:
        published = read_marts(con)
        table_comments = con.execute(
            "select table_name, comment from duckdb_tables() order by all"
        ).fetchall()
        column_comments = con.execute(
            "select table_name, column_name, comment from duckdb_columns() where comment is not null"
        ).fetchall()
        types = con.execute("select column_name, data_type from duckdb_columns() where table_name = 'fct_a'")
        published_types = types.fetchall()
    with duckdb.connect(str(build_db), read_only=True) as con:
        built = read_marts(con)
        built_types = con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'fct_a'"
        ).fetchall()
    assert published["schemas"] == ["marts"], "no staging views, no main_ prefixes"
    assert published["builds"] == built["builds"] and published["rows"] == built["rows"]
    assert published_types == built_types
    assert table_comments == [("dim_c", None), ("fct_a", "One row per a; it's the grain"), ("fct_b", None)]
    assert column_comments == [("fct_a", "amount", "Paid, DECIMAL")]


def test_published_file_is_owner_only_and_nothing_is_left_beside_it(published: Path) -> None:
    assert mode(published) == 0o600
    assert sorted(path.name for path in published.parent.iterdir()) == ["build", "warehouse.duckdb"]


def test_published_header_holds_a_storage_version_duckdb_1_4_reads(published: Path, build_db: Path) -> None:
    """DuckDB's main header: an 8-byte checksum, `DUCK`, then the storage version as a little-endian
    uint64; DuckDB 1.4 opens versions 64 to 67 ("... but we can only read versions between 64 and 67")."""
    header = published.read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    (version,) = struct.unpack_from("<Q", header, 12)
    assert version == 67  # STORAGE_VERSION 'v1.4.0'
    assert version in READABLE_BY_DUCKDB_1_4 == range(64, 68)
    assert storage_version(published) == version
    if duckdb.__version__.startswith("2."):  # the build database is in the writer's own, newer format
        assert storage_version(build_db) not in READABLE_BY_DUCKDB_1_4


def test_duckdb_1_4_reads_the_published_marts(
    published: Path, build_db: Path, duckdb_1_4_python: Path, start_reader: Callable[..., Reader]
) -> None:
    reader = start_reader(published, python=duckdb_1_4_python)
    assert reader.ready == {"ready": "1.4.4"}
    answer = reader.send("read")
    assert answer["schemas"] == ["marts"]
    assert answer["builds"] == {mart: [1] for mart in MARTS}
    assert answer["rows"] == {"dim_c": 101, "fct_a": 201, "fct_b": 301}
    if duckdb.__version__.startswith("2."):  # what readers got before publishing existed
        refused = start_reader(build_db, python=duckdb_1_4_python).ready
        assert "we can only read versions between 64 and 67" in refused["error"]


# --- readers and the pipeline ------------------------------------------------------------------------


def test_a_connected_reader_does_not_fail_a_publish_and_keeps_answering(
    warehouse_dir: Path, build_db: Path, published: Path, start_reader: Callable[..., Reader]
) -> None:
    reader = start_reader(published)
    assert builds_seen(reader.send("read")) == {1}
    for build in (2, 3):
        write_build(build_db, build)
        publish_marts(build_db, published_path(warehouse_dir))
        assert builds_seen(reader.send("read")) == {1}, "the connection keeps the file it opened"
    assert reader.process.poll() is None


def test_a_reconnecting_reader_sees_the_new_marts(
    warehouse_dir: Path, build_db: Path, published: Path, start_reader: Callable[..., Reader]
) -> None:
    reader = start_reader(published)
    assert builds_seen(reader.send("read")) == {1}
    write_build(build_db, 2)
    publish_marts(build_db, published_path(warehouse_dir))
    answer = reader.send("reconnect")
    assert answer["builds"] == {mart: [2] for mart in MARTS}
    assert answer["rows"] == {"dim_c": 102, "fct_a": 202, "fct_b": 302}


def test_a_reader_never_sees_a_half_built_state(warehouse_dir: Path, build_db: Path, published: Path) -> None:
    """A reader connecting in a loop while builds 2..9 are published: every connection shows every
    mart, all from one build, and builds only move forward."""
    seen: list[tuple[frozenset[str], frozenset[int]]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read_in_a_loop() -> None:
        while not done.is_set():
            try:
                with duckdb.connect(str(published), read_only=True) as con:
                    answer = read_marts(con)
            except BaseException as error:  # collected, so the test fails with it
                errors.append(error)
                return
            builds = {build for per_mart in answer["builds"].values() for build in per_mart}
            seen.append((frozenset(answer["builds"]), frozenset(builds)))
            reading.set()

    reading = threading.Event()
    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        assert reading.wait(timeout=10), errors
        for build in range(2, 10):
            write_build(build_db, build)
            publish_marts(build_db, published_path(warehouse_dir))
    finally:
        done.set()
        reader.join(timeout=30)
    assert errors == []
    assert {tables for tables, _ in seen} == {frozenset(MARTS)}, "every mart, every time"
    assert [builds for _, builds in seen if len(builds) != 1] == [], "all marts from one build"
    order = [min(builds) for _, builds in seen]
    assert order == sorted(order), "a reader never goes back to an older build"
    assert len(set(order)) > 1, "the reader saw publishes happen"


# --- what fails publishes nothing ---------------------------------------------------------------------


def unchanged(path: Path) -> Callable[[], None]:
    before = (path.stat().st_ino, digest(path))

    def check() -> None:
        assert (path.stat().st_ino, digest(path)) == before, f"{path} was replaced"
        assert not list(path.parent.glob(f".{path.name}*")), "a temp file was left behind"

    return check


def test_a_publish_failing_half_way_leaves_the_previous_marts(
    warehouse_dir: Path, build_db: Path, published: Path, start_reader: Callable[..., Reader]
) -> None:
    """The last mart cannot be written in the 1.4 format (VARIANT needs 1.5): the marts copied before
    it never reach readers."""
    reader = start_reader(published)
    check = unchanged(published)
    write_build(build_db, 2, extra_sql=["create table marts.zz_variant as select 1::variant as v"])
    with pytest.raises(duckdb.Error, match="VARIANT"):
        publish_marts(build_db, published_path(warehouse_dir))
    check()
    assert builds_seen(reader.send("reconnect")) == {1}


def test_a_build_lacking_a_mart_publishes_nothing(
    warehouse_dir: Path, build_db: Path, published: Path
) -> None:
    check = unchanged(published)
    write_build(build_db, 2, marts=MARTS[:2], extra_sql=["drop table marts.fct_b"])
    with pytest.raises(PublishError, match=r"lacks 1 mart\(s\) \['fct_b'\]"):
        publish_marts(build_db, published_path(warehouse_dir), marts=MARTS)
    check()


def test_an_empty_build_database_publishes_nothing(warehouse_dir: Path, build_db: Path) -> None:
    with pytest.raises(PublishError, match="lacks all mart"):
        publish_marts(build_db, published_path(warehouse_dir))
    assert not published_path(warehouse_dir).exists()


def test_a_killed_publish_leaves_a_temp_file_the_next_publish_removes(
    warehouse_dir: Path, build_db: Path, published: Path
) -> None:
    temp = temp_path_for(published)
    temp.write_bytes(b"half a DuckDB file")
    temp.with_name(temp.name + ".wal").write_bytes(b"and its WAL")
    write_build(build_db, 2)
    publication = publish_marts(build_db, published_path(warehouse_dir))
    assert publication.stale_temp_removed
    assert sorted(path.name for path in warehouse_dir.iterdir()) == ["build", "warehouse.duckdb"]


def test_tables_of_removed_models_stay_unpublished(warehouse_dir: Path, build_db: Path) -> None:
    write_build(build_db, 1)
    publication = publish_marts(build_db, published_path(warehouse_dir), marts=["fct_a", "fct_b"])
    assert [mart.name for mart in publication.marts] == ["fct_a", "fct_b"]
    assert publication.left_out == ("dim_c",)


# --- in Dagster -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> Path:
    """The manifest the Definitions load (the build-time step, here only if nobody ran it yet)."""
    if not DBT_PROJECT.manifest_path.exists():
        prepare_dbt_manifest()
    return DBT_PROJECT.manifest_path


def test_publish_after_a_build_observes_every_mart_with_its_rows_and_the_cost(
    manifest: Path, warehouse_dir: Path, build_db: Path
) -> None:
    marts = project_marts(manifest)
    assert {"fct_appointments", "dim_patients", "rpt_provider_monthly"} <= set(marts)
    assert not any(name.startswith("stg_") or name.startswith("int_") for name in marts), "views stay private"
    write_build(build_db, 1, marts=sorted(marts))

    with dg.build_op_context() as context:
        observations = list(publish_build(context, warehouse_dir))

    assert {observation.asset_key for observation in observations} == set(marts.values())
    assert all(key.path[0] == "marts" for key in marts.values())
    metadata = {observation.asset_key.path[-1]: observation.metadata for observation in observations}
    assert (
        metadata["fct_appointments"]["dagster/row_count"].value
        == 100 * sorted(marts).index("fct_appointments") + 101
    )
    cost = metadata["dim_patients"]
    assert cost["publish_bytes"].value == published_path(warehouse_dir).stat().st_size
    assert 0 < float(cost["publish_seconds"].value) < 30  # type: ignore[arg-type]
    assert cost["storage_version"].value == 67


def test_a_failed_dbt_build_publishes_nothing(
    manifest: Path, warehouse_dir: Path, build_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook refresh's dbt op, with the real dbt CLI, on a build database whose incremental
    `fct_appointments` has columns other than the model's (`on_schema_change='fail'`): dbt fails,
    the op raises, and readers keep the marts published before."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_dir))
    write_build(build_db, 1, marts=sorted(project_marts(manifest)))
    check = unchanged(publish_marts(build_db, published_path(warehouse_dir)).path)
    events: list[Any] = []

    with dg.build_op_context() as context, pytest.raises(DagsterDbtCliRuntimeError, match="fct_appointments"):
        for event in build_downstream_models(
            context,
            streams=["appointments"],
            dbt=dbt_resource(["--quiet"]),
            warehouse=WarehouseConfig(warehouse_dir=str(warehouse_dir)),
        ):
            events.append(event)

    check()
    assert not [event for event in events if isinstance(event, dg.AssetObservation)], "no mart published"
