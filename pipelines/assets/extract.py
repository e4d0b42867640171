"""Extract assets: one asset per StreamSpec, materialized together by one multi-asset step.

All streams of a run are pulled in one process and one event loop so they share one client and one
rate limiter (HEALTHIE_RATE_LIMIT_RPS is a budget for the whole run, not per stream). The step can be
subset: selecting `healthie/appointments` alone syncs only that stream. A stream that fails does not
stop the others; their materializations are reported and the step then fails naming the failures.
Each stream's materialization carries the lake table's health (version, rows, files, bytes), and
the step evaluates the stream's checks (assets/checks.py) from what it just committed.
"""

# No `from __future__ import annotations`: Dagster inspects these annotations at definition time.
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from pipelines.assets.checks import check_specs, evaluate_checks
from pipelines.healthie.options import DEFAULT_HISTORY_START, StreamResult, SyncOptions
from pipelines.healthie.resource import HealthieResource
from pipelines.healthie.streams import STREAMS, StreamSpec
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
    """Rows, pages, requests, retries, duration, what the MERGE changed, and the table's health."""
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


class ExtractFailedError(Exception):
    """One or more streams failed; the message names them (the causes carry stream/window/page)."""


def build_extract_assets(specs: Sequence[StreamSpec] = STREAMS) -> dg.AssetsDefinition:
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

    @dg.multi_asset(name="healthie_extract", specs=asset_specs, check_specs=checks, can_subset=True)
    def healthie_extract(
        context: dg.AssetExecutionContext,
        config: ExtractConfig,
        healthie: HealthieResource,
        warehouse: WarehouseConfig,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        selected = [spec for key, spec in by_key.items() if key in context.selected_asset_keys]
        options = replace(config.to_options(), retention=warehouse.history_retention)
        outcomes = healthie.sync_streams(selected, warehouse.path, options, context.log)
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
            raise ExtractFailedError(f"extraction failed for {names}: {failed[0][1]}") from failed[0][1]

    return healthie_extract
