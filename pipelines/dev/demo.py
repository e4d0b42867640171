"""`make run`: the whole product against the Healthie sandbox, with no credentials.

1. starts the sandbox (seeded, realistic data) and the webhook receiver (a real uvicorn process);
2. runs `nightly_sync` in-process: every stream paged into the lake, then `dbt build` into the
   pipeline's private build database, and the marts published to `warehouse.duckdb`;
3. prints what landed and a few headline numbers from the published marts;
4. makes a few changes in the "Healthie" sandbox, which sends signed webhooks to the receiver;
5. lets the inbox sensor launch `webhook_refresh`, and prints the change as the marts now show it
   (read through a new connection: each publish replaces the file, and a reconnect sees it).

Against the real API the same jobs run under `dagster dev` / the scheduler with `HEALTHIE_API_URL`
and `HEALTHIE_API_KEY` set; this module is only the demo's conductor. It prints counts and ids, never
record contents.
"""

from __future__ import annotations

import io
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from healthie_sandbox.server import SandboxHandle, start_in_thread
from pipelines.assets.publish import published_path
from pipelines.dev.harness import receiver_process
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import lake_table
from pipelines.settings import build_warehouse_config, warehouse_dir_from_env

DEMO_SCALE = float(os.environ.get("DEMO_SCALE", "1"))
HEADLINES_SQL = Path(__file__).with_name("demo_headlines.sql")
#: The demo prints its own summary; Dagster's event log stays in the run (and `make dev` shows it).
QUIET_LOGS: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def say(message: str = "") -> None:
    """Print to the real terminal, even while a run's own output is being captured."""
    print(message, file=sys.__stdout__, flush=True)


