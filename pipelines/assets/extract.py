"""Extract assets: one asset per StreamSpec, materialized together by one multi-asset step.

All streams of a run are pulled in one process and one event loop so they share one client and one
rate limiter (HEALTHIE_RATE_LIMIT_RPS is a budget for the whole run, not per stream). The step can be
subset: selecting `healthie/appointments` alone syncs only that stream. A stream that fails does not
stop the others; their materializations are reported and the step then fails naming the failures.
Each stream's materialization carries the lake table's health (version, rows, files, bytes), and
the step evaluates the stream's checks (assets/checks.py) from what it just committed, so a webhook
change landing between the extraction and the check cannot stand in for the full sync's figures.
The `healthie` resource only hands out the client's settings; the step calls the sync engine
(`pipelines.extract.sync.run_sync`).

When a stream failed for a reason a later attempt could fix, the step retries itself
(`EXTRACT_RETRY_POLICY`, pipelines/retries.py): unfinished streams resume from their checkpoints,
streams already materialized by this run (or, in an automatic run retry, by the run it retries) are
skipped. A failure no retry can fix (an invalid query, a refused key) fails the step at once.
"""

# No `from __future__ import annotations`: Dagster inspects these annotations at definition time.
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from pipelines.assets.checks import check_specs, evaluate_checks
from pipelines.extract.options import DEFAULT_HISTORY_START, StreamResult, SyncOptions
from pipelines.extract.sync import run_sync
from pipelines.healthie.errors import retry_may_help
from pipelines.healthie.streams import STREAMS, StreamSpec
from pipelines.resources import HealthieResource
from pipelines.retries import EXTRACT_RETRY_POLICY
from pipelines.settings import WarehouseConfig

GROUP = "healthie_extract"
KINDS = {"healthie", "delta"}


def extract_asset_key(stream: str) -> dg.AssetKey:
    """`["healthie", <stream>]`: the key dbt sources and checks point at."""
    return dg.AssetKey(["healthie", stream])


class ExtractConfig(dg.Config):
    """Run-config knobs of a full sync; the defaults are `SyncOptions`' own (they suit production)."""

    history_start: str = DEFAULT_HISTORY_START.date().isoformat()
    future_days: int = SyncOptions.future_days
    window_concurrency: int = SyncOptions.window_concurrency
    min_window_pages: int = SyncOptions.min_window_pages
    page_size: int | None = SyncOptions.page_size
    max_passes: int = SyncOptions.max_passes
    rows_per_file: int = SyncOptions.rows_per_file
    resume: bool = SyncOptions.resume
    resume_max_age_hours: float = SyncOptions.resume_max_age.total_seconds() / 3600

    def to_options(self) -> SyncOptions:
        return SyncOptions(
            history_start=datetime.fromisoformat(self.history_start).replace(tzinfo=UTC),
            future_days=self.future_days,
            window_concurrency=self.window_concurrency,
            min_window_pages=self.min_window_pages,
            page_size=self.page_size,
            max_passes=self.max_passes,
            rows_per_file=self.rows_per_file,
            resume=self.resume,
            resume_max_age=timedelta(hours=self.resume_max_age_hours),
        )


def materialization_metadata(result: StreamResult) -> dict[str, Any]:
    """Rows, pages, requests, retries (and the failed answers by kind), the API version, duration, what
    the MERGE changed, and the table's health."""
    return {
        "dagster/row_count": result.live_ids,
        "rows": result.rows,
        "live_ids": result.live_ids,
        "inserted": result.inserted,
        "updated": result.updated,
        "deleted": result.deleted,
        "stale_skipped": result.stale_skipped,
        "recovered": result.recovered,
        "table_version": result.table_version,
        "table_files": result.table_files,
        "table_bytes": result.table_bytes,
        "disk_bytes": result.disk_bytes,
        "compacted_files": result.compacted_files,
        "vacuumed_files": result.vacuumed_files,
        "pages": result.pages,
        "requests": result.requests,
        "retries": result.retries,
        "rate_limited": result.rate_limited,
        "server_errors": result.server_errors,
        "transport_errors": result.transport_errors,
        "graphql_transient_errors": result.graphql_transient_errors,
        "graphql_permanent_errors": result.graphql_permanent_errors,
        "api_version": result.api_version or "default (no header)",
        "duration_seconds": result.duration_seconds,
        "windows": result.windows,
        "repulled_windows": result.repulled_windows,
        "resumed": result.resumed,
        "batch_id": result.batch_id,
        "path": dg.MetadataValue.path(result.path),
        "source_count_start": result.source_count_start,
        "source_count_end": result.source_count_end,
        "churn_observed": result.churn_observed,
    }


