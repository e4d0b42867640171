"""The dbt side of the lake contract agrees with the stream specs in pipelines/healthie/streams.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest
import yaml
from lake_factory import FULL_SYNC_AT, write_batch

from pipelines import lake_schema
from pipelines.assets.dbt import DBT_PROJECT_DIR
from pipelines.healthie.streams import STREAMS, StreamSpec
from pipelines.lake.layout import lake_table

SOURCES_YML = DBT_PROJECT_DIR / "models" / "staging" / "healthie" / "_healthie__sources.yml"
LAKE_SCHEMA_MACRO = DBT_PROJECT_DIR / "macros" / "healthie" / "lake_schema.sql"


class _Returned(Exception):
    """dbt's `return()` leaves a macro with a value; plain Jinja has no such thing."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _raise_returned(value: Any) -> None:
    raise _Returned(value)


def macro_lake_columns(stream: str) -> list[tuple[str, str]]:
    """What `healthie_lake_columns(stream)` returns, rendered with plain Jinja."""
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    environment.globals["return"] = _raise_returned
    module: Any = environment.from_string(LAKE_SCHEMA_MACRO.read_text(encoding="utf-8")).module
    with pytest.raises(_Returned) as returned:
        module.healthie_lake_columns(stream)
    return [(name, data_type) for name, data_type in returned.value.value]


def arrow_as_duckdb(spec: StreamSpec) -> list[tuple[str, str]]:
    """The DuckDB types DuckDB gives the lake's data files, written with the spec's Arrow schema."""
    with duckdb.connect() as connection:
        connection.register("lake_rows", spec.arrow_schema.empty_table())
        return [(row[0], row[1]) for row in connection.sql("describe select * from lake_rows").fetchall()]


def test_the_committed_lake_schema_macro_is_the_generated_one() -> None:
    """One source: the macro is generated from the specs (`make lake-schema`), never edited by hand."""
    assert LAKE_SCHEMA_MACRO == lake_schema.MACRO_PATH
    assert LAKE_SCHEMA_MACRO.read_text(encoding="utf-8") == lake_schema.render()


@pytest.mark.parametrize("spec", STREAMS, ids=lambda spec: spec.name)
def test_lake_schema_macro_matches_the_arrow_schema(spec: StreamSpec) -> None:
    assert macro_lake_columns(spec.name) == arrow_as_duckdb(spec)


@pytest.mark.parametrize("spec", STREAMS, ids=lambda spec: spec.name)
def test_lake_schema_macro_matches_what_dbt_reads_from_the_delta_table(
    spec: StreamSpec, tmp_path: Path
) -> None:
    """The data files of a table the lake's MERGE wrote, read as staging reads them."""
    write_batch(tmp_path, spec.name, [{"id": "1"}], extracted_at=FULL_SYNC_AT)
    files = lake_table(tmp_path, spec.name, spec.arrow_schema).files()
    with duckdb.connect() as connection:
        described = connection.execute(
            "describe select * from read_parquet(?, union_by_name = true)", [files]
        ).fetchall()
    assert macro_lake_columns(spec.name) == [(row[0], row[1]) for row in described]


def test_every_stream_is_a_source_keyed_like_its_extract_asset() -> None:
    sources = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))["sources"]
    healthie = next(source for source in sources if source["name"] == "healthie")
    tables = {table["name"]: table for table in healthie["tables"]}
    assert sorted(tables) == sorted(spec.name for spec in STREAMS)
    for name, table in tables.items():
        assert table["config"]["meta"]["dagster"]["asset_key"] == ["healthie", name]
        documented = [column["name"] for column in table["columns"]]
        assert documented == [name for name, _ in macro_lake_columns(name)]
    location = healthie["config"]["meta"]["external_location"]
    assert location == "read_parquet(delta_files('{lake_root}/{name}'), union_by_name = true)"