@contextmanager
def sandbox_environment(sandbox: SandboxHandle, webhook_secret: str) -> Iterator[None]:
    """Point the product's configuration at the sandbox for the duration of the demo."""
    values = {
        "HEALTHIE_API_URL": sandbox.url,
        "HEALTHIE_API_KEY": sandbox.api_key,
        "HEALTHIE_WEBHOOK_SECRET": webhook_secret,
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def demo_instance() -> Iterator[dg.DagsterInstance]:
    """`$DAGSTER_HOME`'s instance when set (runs then show in `make dev`), else a temporary one."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
    else:
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance


def run_job(
    defs: dg.Definitions, name: str, instance: dg.DagsterInstance, **kwargs: Any
) -> dg.ExecuteInProcessResult:
    started = time.perf_counter()
    run_config = {**kwargs.pop("run_config", {}), **QUIET_LOGS}
    captured = io.StringIO()  # dbt's console lines: shown only when the run fails
    with redirect_stdout(captured):
        result = defs.resolve_job_def(name).execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_config, **kwargs
        )
    status = "succeeded" if result.success else "FAILED"
    say(f"  {name} {status} in {time.perf_counter() - started:.1f} s")
    if not result.success:
        say(captured.getvalue()[-4000:])
        for event in result.all_events:
            if event.is_failure and event.step_key:
                say(f"    step {event.step_key} failed: {event.message}")
        raise SystemExit(1)
    return result


def print_extract_summary(result: dg.ExecuteInProcessResult) -> None:
    say(f"  {'stream':<20}{'rows':>10}{'pages':>8}{'requests':>10}{'retries':>9}")
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization is None or materialization.asset_key.path[0] != "healthie":
            continue
        meta = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
        say(
            f"  {materialization.asset_key.path[-1]:<20}{meta.get('rows', ''):>10}{meta.get('pages', ''):>8}"
            f"{meta.get('requests', ''):>10}{meta.get('retries', ''):>9}"
        )
    checks = result.get_asset_check_evaluations()
    passed = sum(1 for check in checks if check.passed)
    say(f"  asset checks: {passed}/{len(checks)} passed (completeness vs ...Count queries and dbt tests)")


def print_publish_cost(result: dg.ExecuteInProcessResult) -> None:
    """What publishing the marts cost in a run (every mart's observation carries the same publish)."""
    published = [
        event.asset_observation_data.asset_observation.metadata
        for event in result.get_asset_observation_events()
        if "publish_seconds" in event.asset_observation_data.asset_observation.metadata
    ]
    if published:
        rows = sum(int(getattr(meta["dagster/row_count"], "value", 0)) for meta in published)
        size = int(getattr(published[0]["publish_bytes"], "value", 0))
        seconds = float(getattr(published[0]["publish_seconds"], "value", 0.0))
        say(f"  published {len(published)} marts ({rows} rows, {size / 1e6:.1f} MB) in {seconds:.2f} s")


def query_marts(warehouse_dir: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Read-only, like an analyst or a dashboard, on the published file (dbt never writes it)."""
    with duckdb.connect(str(published_path(warehouse_dir)), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def print_headlines(warehouse_dir: Path) -> None:
    for label, value in query_marts(warehouse_dir, HEADLINES_SQL.read_text()):
        say(f"  {label:<44}{value}")


def appointment_status(warehouse_dir: Path, appointment_id: str) -> str:
    rows = query_marts(
        warehouse_dir,
        "select coalesce(status, '(unset)') from marts.fct_appointments where appointment_id = ?",
        [appointment_id],
    )
    return str(rows[0][0]) if rows else "(not in marts)"


def entry_count(warehouse_dir: Path) -> int:
    return int(query_marts(warehouse_dir, "select count(*) from marts.fct_entries")[0][0])


def lake_value(warehouse_dir: Path, stream: str, row_id: str, field: str) -> str:
    """One field of one lake row (the extract's table, before dbt), or where the row is not."""
    spec = STREAMS_BY_NAME[stream]
    table = lake_table(warehouse_dir, stream, spec.arrow_schema).to_arrow().select(["id", field])
    values = [row[field] for row in table.to_pylist() if row["id"] == row_id]
    return str(values[0]) if values else "(not in the lake)"


def demonstrate_webhooks(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sandbox: SandboxHandle,
    webhook_url: str,
    secret: str,
    warehouse_dir: Path,
) -> None:
    control = sandbox.control()
    control.configure_webhooks(webhook_url, secret)
    appointment = next(
        row
        for row in control.truth("appointments")
        if row.get("pm_status") is None and not row.get("is_blocker")
    )
    appointment_id = str(appointment["id"])
    patient_id = appointment.get("user_id")
    before_status, before_entries = (
        appointment_status(warehouse_dir, appointment_id),
        entry_count(warehouse_dir),
    )

    claim_id = str(next(r for r in control.truth("claims") if r["status"] == "Submitted")["id"])
    draft_id = str(control.truth("invoice_previews")[0]["id"])
    before_claim = lake_value(warehouse_dir, "claims", claim_id, "status")

    say(f"  in Healthie: appointment {appointment_id} marked No-Show, a weight logged for its patient,")
    say(f"  claim {claim_id} paid by the payer, draft invoice {draft_id} sent")
    control.update("appointments", appointment_id, pm_status="No-Show")
    control.create(
        "entries", type="MetricEntry", category="Weight", metric_stat=81.4, poster={"id": patient_id}
    )
    control.update("claims", claim_id, status="Paid")
    control.update("invoice_previews", draft_id, is_preview=False)
    control.flush_webhooks()
    deliveries = control.webhook_deliveries()
    say(f"  sandbox sent {len(deliveries)} signed webhook(s) to the receiver")

    from pipelines.refresh.sensors import webhook_inbox_sensor

    context = dg.build_sensor_context(instance=instance, resources={"warehouse": build_warehouse_config()})
    evaluation = webhook_inbox_sensor(context)
    run_requests = list(getattr(evaluation, "run_requests", None) or [])
    if not run_requests:
        say(f"  sensor skipped: {getattr(evaluation, 'skip_reason', evaluation)}")
        raise SystemExit(1)
    request = run_requests[0]
    say(f"  sensor requested webhook_refresh (run_key {request.run_key})")
    started = time.perf_counter()
    print_publish_cost(run_job(defs, "webhook_refresh", instance, run_config=request.run_config))
    after_status, after_entries = (
        appointment_status(warehouse_dir, appointment_id),
        entry_count(warehouse_dir),
    )
    say(f"  marts.fct_appointments[{appointment_id}].status: {before_status} -> {after_status}")
    say(f"  marts.fct_entries rows: {before_entries} -> {after_entries}")
    after_claim = lake_value(warehouse_dir, "claims", claim_id, "status")
    sent = lake_value(warehouse_dir, "invoices", draft_id, "id")
    still_draft = lake_value(warehouse_dir, "invoice_previews", draft_id, "id")
    say(f"  lake claims[{claim_id}].status: {before_claim} -> {after_claim}")
    say(f"  lake invoice {draft_id}: invoices {sent}, invoice_previews {still_draft}")
    say(f"  webhook to fresh marts: {time.perf_counter() - started:.1f} s after the sensor fired")


def main() -> int:
    warehouse_dir = warehouse_dir_from_env()
    warehouse_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_hex(16)
    say(f"healthie-warehouse demo: warehouse at {warehouse_dir}")
    say(f"1. starting the Healthie sandbox (scale {DEMO_SCALE:g}) and the webhook receiver")
    with (
        start_in_thread(scale=DEMO_SCALE) as sandbox,
        sandbox_environment(sandbox, secret),
        receiver_process(warehouse_dir, secret) as receiver,
    ):
        say(f"  sandbox {sandbox.url}   receiver {receiver.webhook_url}")
        from pipelines.definitions import defs  # after the environment points at the sandbox

        with demo_instance() as instance:
            say("2. nightly_sync: every stream into the lake, then dbt build")
            result = run_job(defs, "nightly_sync", instance)
            print_extract_summary(result)
            print_publish_cost(result)
            say("3. the marts (read-only, as an analyst sees them)")
            print_headlines(warehouse_dir)
            say("4. a change in Healthie -> signed webhook -> receiver -> sensor -> webhook_refresh")
            demonstrate_webhooks(defs, instance, sandbox, receiver.webhook_url, secret, warehouse_dir)
    say(f"done. The marts are in {published_path(warehouse_dir)} (README: Querying the warehouse)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
