"""How long the dbt build takes on a big lake, full and after a 1% change, and what dbt itself costs.

A synthetic lake (1M appointments, 2M entries and proportionate other streams; `--quick` divides by 10)
is generated with DuckDB straight to Parquet in the shared layout (bench/sql/lake.sql). The same
transformations as one plain DuckDB script (bench/sql/transform.sql) are the baseline: `dbt run` / plain
SQL is dbt's own overhead (goal <= 1.5x); `dbt build` adds the tests on top. The refresh line is what a
webhook refresh runs after a 1% change batch: the incremental build of the models reading the changed
streams, without the tests that re-scan the whole lake. Each figure is the best of `REPEATS` runs (the
machine is shared, timings are noisy); Dagster's DbtCliResource adds about 2 s per invocation on top.

    python -m bench dbt [--quick]        or        python -m bench.dbt_bench [--quick]
"""

import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.assets.dbt import DBT_EXECUTABLE, DBT_PROJECT_DIR, dbt_build_args

SQL_DIR = Path(__file__).parent / "sql"
REPEATS = 2
CHANGED_STREAMS = ("appointments", "entries")


@dataclass(frozen=True)
class Sizes:
    appointments: int = 1_000_000
    entries: int = 2_000_000
    patients: int = 20_000
    providers: int = 200
    appointment_types: int = 20
    billing_items: int = 200_000
    form_answer_groups: int = 50_000
    change_every: int = 100
    """One id in this many gets a new version in the change batch (1%)."""

    def scaled(self, divisor: int) -> "Sizes":
        return replace(
            self,
            appointments=self.appointments // divisor,
            entries=self.entries // divisor,
            patients=self.patients // divisor,
            billing_items=self.billing_items // divisor,
            form_answer_groups=self.form_answer_groups // divisor,
        )


def batch_id(started_at: datetime, kind: str) -> str:
    return f"{started_at:%Y%m%dT%H%M%S%f}Z-{kind}-{secrets.token_hex(4)}"


