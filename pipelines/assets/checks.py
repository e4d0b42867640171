"""Completeness checks: did each extract land what Healthie's `...Count` query says exists?

The extract asset counts every stream (same filters as the list query) before and after its pull and
records both, with the lake path, in its materialization. The check recounts distinct live ids in
that batch's Parquet files, so it verifies what is on disk rather than what the asset claimed, and
compares them with the end-of-sync count.

Policy: equal → pass. Unequal while the sync itself saw churn (the count moved between start and end,
or a window was re-pulled because it grew) → fail with severity WARN: records created or deleted
during the sync legitimately make the numbers drift, and the next nightly sync plus webhook refreshes
converge. Unequal without churn → fail with severity ERROR: rows went missing (or were duplicated)
for no reason the sync can explain. Streams without a count query (appointment types) have no check.
"""

# No `from __future__ import annotations`: Dagster inspects these annotations at definition time.
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg

from pipelines.assets.extract import extract_asset_key
from pipelines.healthie.streams import STREAMS, StreamSpec
from pipelines.lake.reader import batch_stats

CHECK_NAME = "count_matches_source"


def _value(metadata: Mapping[str, Any], key: str) -> Any:
    entry = metadata.get(key)
    return getattr(entry, "value", entry)


def evaluate_completeness(landed: int, metadata: Mapping[str, Any]) -> dg.AssetCheckResult:
    """The check's verdict from the ids found on disk and the materialization's recorded counts."""
    expected = _value(metadata, "source_count_end")
    churn = bool(_value(metadata, "churn_observed"))
    details = {
        "landed_ids": landed,
        "source_count_end": expected,
        "source_count_start": _value(metadata, "source_count_start"),
        "churn_observed": churn,
        "batch_id": _value(metadata, "batch_id"),
    }
    if expected is None:
        return dg.AssetCheckResult(passed=False, metadata=details, description="no source count recorded")
    passed = landed == expected
    severity = dg.AssetCheckSeverity.WARN if churn else dg.AssetCheckSeverity.ERROR
    reason = "churn during the sync" if churn else "no churn seen"
    description = (
        "landed ids equal the source count" if passed else f"landed {landed}, source {expected}: {reason}"
    )
    return dg.AssetCheckResult(passed=passed, severity=severity, metadata=details, description=description)


def build_completeness_check(spec: StreamSpec) -> dg.AssetChecksDefinition:
    key = extract_asset_key(spec.name)

    @dg.asset_check(
        asset=key,
        name=CHECK_NAME,
        description=f"Distinct {spec.name} ids in the latest batch equal Healthie's count (same filters).",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        event = context.instance.get_latest_materialization_event(key)
        materialization = event.asset_materialization if event else None
        if materialization is None:
            return dg.AssetCheckResult(passed=False, description="never materialized")
        metadata = materialization.metadata
        path = _value(metadata, "path")
        landed = batch_stats(Path(path))["live_ids"] if path else 0
        return evaluate_completeness(landed, metadata)

    return _check


def build_completeness_checks(specs: Sequence[StreamSpec] = STREAMS) -> list[dg.AssetChecksDefinition]:
    return [build_completeness_check(spec) for spec in specs if spec.count_operation is not None]
