"""Fixtures of the dashboard tests: a product synced once per module, the numbers its marts hold.

The product is the e2e tests' (tests/e2e/product.py: a private sandbox, the environment of the README,
Dagster in-process, real dbt): one `nightly_sync` per module publishes `warehouse.duckdb`, and the
dashboards read it as in production, through `$WAREHOUSE_DIR`. The numbers each page should show are
queried here from the marts with the statements of `expected.sql`, written independently of the
dashboards' own queries (mostly from the report marts), and formatted the one way the pages format.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, home of the e2e package
from e2e.product import Product, running_product

from pipelines.sql_files import named_statements

SANDBOX_SEED = 313
#: `make screenshots` sets this to docs/img: the browser tests then save each page there, over a
#: demo-scale sync (the tests' own scale makes thin charts).
SCREENSHOTS_VAR = "DASHBOARD_SCREENSHOTS"
TEST_SCALE = 0.1
SCREENSHOT_SCALE = 1.0
EXPECTED_FILE = Path(__file__).with_name("expected.sql")


@cache
def expected_statements() -> dict[str, str]:
    """The statements of expected.sql by name (`-- name: x` starts statement x)."""
    return named_statements(EXPECTED_FILE.read_text(encoding="utf-8"))


def marts_query(
    path: Path, name: str, params: Mapping[str, Any] | Sequence[Any] = ()
) -> list[dict[str, Any]]:
    """Rows of an expected.sql statement on the published file, as dicts (read-only, closed at once)."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(expected_statements()[name], params if params else [])
        columns = [column[0] for column in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def screenshot_dir() -> Path | None:
    value = os.environ.get(SCREENSHOTS_VAR, "").strip()
    return Path(value) if value else None


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    """A synced product (one nightly_sync, marts published); `$WAREHOUSE_DIR` points at it."""
    scale = SCREENSHOT_SCALE if screenshot_dir() else TEST_SCALE
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        running_product(
            tmp_path_factory.mktemp("dashboards"), SANDBOX_SEED, monkeypatch, scale=scale
        ) as running,
    ):
        monkeypatch.delenv("DASHBOARDS_ROW_LEVEL", raising=False)
        assert running.run("nightly_sync").success, "nightly_sync failed"
        yield running


def mart_rows(path: Path) -> dict[str, int]:
    """Rows per table of schema `marts`, counted (the relation API: no SQL text built here)."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [row["table_name"] for row in marts_query(path, "mart_tables")]
        counts = {}
        for table in tables:
            [(counted,)] = con.table(f"marts.{table}").aggregate("count(*)").fetchall()
            counts[table] = int(counted)
        return counts


def expected_headlines(path: Path) -> dict[str, dict[str, str | None]]:
    """Per page slug, each headline metric's label and the value it must show (None: any value).

    The freshness page's times are in its labels (its values are ages, which move with the clock).
    """
    from dashboards import formatting as fmt
    from dashboards.data import file_version
    from dashboards.views.freshness import batch_time, stamp

    [overview] = marts_query(path, "overview")
    [engagement] = marts_query(path, "engagement")
    [forms] = marts_query(path, "forms")
    [batches] = marts_query(path, "newest_batches")
    [revenue] = marts_query(path, "revenue")
    [care] = marts_query(path, "care")
    scorecard = marts_query(path, "scorecard")
    rows = mart_rows(path)
    version = file_version(path)
    assert version is not None
    return {
        "overview": {
            "Appointments booked": fmt.count(overview["booked"]),
            "No-show rate": fmt.percent(overview["no_show_rate"]),
            "Cancellation rate": fmt.percent(overview["cancellation_rate"]),
            "Revenue collected": fmt.money(overview["collected"]),
            "Outstanding": fmt.money(overview["outstanding"]),
            "Active patients": fmt.count(overview["active_patients"]),
        },
        "providers": {
            "Providers": fmt.count(len(scorecard)),
            "Appointments booked": fmt.count(sum(row["booked"] for row in scorecard)),
            "Revenue collected": fmt.money(sum(row["revenue"] for row in scorecard)),
        },
        "engagement": {
            "Journal entries": fmt.count(engagement["journal_entries"]),
            "Patients logging": fmt.count(engagement["patients_logging"]),
            "Forms completed": fmt.count(engagement["forms_completed"]),
        },
        "forms": {
            "Templates used": fmt.count(forms["templates"]),
            "Submissions": fmt.count(forms["submissions"]),
            "Share signed": fmt.percent(forms["share_signed"]),
            "Median hours to lock": fmt.hours(forms["median_hours_to_lock"]),
        },
        "revenue": {
            "Open claims": fmt.count(revenue["open_claims"]),
            "Outstanding on open claims": fmt.money(revenue["claims_outstanding"]),
            "Denial share": fmt.percent(revenue["denial_share"]),
            "Billed": fmt.money(revenue["billed"]),
            "Collection rate": fmt.percent(revenue["collection_rate"]),
            "Invoices outstanding": fmt.money(revenue["invoices_balance_due"]),
        },
        "care": {
            "Active care plans": fmt.count(care["active_care_plans"]),
            "Goals": fmt.count(care["goals"]),
            "Goals completed": fmt.count(care["goals_completed"]),
            "Share of goals completed": fmt.percent(
                care["goals_completed"] / care["goals"] if care["goals"] else None
            ),
            "Open tasks": fmt.count(care["open_tasks"]),
            "Overdue tasks": fmt.count(care["overdue_tasks"]),
        },
        "freshness": {
            f"Published {stamp(version.published_at)}": None,
            f"Nightly sync {stamp(batch_time(batches['full_batch']))}": None,
            f"Webhook refresh {stamp(batch_time(batches['change_batch']))}": None,
            "Marts": fmt.count(len(rows)),
            "Rows in the marts": fmt.count(sum(rows.values())),
            "File": None,
        },
    }


def assert_headlines(shown: Mapping[str, str], expected: Mapping[str, str | None]) -> None:
    """The page shows exactly the expected metrics, each with its value (where one is fixed)."""
    assert sorted(shown) == sorted(expected)
    wanted = {label: value for label, value in expected.items() if value is not None}
    assert {label: shown[label] for label in wanted} == wanted
