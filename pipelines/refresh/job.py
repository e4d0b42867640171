"""`webhook_refresh`, the Dagster job: drain the webhook inbox into the lake, then rebuild downstream.

The drain itself (coalescing events, re-reads by id, one MERGE per stream, release on failure) is
`pipelines.refresh.drain`; this module is its Dagster wiring. Before draining, the run recovers the
webhooks Healthie sent that never reached the inbox (`pipelines.refresh.recovery`, from
`sentWebhooks`) and drains them with the rest. If that read fails after the client's retries, the run
fails before claiming anything: the run retry (or the sensor's) heals it, and a failure that persists
is visible rather than a silent gap.

dbt runs in a second op so a failed build can be re-executed from failure without re-reading
anything; after a successful build the marts are published. The job carries `RUN_RETRY_TAGS`, and
runs both ops in the run's process (a change waits for no step process to start).
"""

# No `from __future__ import annotations`: Dagster reads the ops' config and resource annotations.

from collections.abc import Iterator
from functools import partial

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.assets.dbt import (
    DBT_PROJECT,
    WAREHOUSE_POOL,
    HealthieDbtTranslator,
    dbt_target,
    dbt_warehouse_dir,
    ensure_private_warehouse,
    project_marts,
    publish_build,
    refresh_build_args,
)
from pipelines.assets.extract import extract_asset_key
from pipelines.assets.publish import missing_marts
from pipelines.extract.change import merge_changes
from pipelines.refresh.config import DRAIN_OP_NAME, REFRESH_JOB_NAME, WebhookRefreshConfig
from pipelines.refresh.drain import DONE_RETENTION_SECONDS, HealthieByIdReader, drain_inbox
from pipelines.refresh.recovery import healthie_reader, recover_missed
from pipelines.resources import HealthieResource
from pipelines.retries import RUN_RETRY_TAGS
from pipelines.settings import WarehouseConfig
from pipelines.webhooks.inbox import Inbox, inbox_path


@dg.op(
    name=DRAIN_OP_NAME,
    out=dg.Out(list[str], description="Streams whose lake table got a change set."),
    description="Re-read the inbox's pending events by id and MERGE one change set per stream.",
)
def drain_webhook_inbox(
    context: dg.OpExecutionContext,
    config: WebhookRefreshConfig,
    healthie: HealthieResource,
    warehouse: WarehouseConfig,
) -> list[str]:
    with Inbox(inbox_path(warehouse.path)) as inbox:
        recovery = recover_missed(inbox, healthie_reader(healthie))
        context.log.info(recovery.summary())
        mark = config.high_water_mark
        if mark > 0 and recovery.enqueued:  # recovered events are newer than the sensor's mark
            mark = max(mark, inbox.pending().max_event_id or 0)
        result = drain_inbox(
            inbox,
            high_water_mark=mark,
            reader=HealthieByIdReader(healthie.client_settings()),
            merge=partial(merge_changes, retention=warehouse.history_retention),
            warehouse_dir=warehouse.path,
            lease_seconds=config.lease_seconds,
        )
        inbox.prune_done(DONE_RETENTION_SECONDS)
    for change in result.changes:
        context.log_event(
            dg.AssetMaterialization(
                asset_key=extract_asset_key(change.stream),
                description="Webhook refresh: re-read records MERGEd into the Delta table.",
                metadata={
                    "resources_reread": change.reread,
                    "deleted_in_source": change.deleted,
                    "inserted": change.outcome.merge.inserted,
                    "updated": change.outcome.merge.updated,
                    "deleted": change.outcome.merge.deleted,
                    "table_version": change.outcome.merge.version,
                    "sync_id": change.outcome.sync_id,
                    "path": dg.MetadataValue.path(str(change.outcome.path)),
                },
            )
        )
    context.add_output_metadata(
        {
            "high_water_mark": mark,
            **recovery.metadata(),
            "events_drained": result.events_drained,
            "resources_reread": result.resources_reread,
            "deleted": result.deleted,
            "streams_touched": ", ".join(result.streams) or "none",
        }
    )
    return result.streams


@dg.op(
    description="dbt build of the models downstream of the streams that changed (nothing if none), "
    "then the marts published to readers.",
    out={},
    pool=WAREHOUSE_POOL,
)
def build_downstream_models(
    context: dg.OpExecutionContext, streams: list[str], dbt: DbtCliResource, warehouse: WarehouseConfig
) -> Iterator[dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckEvaluation]:
    """Reports each rebuilt model as a materialization of its dbt asset, each dbt test as its check, and
    each published mart as an observation (rows, publish seconds and bytes).

    Runs in the warehouse pool: dbt's build database takes one writer, and publishes are one at a time,
    so this queues behind a nightly build. A failed build raises before publishing: the previous marts
    stay. If the build database lacks marts (its first build, e.g. after an upgrade), every model is
    built, so that what is published is always the complete set. dbt's unit tests are left out (they
    test the SQL, which a refresh does not change; the nightly build runs them), no JSON artifact is
    written, dbt reuses the warehouse's parse state (`dbt_target`) and runs in this process (the `dbt`
    resource): a refresh pays for the changed models and their tests (`refresh_build_args`), not for
    starting dbt.
    """
    if not streams:
        context.log.info("no stream changed; nothing to build")
        return
    warehouse_dir = dbt_warehouse_dir(warehouse)
    build_db = ensure_private_warehouse(warehouse_dir)
    marts = project_marts()
    missing = missing_marts(build_db, marts)
    if missing:
        context.log.warning(f"the build database lacks {len(missing)} mart(s); building every model once")
    args = refresh_build_args(None if missing else streams)
    with dbt_target(warehouse_dir) as target:
        invocation = dbt.cli(
            args,
            manifest=DBT_PROJECT.manifest_path,
            dagster_dbt_translator=HealthieDbtTranslator(),
            raise_on_error=True,
            target_path=target,
        )
        for event in invocation.stream():
            if isinstance(event, dg.AssetMaterialization | dg.AssetObservation | dg.AssetCheckEvaluation):
                yield event
    yield from publish_build(context, warehouse_dir, marts)


@dg.job(
    name=REFRESH_JOB_NAME,
    description="Drain the webhook inbox into lake change batches, then rebuild the affected dbt models.",
    run_tags=RUN_RETRY_TAGS,
    # Both steps in the run's own process: they run one after the other anyway, and a process per step
    # (Dagster's default executor) would import the definitions twice more, 2.5-3.5 s each.
    executor_def=dg.in_process_executor,
)
def webhook_refresh_job() -> None:
    build_downstream_models(drain_webhook_inbox())
