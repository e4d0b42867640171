"""dbt inside the step's process (`pipelines.assets.dbt_in_process`) behaves as the CLI process did.

Each build sees the lake as it is when it starts, leaves the build database and the lake's read lease
free when it returns, fails with dbt's error messages (never a record value), and stops when Dagster
interrupts it; one process runs build after build.
"""

from __future__ import annotations

import inspect
import json
import signal
import threading
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from dbt_harness import build_database, query
from lake_factory import CHANGES_AT, write_batch, write_unparseable_appointment

from pipelines.assets.dbt import (
    DBT_PROJECT,
    HealthieDbtCliResource,
    HealthieDbtTranslator,
    dbt_resource,
    refresh_build_args,
)
from pipelines.assets.dbt_in_process import InProcessDbt
from pipelines.files import file_lock
from pipelines.lake.table import read_lease_path

LATER = CHANGES_AT + timedelta(hours=1)
APPOINTMENTS_AND_DOWNSTREAM = refresh_build_args(["appointments"])


@pytest.fixture
def warehouse(warehouse_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built warehouse that dbt's profile points at (as Dagster's run environment does)."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_copy))
    return warehouse_copy


def invoke(warehouse_dir: Path, args: list[str], *, raise_on_error: bool = True) -> DbtCliInvocation:
    return dbt_resource().cli(
        args,
        manifest=DBT_PROJECT.manifest_path,
        dagster_dbt_translator=HealthieDbtTranslator(),
        target_path=warehouse_dir / "dbt" / "in-process",
        raise_on_error=raise_on_error,
    )


def status_of(warehouse_dir: Path, appointment_id: str) -> str | None:
    sql = f"select status from marts.fct_appointments where appointment_id = '{appointment_id}'"
    rows = query(warehouse_dir, sql)
    return rows[0][0] if rows else None


def test_the_resource_keeps_dagster_dbts_cli_signature() -> None:
    """`HealthieDbtCliResource.cli` restates dagster-dbt's `cli()` around the in-process dbt: an upgrade
    of dagster-dbt that changes it fails here, not in a nightly run."""
    assert inspect.signature(HealthieDbtCliResource.cli) == inspect.signature(DbtCliResource.cli)


def test_builds_in_one_process_each_see_the_lake_as_it_is_then(warehouse: Path) -> None:
    invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).wait()
    before = status_of(warehouse, "1001")
    write_batch(
        warehouse,
        "appointments",
        [{"id": "1001", "date": "2024-01-15 09:00:00 -0500", "pm_status": "Cancelled", "user_id": 1}],
        extracted_at=LATER,
        kind="change",
    )

    invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).wait()

    assert before != "Cancelled"
    assert status_of(warehouse, "1001") == "Cancelled"


def test_the_build_database_and_the_lake_lease_are_free_when_dbt_returns(warehouse: Path) -> None:
    events = list(invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).stream())

    assert events, "dagster-dbt turned dbt's results into Dagster events"
    with duckdb.connect(str(build_database(warehouse))) as writer:  # read-write: nobody else holds it
        assert writer.execute("select count(*) from marts.fct_appointments").fetchone()
    with file_lock(read_lease_path(warehouse / "lake"), timeout=0):  # VACUUM's exclusive lock
        pass


def test_a_failing_build_raises_with_dbt_errors_and_no_record_value(warehouse: Path) -> None:
    write_unparseable_appointment(warehouse, LATER)

    with pytest.raises(DagsterDbtCliRuntimeError) as raised:
        invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).wait()

    message = str(raised.value)
    assert "stg_healthie__appointments.starts_at: a value is not a Healthie timestamp" in message
    assert "next Tuesday" not in message
    assert status_of(warehouse, "1001") is not None  # the previous mart stands


def test_an_error_before_any_node_is_a_failed_invocation_with_its_message(warehouse: Path) -> None:
    invocation = invoke(warehouse, ["build", "--no-such-flag"], raise_on_error=False)

    assert not invocation.is_successful()
    assert invocation.process.returncode == 2
    assert "no-such-flag" in str(invocation.get_error())
    invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).wait()  # the process runs dbt again afterwards


def test_an_interrupt_stops_dbt_and_the_next_build_runs(warehouse: Path) -> None:
    project = str(DBT_PROJECT.project_dir)
    target = str(warehouse / "dbt" / "in-process")
    process = InProcessDbt(
        ["dbt", "build", "--target-path", target, "--project-dir", project, "--profiles-dir", project],
        cwd=DBT_PROJECT.project_dir,
    )
    for line in process.stdout:  # as the invocation reads it, up to the first node dbt starts
        if json.loads(line)["info"]["name"] == "LogStartLine":
            break
    reader = threading.Thread(target=process.stdout.read)
    reader.start()
    process.send_signal(signal.SIGINT)  # mid-build, as Dagster's run termination arrives

    assert process.wait(timeout=60) is not None, "dbt stopped"
    assert process.returncode != 0
    reader.join(timeout=10)
    process.stdout.close()
    invoke(warehouse, APPOINTMENTS_AND_DOWNSTREAM).wait()
