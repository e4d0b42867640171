"""How long the dbt build takes on a big lake, full and after a 1% change, and what dbt itself costs.

A synthetic lake (1M appointments, 2M entries and proportionate other streams; `--quick` divides by 10)
is generated with DuckDB (bench/sql/lake.sql) and written as the lake's Delta tables, one per stream
holding its current state (`deltalake`, with the lake's own table settings). The same transformations
as one plain DuckDB script (bench/sql/transform.sql), reading the same current version's data files,
are the baseline: `dbt run` / plain SQL is dbt's own overhead (goal <= 1.2x); `dbt build` adds the tests
on top. dbt is timed as the product runs it: inside the Dagster step's process, which has imported dbt
to load the definitions (`bench.dbt_step`: a fresh process per figure, timed from the call); the dbt
CLI process (`dbt run`, start-up included), which the product ran before, is the other baseline.
Like with like: the script restates the marts of the seven streams the synthetic lake fills
(`RESTATED_MARTS`), so dbt builds exactly those and what they read (`--select +<mart> ...`; the one
extra is dim_form_templates, which rpt_form_templates reads, over an empty stream), not the claim,
invoice, care-plan, goal, task and document marts whose streams the bench leaves empty; its tests
are the ones on those models only (`--indirect-selection cautious`); like the product's builds it
writes no JSON artifacts (`--no-write-json`). The refresh line is what a
webhook refresh runs after a 1% change set MERGEd into the appointments and entries tables (new
versions, and a tenth of those deleted): the incremental build of the models reading the changed
streams, without the tests that re-scan the whole lake. The last line is one webhook at this size: one
appointment re-read, its MERGE, then the refresh's build. Each figure is the best of `REPEATS` runs
(the machine is shared, timings are noisy); Dagster's own bookkeeping of the step (its events) and
publishing the marts are not counted.

    python -m bench dbt [--quick]        or        python -m bench.dbt_bench [--quick]
"""

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from deltalake import write_deltalake

from pipelines.assets.dbt import (
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    NO_JSON_ARTIFACTS,
    dbt_build_args,
    refresh_build_args,
)
from pipelines.files import ensure_dir
from pipelines.healthie.streams import STREAMS, STREAMS_BY_NAME
from pipelines.lake.layout import BatchId, BatchKind, lake_table
from pipelines.lake.table import LakeTable, deletions

SQL_DIR = Path(__file__).parent / "sql"
REPEATS = 2
GOAL_RATIO = 1.2
CHANGED_STREAMS = ("appointments", "entries")
#: dbt's database under $WAREHOUSE_DIR (dbt_project/profiles.yml).
BUILD_DATABASE = Path("build") / "warehouse.duckdb"
#: Version history the bench tables keep (nothing here runs maintenance).
RETENTION = timedelta(days=7)
#: The marts bench/sql/transform.sql builds: dbt builds these and their parents, nothing else (and, as
#: the product's builds, writes no JSON artifacts).
RESTATED_MARTS = (
    "fct_appointments",
    "fct_billing_items",
    "fct_entries",
    "fct_form_answer_groups",
    "fct_form_answers",
    "dim_patients",
    "dim_providers",
    "dim_appointment_types",
    "rpt_provider_monthly",
    "rpt_patient_weekly",
    "rpt_form_templates",
    "rpt_revenue_daily",
)
RESTATED_SELECTION = ["--select", " ".join(f"+{mart}" for mart in RESTATED_MARTS), NO_JSON_ARTIFACTS]
#: Tests on the selected models only (the default, eager, also picks a relationship test of a mart
#: the bench does not build, e.g. fct_claims -> dim_patients, which then fails on the missing table).
CAUTIOUS_TESTS = ["--indirect-selection", "cautious"]
#: The first id of each changed stream in bench/sql/lake.sql (ids are disjoint ranges).
FIRST_IDS = {"appointments": 1_000_000, "entries": 5_000_000}


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


