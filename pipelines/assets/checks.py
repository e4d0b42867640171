"""The extract assets' checks, evaluated by the extraction step from what the sync just committed.

- `count_matches_source`: did the stream's Delta table end up holding what Healthie's `...Count` query
  says exists? The sync counts every stream (same filters as the list query) before and after its
  pull, and reads the number of records in the table version its MERGE committed (from the Delta log,
  so it verifies what is on disk rather than what the pull claimed). Equal → pass. Unequal while the
  sync itself saw churn (the count moved between start and end, or a window was re-pulled because it
  grew) → fail with severity WARN: records created or deleted during the sync legitimately make the
  numbers drift, and webhook refreshes plus the next night converge. Unequal without churn → ERROR:
  rows went missing for no reason the sync can explain. Streams without a count query have no check.
- `lake_size_bounded`: the table stays the size of its data. After maintenance the current version's
  files must be about as many as its bytes need, and the folder on disk (versions kept for time
  travel included) within what the retention allows. WARN: the data is right, the lake is bloating.

Evaluated in the extraction step itself, not from "the latest materialization", so a webhook refresh
landing between the sync and its check can never make the check read the wrong record.
"""

# No `from __future__ import annotations`: Dagster inspects these annotations at definition time.
import math
from collections.abc import Sequence
from datetime import timedelta

import dagster as dg

from pipelines.extract.options import StreamResult
from pipelines.healthie.streams import StreamSpec
from pipelines.lake.table import TARGET_FILE_BYTES

CHECK_NAME = "count_matches_source"
SIZE_CHECK_NAME = "lake_size_bounded"
#: Files a current version may hold beyond what its bytes need (merges since the last compaction).
FILE_SLACK = 8
#: Disk bytes allowed beyond the current version: the log, change data and small tables' overhead.
DISK_SLACK_BYTES = 4 * 1024 * 1024


def check_specs(key: dg.AssetKey, spec: StreamSpec) -> list[dg.AssetCheckSpec]:
    """The checks of one stream's asset."""
    specs = [
        dg.AssetCheckSpec(
            SIZE_CHECK_NAME,
            asset=key,
            description=f"The {spec.name} Delta table's files and disk size stay bounded by its data.",
        )
    ]
    if spec.count_operation is not None:
        specs.append(
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=key,
                description=f"Records in the {spec.name} table equal Healthie's count (same filters).",
            )
        )
    return specs


def evaluate_completeness(result: StreamResult, key: dg.AssetKey | None = None) -> dg.AssetCheckResult:
    """The completeness verdict from the table's records and the counts the sync recorded."""
    expected = result.source_count_end
    details = {
        "table_rows": result.live_ids,
        "source_count_end": expected,
        "source_count_start": result.source_count_start,
        "churn_observed": result.churn_observed,
        "batch_id": result.batch_id,
        "table_version": result.table_version,
    }
    if expected is None:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=False,
            metadata=details,
            description="no source count recorded",
        )
    passed = result.live_ids == expected
    severity = dg.AssetCheckSeverity.WARN if result.churn_observed else dg.AssetCheckSeverity.ERROR
    reason = "churn during the sync" if result.churn_observed else "no churn seen"
    description = (
        "table records equal the source count"
        if passed
        else f"table holds {result.live_ids}, source {expected}: {reason}"
    )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=passed,
        severity=severity,
        metadata=details,
        description=description,
    )


def size_bounds(table_bytes: int, retention: timedelta) -> tuple[int, int]:
    """(most files, most disk bytes) a table of `table_bytes` may use under `retention`.

    Each night may rewrite every file (a few changed rows in each), so every retained night can keep
    one more copy: disk ≤ (retention days + 2) x current bytes plus slack for the log and small tables.
    """
    files = math.ceil(table_bytes / TARGET_FILE_BYTES) + FILE_SLACK
    nights = math.ceil(retention.total_seconds() / 86_400)
    return files, (nights + 2) * table_bytes + DISK_SLACK_BYTES


def evaluate_size(
    result: StreamResult, retention: timedelta, key: dg.AssetKey | None = None
) -> dg.AssetCheckResult:
    """WARN when the table's current files or its folder on disk exceed `size_bounds`."""
    max_files, max_disk = size_bounds(result.table_bytes, retention)
    details = {
        "table_rows": result.live_ids,
        "table_files": result.table_files,
        "table_bytes": result.table_bytes,
        "disk_bytes": result.disk_bytes,
        "max_files": max_files,
        "max_disk_bytes": max_disk,
        "retention_days": retention.days,
    }
    problems = []
    if result.table_files > max_files:
        problems.append(f"{result.table_files} files > {max_files}")
    if result.disk_bytes > max_disk:
        problems.append(f"{result.disk_bytes} bytes on disk > {max_disk}")
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=SIZE_CHECK_NAME,
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        metadata=details,
        description="; ".join(problems) or "within bounds",
    )


def evaluate_checks(
    result: StreamResult, spec: StreamSpec, retention: timedelta, key: dg.AssetKey
) -> Sequence[dg.AssetCheckResult]:
    """Every check of one stream's asset `key`, for the run that just synced it."""
    checks = [evaluate_size(result, retention, key)]
    if spec.count_operation is not None:
        checks.append(evaluate_completeness(result, key))
    return checks