class LakeWriter:
    """Writes batches of the synthetic lake with the table macros of bench/sql/lake.sql."""

    def __init__(self, warehouse_dir: Path) -> None:
        self.lake = warehouse_dir / "lake" / "healthie"
        self.connection = duckdb.connect()
        self.connection.execute((SQL_DIR / "lake.sql").read_text(encoding="utf-8"))

    def write(self, stream: str, query: str, params: Sequence[object], at: datetime, kind: str) -> None:
        """One batch: `query` (ending in the `extracted_at, sync_id` parameters) to a Parquet part."""
        sync_id = batch_id(at, kind)
        folder = self.lake / stream / sync_id
        folder.mkdir(parents=True)
        temp, final = folder / ".part-00000.parquet.tmp", folder / "part-00000.parquet"
        self.connection.sql(query, params=[*params, at, sync_id]).write_parquet(str(temp))
        temp.rename(final)

    def full_sync(self, sizes: Sizes, at: datetime) -> None:
        s = sizes
        self.write(
            "appointments",
            "select * from lake_appointments(?, ?, ?, ?, ?, ?)",
            [s.appointments, s.patients, s.providers, s.appointment_types],
            at,
            "full",
        )
        self.write("entries", "select * from lake_entries(?, ?, ?, ?)", [s.entries, s.patients], at, "full")
        self.write(
            "patients", "select * from lake_patients(?, ?, ?, ?)", [s.patients, s.providers], at, "full"
        )
        self.write("providers", "select * from lake_providers(?, ?, ?)", [s.providers], at, "full")
        self.write(
            "appointment_types",
            "select * from lake_appointment_types(?, ?, ?)",
            [s.appointment_types],
            at,
            "full",
        )
        self.write(
            "billing_items",
            "select * from lake_billing_items(?, ?, ?, ?, ?)",
            [s.billing_items, s.patients, s.providers],
            at,
            "full",
        )
        self.write(
            "form_answer_groups",
            "select * from lake_form_answer_groups(?, ?, ?, ?, ?)",
            [s.form_answer_groups, s.patients, s.providers],
            at,
            "full",
        )

    def change_batch(self, sizes: Sizes, at: datetime) -> None:
        s = sizes
        self.write(
            "appointments",
            "select * from change_appointments(?, ?, ?, ?, ?, ?, ?)",
            [s.appointments, s.patients, s.providers, s.appointment_types, s.change_every],
            at,
            "change",
        )
        self.write(
            "entries",
            "select * from change_entries(?, ?, ?, ?, ?)",
            [s.entries, s.patients, s.change_every],
            at,
            "change",
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best_of(action: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    """The fastest of `REPEATS` timings of `action`, each after an untimed `before`."""
    timings = []
    for _ in range(REPEATS):
        before()
        timings.append(timed(action))
    return min(timings)


def run_dbt(args: list[str], artifacts: Path) -> None:
    """The dbt CLI on the project, run inside dbt_project/ as Dagster runs it (the profile reads
    WAREHOUSE_DIR); one target dir for partial parsing."""
    subprocess.run(
        [
            DBT_EXECUTABLE,
            "--quiet",
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(artifacts / "target"),
            "--log-path",
            str(artifacts / "logs"),
        ],
        check=True,
        cwd=DBT_PROJECT_DIR,
    )


def run_plain_sql(warehouse_dir: Path, database: Path) -> None:
    with duckdb.connect(str(database)) as connection:
        connection.execute("set variable lake_root = ?", [str(warehouse_dir / "lake" / "healthie")])
        connection.execute((SQL_DIR / "transform.sql").read_text(encoding="utf-8"))


def mart_counts(database: Path) -> dict[str, int]:
    """Rows per mart table (DuckDB keeps exact counts of its own tables)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    return {name: size for name, size in rows}


@dataclass(frozen=True)
class Step:
    """One line of the report: seconds for `dbt build`, `dbt run` and the plain SQL script."""

    label: str
    build: float
    run: float
    plain: float


@dataclass(frozen=True)
class Measurements:
    generate: float
    full: Step
    refresh: Step
    marts_agree: bool


def measure(sizes: Sizes, root: Path) -> Measurements:
    warehouse_dir, artifacts, plain_db = root / "warehouse", root / "dbt", root / "plain.duckdb"
    os.environ["WAREHOUSE_DIR"] = str(warehouse_dir)  # read by dbt's profile in the dbt subprocess
    writer = LakeWriter(warehouse_dir)

    generate = timed(lambda: writer.full_sync(sizes, datetime.now(UTC) - timedelta(hours=1)))
    run_dbt(["parse"], artifacts)  # parsed once, as the deploy-time `prepare` step does
    full = Step(
        "full",
        run=best_of(lambda: run_dbt(["run", "--full-refresh"], artifacts)),
        build=best_of(lambda: run_dbt(dbt_build_args(full_refresh=True), artifacts)),
        plain=best_of(lambda: run_plain_sql(warehouse_dir, plain_db)),
    )
    marts_agree = mart_counts(warehouse_dir / "warehouse.duckdb") == mart_counts(plain_db)

    def change() -> None:
        writer.change_batch(sizes, datetime.now(UTC))

    refresh_args = dbt_build_args(streams=CHANGED_STREAMS, skip_lake_scans=True)
    refresh = Step(
        f"refresh after a {100 / sizes.change_every:g}% change",
        build=best_of(lambda: run_dbt(refresh_args, artifacts), before=change),
        run=best_of(lambda: run_dbt(["run"], artifacts), before=change),
        plain=best_of(lambda: run_plain_sql(warehouse_dir, plain_db), before=change),  # rebuilds it all
    )
    return Measurements(generate, full, refresh, marts_agree)


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "-"


def report(sizes: Sizes, m: Measurements) -> None:
    print(
        f"lake: {sizes.appointments:,} appointments, {sizes.entries:,} entries, "
        f"{sizes.billing_items:,} payments, {sizes.form_answer_groups:,} forms, {sizes.patients:,} patients "
        f"(written in {m.generate:.1f} s)"
    )
    header = ("", "dbt build", "dbt run", "plain SQL", "run/plain", "build/plain")
    print(f"{header[0]:<38}" + "".join(f"{title:>12}" for title in header[1:]))
    for step in (m.full, m.refresh):
        cells = (f"{step.build:.1f} s", f"{step.run:.1f} s", f"{step.plain:.1f} s")
        ratios = (ratio(step.run, step.plain), ratio(step.build, step.plain))
        print(f"{step.label:<38}" + "".join(f"{cell:>12}" for cell in (*cells, *ratios)))
    print(f"refresh build / full build: {ratio(m.refresh.build, m.full.build)}")
    print(f"plain SQL builds marts of the same sizes as dbt: {'yes' if m.marts_agree else 'NO'}")


def main(argv: Sequence[str] | None = None) -> None:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    sizes = Sizes().scaled(10) if quick else Sizes()
    with tempfile.TemporaryDirectory(prefix="dbt-bench-") as tmp:
        measurements = measure(sizes, Path(tmp))
    report(sizes, measurements)


if __name__ == "__main__":
    main()