class LakeWriter:
    """Writes the synthetic lake's Delta tables from the table macros of bench/sql/lake.sql."""

    def __init__(self, warehouse_dir: Path) -> None:
        self.warehouse_dir = warehouse_dir
        self.connection = duckdb.connect()
        self.connection.execute((SQL_DIR / "lake.sql").read_text(encoding="utf-8"))

    def table(self, stream: str) -> LakeTable:
        return lake_table(self.warehouse_dir, stream, STREAMS_BY_NAME[stream].arrow_schema)

    def rows(self, stream: str, query: str, params: Sequence[object]) -> pa.RecordBatchReader:
        """`query`'s rows as the stream's Arrow schema (every column nullable, as the lake's tables)."""
        schema = pa.schema([field.with_nullable(True) for field in STREAMS_BY_NAME[stream].arrow_schema])
        reader = self.connection.sql(query, params=list(params)).to_arrow_reader()
        return pa.RecordBatchReader.from_batches(schema, (batch.cast(schema) for batch in reader))

    def load(self, stream: str, query: str, params: Sequence[object], at: datetime) -> None:
        """A stream's first full pull: `query` (ending in the `extracted_at, sync_id` parameters) appended
        to its new table as one commit; the lake's MERGE would insert every row all the same."""
        table = self.table(stream)
        batch = BatchId.new(BatchKind.FULL, at)
        with table.write_lock():
            table.create(RETENTION)
            write_deltalake(
                str(table.path), self.rows(stream, query, [*params, at, batch.value]), mode="append"
            )

    def merge_changes(
        self, stream: str, query: str, params: Sequence[object], at: datetime, *, records: int, every: int
    ) -> None:
        """A webhook change set: `query`'s re-read rows and the ids of the stream's `records` that the
        change deletes (one in `10 * every`), MERGEd as one commit."""
        table = self.table(stream)
        batch = BatchId.new(BatchKind.CHANGE, at)
        upserts = self.rows(stream, query, [*params, at, batch.value]).read_all()
        gone = self.connection.sql(
            "select id from changed_deleted_ids(?, ?, ?)",
            params=[FIRST_IDS[stream], records, every],
        ).fetchall()
        with table.write_lock():
            table.merge(
                upserts,
                deletions([row[0] for row in gone], at),
                retention=RETENTION,
                refresh_unchanged=True,
                batch_id=batch.value,
            )

    def full_sync(self, sizes: Sizes, at: datetime) -> None:
        s = sizes
        self.load(
            "appointments",
            "select * from lake_appointments(?, ?, ?, ?, ?, ?)",
            [s.appointments, s.patients, s.providers, s.appointment_types],
            at,
        )
        self.load("entries", "select * from lake_entries(?, ?, ?, ?)", [s.entries, s.patients], at)
        self.load("patients", "select * from lake_patients(?, ?, ?, ?)", [s.patients, s.providers], at)
        self.load("providers", "select * from lake_providers(?, ?, ?)", [s.providers], at)
        self.load(
            "appointment_types", "select * from lake_appointment_types(?, ?, ?)", [s.appointment_types], at
        )
        self.load(
            "billing_items",
            "select * from lake_billing_items(?, ?, ?, ?, ?)",
            [s.billing_items, s.patients, s.providers],
            at,
        )
        self.load(
            "form_answer_groups",
            "select * from lake_form_answer_groups(?, ?, ?, ?, ?)",
            [s.form_answer_groups, s.patients, s.providers],
            at,
        )

    def one_change(self, sizes: Sizes, at: datetime) -> None:
        """A webhook's change set: one appointment re-read with a new status, nothing deleted (the
        change macros pick ids divisible by `every` but not by ten times it: here only the middle one)."""
        middle = FIRST_IDS["appointments"] + sizes.appointments // 2
        s = sizes
        self.merge_changes(
            "appointments",
            "select * from change_appointments(?, ?, ?, ?, ?, ?, ?)",
            [s.appointments, s.patients, s.providers, s.appointment_types, middle],
            at,
            records=s.appointments,
            every=middle,
        )

    def change_batch(self, sizes: Sizes, at: datetime) -> None:
        s = sizes
        self.merge_changes(
            "appointments",
            "select * from change_appointments(?, ?, ?, ?, ?, ?, ?)",
            [s.appointments, s.patients, s.providers, s.appointment_types, s.change_every],
            at,
            records=s.appointments,
            every=s.change_every,
        )
        self.merge_changes(
            "entries",
            "select * from change_entries(?, ?, ?, ?, ?)",
            [s.entries, s.patients, s.change_every],
            at,
            records=s.entries,
            every=s.change_every,
        )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best_of(action: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    """The fastest of `REPEATS` timings of `action`, each after an untimed `before`."""
    return best_reported(lambda: timed(action), before)


def best_reported(measure: Callable[[], float], before: Callable[[], object] = lambda: None) -> float:
    """The least of `REPEATS` figures `measure` reports, each after an untimed `before`."""
    figures = []
    for _ in range(REPEATS):
        before()
        figures.append(measure())
    return min(figures)


def dbt_in_step(args: list[str], artifacts: Path) -> float:
    """Seconds of one dbt invocation as the Dagster step runs it (`bench.dbt_step`, a fresh process);
    one target dir for partial parsing."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.dbt_step", str(artifacts / "target"), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return float(completed.stdout.strip().splitlines()[-1])


def run_dbt(args: list[str], artifacts: Path) -> None:
    """The dbt CLI process on the project, run inside dbt_project/ as dagster-dbt ran it before (the
    profile reads WAREHOUSE_DIR); one target dir for partial parsing."""
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


def lake_files(warehouse_dir: Path) -> dict[str, list[str]]:
    """The data files of every stream's current table version (what dbt's `delta_files()` returns)."""
    return {spec.name: lake_table(warehouse_dir, spec.name, spec.arrow_schema).files() for spec in STREAMS}


def run_plain_sql(warehouse_dir: Path, database: Path) -> None:
    with duckdb.connect(str(database)) as connection:
        connection.execute("set variable lake_files = ?", [lake_files(warehouse_dir)])
        connection.execute((SQL_DIR / "transform.sql").read_text(encoding="utf-8"))


def mart_counts(database: Path) -> dict[str, int]:
    """Rows per restated mart (DuckDB keeps exact counts of its own tables)."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.sql(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
    return {name: size for name, size in rows if name in RESTATED_MARTS}


