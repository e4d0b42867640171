"""Data freshness: how current the numbers on the other pages are, and whether the data looks sound.

- published: the published file's modification time (each publish writes a new file and renames it
  over the old one, so its mtime is when that build was published);
- the newest nightly pull and webhook refresh whose rows the marts hold (the `_sync_id` batch ids of
  the fact marts start with their UTC start time), per mart that has a `_sync_id` (found in the
  catalog, so a new fact mart appears by itself), and what the lake's commit log says per stream;
- rows per mart, and the project's warn-level checks recomputed on the published marts (error-level
  dbt tests failing stop a build, so nothing that fails them is ever published).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboards import charts, data, lake
from dashboards import formatting as fmt
from pipelines.assets.publish import storage_version
from pipelines.lake.layout import BatchId
from pipelines.paths import resolve_warehouse_dir


def stamp(moment: datetime | None) -> str:
    """'2026-12-01 10:03 UTC'; '—' for never."""
    return fmt.NONE if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def age(moment: datetime | None, now: datetime | None = None) -> str:
    """'5 min ago'; 'never' for never."""
    if moment is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 90:
        return f"{max(0, int(seconds))} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def when(moment: datetime | None) -> str:
    """'2026-12-01 10:03 UTC (5 min ago)'; '—' for never."""
    return fmt.NONE if moment is None else f"{stamp(moment)} ({age(moment)})"


def batch_time(batch_id: object) -> datetime | None:
    parsed = BatchId.parse(batch_id) if isinstance(batch_id, str) else None
    return parsed.started_at if parsed else None


def render() -> None:
    st.title("Data freshness")
    status = data.status()
    version = data.file_version(status.path)
    batches = data.mart_batches()
    newest_full = max(filter(None, map(batch_time, batches["last_full_batch"])), default=None)
    newest_change = max(filter(None, map(batch_time, batches["last_change_batch"])), default=None)
    rows = data.mart_rows(status.marts)

    cells = st.columns(3)
    published = version.published_at if version else None
    cells[0].metric(f"Published {stamp(published)}", age(published), help="the published file's mtime")
    cells[1].metric(
        f"Nightly sync {stamp(newest_full)}", age(newest_full), help="newest nightly pull the marts hold"
    )
    cells[2].metric(
        f"Webhook refresh {stamp(newest_change)}", age(newest_change), help="newest refresh the marts hold"
    )
    cells = st.columns(3)
    cells[0].metric("Marts", fmt.count(len(rows)))
    cells[1].metric("Rows in the marts", fmt.count(int(rows["rows"].sum())))
    size = (version.size if version else 0) / 1e6
    cells[2].metric("File", f"{size:.1f} MB, storage v{storage_version(status.path)}")

    left, right = st.columns(2)
    with left:
        st.subheader("Rows per mart")
        charts.show(
            charts.horizontal_bars(rows, category="mart", value="rows", title="Rows", value_format=",d"),
            rows,
            "The published file holds no marts.",
            height=charts.bars_height(rows),
        )
    with right:
        st.subheader("Checks on the published marts")
        checks = data.query("freshness_checks")
        failing = int((checks["failing_rows"] > 0).sum())
        if failing:
            st.warning(f"{failing} check(s) find rows to look at (warnings: the marts were still published).")
        else:
            st.success("Every check passes.")
        st.table(
            pd.DataFrame(
                {
                    "check": checks["check_name"],
                    "rows failing": [fmt.count(value) for value in checks["failing_rows"]],
                    "status": ["warn" if value else "pass" for value in checks["failing_rows"]],
                }
            ).set_index("check")
        )

    st.subheader("Newest data per fact mart")
    st.table(
        pd.DataFrame(
            {
                "mart": batches["mart"],
                "nightly pull": [when(batch_time(value)) for value in batches["last_full_batch"]],
                "webhook refresh": [when(batch_time(value)) for value in batches["last_change_batch"]],
                "newest row read": [
                    when(pd.Timestamp(value).tz_localize(UTC).to_pydatetime() if not pd.isna(value) else None)
                    for value in batches["newest_row_read_at"]
                ],
            }
        ).set_index("mart")
    )

    streams = lake.activity(resolve_warehouse_dir())
    st.subheader("The lake's commit log")
    if streams:
        st.table(
            pd.DataFrame(
                {
                    "stream": [stream.stream for stream in streams],
                    "last nightly pull merged": [when(stream.last_full_merge_at) for stream in streams],
                    "last webhook refresh merged": [when(stream.last_change_merge_at) for stream in streams],
                    "last commit": [when(stream.last_commit_at) for stream in streams],
                }
            ).set_index("stream")
        )
    else:
        st.info("No lake beside this warehouse file (only the published marts are here).")
    st.caption(
        "The marts are published only after a dbt build whose error-level tests all passed; a failed "
        "sync or refresh leaves the previous publish in place (see its run in Dagster, `make dev`). "
        "A pull that changed nothing commits nothing, so the times are the last ones that changed a record."
    )