class ExtractFailedError(dg.Failure):
    """One or more streams failed; the message names them (the causes carry stream/window/page).
    `allow_retries` is False when no stream failed for a reason a retry could fix."""

    def __str__(self) -> str:
        return self.description or "extraction failed"


def materialized_by_this_run(context: dg.AssetExecutionContext, key: dg.AssetKey) -> bool:
    """Whether an earlier attempt of this step (an op retry), or the run an automatic run retry
    re-executes, already materialized `key`: then the retry need not pull it again."""
    run = context.run
    auto_retry = "dagster/retry_number" in run.tags
    if context.retry_number == 0 and not auto_retry:
        return False
    event = context.instance.get_latest_materialization_event(key)
    if event is None:
        return False
    if event.run_id == context.run_id:
        return True
    earlier = context.instance.get_run_by_id(event.run_id) if auto_retry else None
    return earlier is not None and (earlier.root_run_id or earlier.run_id) == run.root_run_id


def build_extract_assets(
    specs: Sequence[StreamSpec] = STREAMS, retry_policy: dg.RetryPolicy | None = EXTRACT_RETRY_POLICY
) -> dg.AssetsDefinition:
    """One multi-asset holding an asset per spec: key `healthie/<stream>`, the spec's grain as description."""
    asset_specs = [
        dg.AssetSpec(
            extract_asset_key(spec.name),
            description=spec.description,
            group_name=GROUP,
            kinds=KINDS,
            skippable=True,
            metadata={"stream": spec.name, "page_size_cap": spec.page_size_cap},
        )
        for spec in specs
    ]
    by_key = {extract_asset_key(spec.name): spec for spec in specs}
    checks = [check for spec in specs for check in check_specs(extract_asset_key(spec.name), spec)]

    @dg.multi_asset(
        name="healthie_extract",
        specs=asset_specs,
        check_specs=checks,
        can_subset=True,
        retry_policy=retry_policy,
    )
    def healthie_extract(
        context: dg.AssetExecutionContext,
        config: ExtractConfig,
        healthie: HealthieResource,
        warehouse: WarehouseConfig,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        selected = [spec for key, spec in by_key.items() if key in context.selected_asset_keys]
        done = [
            spec.name for spec in selected if materialized_by_this_run(context, extract_asset_key(spec.name))
        ]
        if done:
            context.log.info(f"already materialized by this run, not pulled again: {', '.join(done)}")
            selected = [spec for spec in selected if spec.name not in done]
        options = replace(config.to_options(), retention=warehouse.history_retention)
        outcomes = run_sync(healthie.client_settings(), selected, warehouse.path, options, context.log)
        failed: list[tuple[str, BaseException]] = []
        for spec in selected:
            outcome = outcomes[spec.name]
            if isinstance(outcome, BaseException):
                failed.append((spec.name, outcome))
                context.log.error(f"{spec.name}: sync failed: {outcome}")
                continue
            key = extract_asset_key(spec.name)
            yield dg.MaterializeResult(asset_key=key, metadata=materialization_metadata(outcome))
            for check in evaluate_checks(outcome, spec, options.retention, key):
                if dg.AssetCheckKey(key, check.check_name or "") in context.selected_asset_check_keys:
                    yield check
        if failed:
            names = ", ".join(name for name, _ in failed)
            retry = any(retry_may_help(error) for _, error in failed)
            raise ExtractFailedError(
                f"extraction failed for {names}: {failed[0][1]}"
                + ("" if retry else " (not retried: a retry would fail the same way)"),
                allow_retries=retry,
            ) from failed[0][1]

    return healthie_extract