@dataclass(frozen=True)
class Step:
    """One line of the report: seconds for `dbt build` and `dbt run` in the step's process, `dbt run` as
    a CLI process, and the plain SQL script."""

    label: str
    build: float
    run: float
    run_cli: float
    plain: float


@dataclass(frozen=True)
class Measurements:
    generate: float
    full: Step
    refresh: Step
    marts_agree: bool
    whole_project: float
    """`dbt run --full-refresh` of every model, the new streams' ones too (the bench before issue 12)."""
    webhook_merge: float
    """MERGE of one re-read appointment into the table (a webhook refresh's change set)."""
    webhook_build: float
    """The refresh's dbt build after it, in the step's process."""


def measure(sizes: Sizes, root: Path) -> Measurements:
    warehouse_dir, artifacts, plain_db = root / "warehouse", root / "dbt", root / "plain.duckdb"
    os.environ["WAREHOUSE_DIR"] = str(warehouse_dir)  # read by dbt's profile in the dbt subprocess
    ensure_dir(warehouse_dir / BUILD_DATABASE.parent)  # as Dagster does before dbt runs
    writer = LakeWriter(warehouse_dir)

    generate = timed(lambda: writer.full_sync(sizes, datetime.now(UTC) - timedelta(hours=1)))
    run_dbt(["parse"], artifacts)  # parsed once, as the deploy-time `prepare` step does
    full_run = ["run", "--full-refresh", *RESTATED_SELECTION]
    full = Step(
        "full",
        run=best_reported(lambda: dbt_in_step(full_run, artifacts)),
        build=best_reported(
            lambda: dbt_in_step(
                [*dbt_build_args(full_refresh=True), *RESTATED_SELECTION, *CAUTIOUS_TESTS], artifacts
            )
        ),
        run_cli=best_of(lambda: run_dbt(full_run, artifacts)),
        plain=best_of(lambda: run_plain_sql(warehouse_dir, plain_db)),
    )
    marts_agree = mart_counts(warehouse_dir / BUILD_DATABASE) == mart_counts(plain_db)
    whole_project = best_of(lambda: run_dbt(["run", "--full-refresh"], artifacts))

    def change() -> None:
        writer.change_batch(sizes, datetime.now(UTC))

    refresh_args = refresh_build_args(CHANGED_STREAMS)
    refresh_run = ["run", *RESTATED_SELECTION]
    refresh = Step(
        f"refresh after a {100 / sizes.change_every:g}% change",
        build=best_reported(lambda: dbt_in_step(refresh_args, artifacts), before=change),
        run=best_reported(lambda: dbt_in_step(refresh_run, artifacts), before=change),
        run_cli=best_of(lambda: run_dbt(refresh_run, artifacts), before=change),
        plain=best_of(lambda: run_plain_sql(warehouse_dir, plain_db), before=change),  # rebuilds it all
    )

    merges: list[float] = []

    def change_one() -> None:
        merges.append(timed(lambda: writer.one_change(sizes, datetime.now(UTC))))

    webhook_build = best_reported(
        lambda: dbt_in_step(refresh_build_args(["appointments"]), artifacts), before=change_one
    )
    return Measurements(generate, full, refresh, marts_agree, whole_project, min(merges), webhook_build)


def ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}x" if denominator else "-"


def report(sizes: Sizes, m: Measurements) -> None:
    print(
        f"lake: {sizes.appointments:,} appointments, {sizes.entries:,} entries, "
        f"{sizes.billing_items:,} payments, {sizes.form_answer_groups:,} forms, {sizes.patients:,} patients "
        f"(written in {m.generate:.1f} s)"
    )
    print("dbt build, dbt run: in the Dagster step's process, as the product runs dbt; dbt CLI: a process")
    header = ("", "dbt build", "dbt run", "dbt CLI run", "plain SQL", "run/plain", "CLI/plain", "build/plain")
    print(f"{header[0]:<38}" + "".join(f"{title:>12}" for title in header[1:]))
    for step in (m.full, m.refresh):
        cells = (f"{step.build:.1f} s", f"{step.run:.1f} s", f"{step.run_cli:.1f} s", f"{step.plain:.1f} s")
        ratios = (
            ratio(step.run, step.plain),
            ratio(step.run_cli, step.plain),
            ratio(step.build, step.plain),
        )
        print(f"{step.label:<38}" + "".join(f"{cell:>12}" for cell in (*cells, *ratios)))
    print(f"refresh build / full build: {ratio(m.refresh.build, m.full.build)}")
    print(
        f"one appointment changed (a webhook's refresh at this size): MERGE {m.webhook_merge:.2f} s "
        f"(the table's files holding it are rewritten), then dbt build {m.webhook_build:.1f} s in the step"
    )
    print(f"plain SQL builds marts of the same sizes as dbt: {'yes' if m.marts_agree else 'NO'}")
    verdict = "met" if m.full.run <= GOAL_RATIO * m.full.plain else "MISSED"
    print(f"goal dbt run / plain <= {GOAL_RATIO:g}x (full): {verdict} ({ratio(m.full.run, m.full.plain)})")
    print(
        f"baselines: dbt run as a CLI process {ratio(m.full.run_cli, m.full.plain)}; the same, of the whole "
        f"project (empty streams' models too), as before issue 12: {m.whole_project:.1f} s = "
        f"{ratio(m.whole_project, m.full.plain)} the script"
    )


def main(argv: Sequence[str] | None = None) -> None:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    sizes = Sizes().scaled(10) if quick else Sizes()
    with tempfile.TemporaryDirectory(prefix="dbt-bench-") as tmp:
        measurements = measure(sizes, Path(tmp))
    report(sizes, measurements)


if __name__ == "__main__":
    main()
