"""Every dashboard page, run by Streamlit's AppTest over a warehouse a real nightly_sync published.

Each page's headline numbers, scorecards and tables must equal what the marts hold (expected.sql,
written independently of the dashboards' queries), under the default filters (every day, every
provider) and under a provider and a date-range filter. A missing or unreadable warehouse shows the
"no data yet" page, never a traceback; the row-level page exists only when enabled.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import assert_headlines, expected_headlines, marts_query
from e2e.product import Product
from streamlit.testing.v1 import AppTest

from dashboards import data
from dashboards import formatting as fmt
from dashboards.pages import PAGES, ROW_LEVEL_VAR, enabled_pages

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
TIMEOUT = 60


def page_script(slug: str) -> None:
    """One page, as the app runs it (AppTest executes this function's body as a script)."""
    from dashboards.navigation import run_page_by_slug

    run_page_by_slug(slug)


def run_page(slug: str) -> AppTest:
    app = AppTest.from_function(page_script, kwargs={"slug": slug}, default_timeout=TIMEOUT).run()
    assert not app.exception, [exception.value for exception in app.exception]
    return app


def headlines(app: AppTest) -> dict[str, str]:
    return {metric.label: str(metric.value) for metric in app.metric}


@pytest.mark.parametrize(
    "slug", ["overview", "providers", "engagement", "forms", "revenue", "care", "freshness"]
)
def test_page_headlines_equal_the_marts(product: Product, slug: str) -> None:
    app = run_page(slug)
    assert_headlines(headlines(app), expected_headlines(product.warehouse_file)[slug])


def test_app_opens_on_the_overview(product: Product) -> None:
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not app.exception
    assert app.title[0].value == "Practice overview"
    assert_headlines(headlines(app), expected_headlines(product.warehouse_file)["overview"])


def test_provider_scorecard_equals_rpt_provider_monthly(product: Product) -> None:
    app = run_page("providers")
    shown = app.table[0].value
    expected = marts_query(product.warehouse_file, "scorecard")
    assert sorted(shown.index) == sorted(row["provider_name"] for row in expected)
    for row in expected:
        line = shown.loc[row["provider_name"]]
        assert line["Booked"] == fmt.count(row["booked"])
        assert line["Occurred"] == fmt.count(row["occurred"])
        assert line["No-shows"] == fmt.count(row["no_shows"])
        assert line["No-show rate"] == fmt.percent(row["no_show_rate"])
        assert line["Revenue collected"] == fmt.money(row["revenue"])


def test_form_templates_equal_rpt_form_templates(product: Product) -> None:
    app = run_page("forms")
    shown = app.table[0].value
    expected = marts_query(product.warehouse_file, "form_templates")
    assert sorted(shown.index) == sorted(row["form_template_name"] for row in expected)
    for row in expected:
        line = shown.loc[row["form_template_name"]]
        assert line["Submissions"] == fmt.count(row["submissions"])
        assert line["Locked"] == fmt.percent(row["share_locked"])
        assert line["Signed"] == fmt.percent(row["share_signed"])
        assert line["Median hours to lock"] == fmt.hours(row["median_hours_to_lock"])
        assert line["Chart note"] == ("yes" if row["is_charting_note"] else "no")


def test_provider_filter(product: Product) -> None:
    [busiest] = marts_query(product.warehouse_file, "busiest_provider")
    [expected] = marts_query(product.warehouse_file, "provider_overview", [busiest["provider_id"]])
    app = run_page("overview")
    app.multiselect(key="filter_providers").set_value([busiest["provider_id"]]).run()
    assert not app.exception
    shown = headlines(app)
    assert shown["Appointments booked"] == fmt.count(expected["booked"])
    assert shown["No-show rate"] == fmt.percent(expected["no_show_rate"])
    assert shown["Revenue collected"] == fmt.money(expected["collected"])


def test_date_range_filter(product: Product) -> None:
    [busiest] = marts_query(product.warehouse_file, "busiest_month")
    month: date = busiest["month_start"]
    last = date(month.year + month.month // 12, month.month % 12 + 1, 1).toordinal() - 1
    [expected] = marts_query(product.warehouse_file, "month_overview", [month])
    app = run_page("overview")
    app.date_input(key="filter_dates").set_value((month, date.fromordinal(last))).run()
    assert not app.exception
    shown = headlines(app)
    assert shown["Appointments booked"] == fmt.count(expected["booked"])
    assert shown["No-show rate"] == fmt.percent(expected["no_show_rate"])


def test_revenue_cycle_shows_the_as_of_day_and_payers_equal_fct_claims(product: Product) -> None:
    app = run_page("revenue")
    [revenue] = marts_query(product.warehouse_file, "revenue")
    assert f"Claims aged to {revenue['as_of_date']:%Y-%m-%d}" in app.caption[0].value
    aging, payers = (table.value for table in app.table)
    assert sum(int(value.replace(",", "")) for value in aging["Open claims"]) == revenue["open_claims"]
    expected = marts_query(product.warehouse_file, "payers")
    assert sorted(payers.index) == sorted(row["payer_name"] for row in expected)
    for row in expected:
        line = payers.loc[row["payer_name"]]
        assert line["Claims billed"] == fmt.count(row["claims"])
        assert line["Billed"] == fmt.money(row["billed"])
        assert line["Paid"] == fmt.money(row["paid"])


def test_revenue_cycle_date_range_picks_months_of_service(product: Product) -> None:
    """The range narrows the payer mix and denial share; the aging (as of one day) stays whole."""
    [busiest] = marts_query(product.warehouse_file, "busiest_service_month")
    month: date = busiest["month_start"]
    last = date(month.year + month.month // 12, month.month % 12 + 1, 1).toordinal() - 1
    [expected] = marts_query(product.warehouse_file, "service_month_revenue", [month])
    whole = expected_headlines(product.warehouse_file)["revenue"]
    app = run_page("revenue")
    assert not app.multiselect, "the revenue reports carry no provider: no provider filter"
    app.date_input(key="filter_dates").set_value((month, date.fromordinal(last))).run()
    assert not app.exception
    shown = headlines(app)
    assert shown["Billed"] == fmt.money(expected["billed"])
    assert shown["Denial share"] == fmt.percent(expected["denial_share"])
    assert shown["Open claims"] == whole["Open claims"]
    assert shown["Invoices outstanding"] == whole["Invoices outstanding"]


def test_care_provider_filter(product: Product) -> None:
    [busiest] = marts_query(product.warehouse_file, "busiest_goal_provider")
    provider = busiest["provider_id"]
    [expected] = marts_query(product.warehouse_file, "provider_care", {"provider": provider})
    app = run_page("care")
    assert not app.date_input, "the care reports are as of one day: no date range"
    app.multiselect(key="filter_providers").set_value([provider]).run()
    assert not app.exception
    shown = headlines(app)
    assert shown["Active care plans"] == fmt.count(expected["active_care_plans"])
    assert shown["Goals"] == fmt.count(expected["goals"])
    assert shown["Goals completed"] == fmt.count(expected["goals_completed"])
    assert shown["Open tasks"] == fmt.count(expected["open_tasks"])
    [goals, _tasks] = (table.value for table in app.table)
    assert len(goals) == 1


def test_task_backlog_names_assignees_as_providers(product: Product) -> None:
    app = run_page("care")
    tasks = app.table[1].value
    expected = marts_query(product.warehouse_file, "assignees")
    assert sorted(tasks.index) == sorted(row["assignee_name"] for row in expected)
    for row in expected:
        assert tasks.loc[row["assignee_name"]]["Open tasks"] == fmt.count(row["open_tasks"])
        assert tasks.loc[row["assignee_name"]]["High priority"] == fmt.count(row["high_priority_tasks"])


def test_freshness_lists_the_newest_batches_of_every_mart_with_a_sync_id(product: Product) -> None:
    """Every mart carrying `_sync_id` (the revenue-cycle, care, task and document facts too) has a line
    with its newest nightly pull, webhook refresh and row read."""
    from dashboards.views.freshness import batch_time, stamp

    app = run_page("freshness")
    shown = app.table[1].value
    expected = marts_query(product.warehouse_file, "batches_per_mart")
    assert list(shown.index) == [row["mart"] for row in expected]
    assert {"fct_invoices", "fct_claims", "fct_goals", "fct_tasks", "fct_documents"} <= set(shown.index)
    for row in expected:
        line = shown.loc[row["mart"]]
        newest = row["newest_read"]
        assert line["nightly pull"].split(" (")[0] == stamp(batch_time(row["full_batch"]))
        assert line["webhook refresh"].split(" (")[0] == stamp(batch_time(row["change_batch"]))
        assert line["newest row read"].split(" (")[0] == (fmt.NONE if newest is None else stamp(newest))
    assert any(batch_time(row["full_batch"]) for row in expected), "the nightly sync wrote the facts"


@pytest.mark.parametrize("slug", ["revenue", "care"])
def test_aggregate_pages_name_no_patient(product: Product, slug: str) -> None:
    """Every text the page shows (tables, captions, metrics, headings) is free of patient names."""
    patients = {row["full_name"] for row in marts_query(product.warehouse_file, "patient_names")}
    assert patients
    app = run_page(slug)
    shown: set[str] = {str(element.value) for element in [*app.caption, *app.subheader, *app.info]}
    shown |= set(headlines(app)) | set(headlines(app).values())
    for table in app.table:
        shown |= {str(cell) for cell in table.value.index}
        shown |= {str(cell) for column in table.value.columns for cell in table.value[column]}
    assert not {text for text in shown if any(name in text for name in patients)}


@pytest.mark.parametrize("slug", ["revenue", "care"])
def test_empty_reports_show_zeros_and_no_as_of_day(
    product: Product, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slug: str
) -> None:
    """Every mart published but empty (a practice with no claims, goals or tasks yet): the page says
    so, with zero counts and no as-of day, never a traceback."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("attach ? as synced (read_only)", [str(product.warehouse_file)])
        con.execute("create schema marts")
        for [table] in con.execute(
            "select table_name from duckdb_tables() where database_name = 'synced' and schema_name = 'marts'"
        ).fetchall():
            con.execute(f'create table marts."{table}" as select * from synced.marts."{table}" limit 0')
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    app = run_page(slug)
    shown = headlines(app)
    assert shown["Open claims" if slug == "revenue" else "Open tasks"] == "0"
    assert "aged to —" in app.caption[0].value or "As of —" in app.caption[0].value
    assert app.info and not app.table


@pytest.mark.parametrize("slug", ["revenue", "care"])
def test_a_publish_without_the_new_marts_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slug: str
) -> None:
    """A warehouse published before the revenue and care marts existed: a note, no traceback."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.dim_providers (provider_id varchar, full_name varchar)")
    app = run_page(slug)
    assert "lacks a mart" in app.warning[0].value
    assert not app.metric


@pytest.mark.parametrize("slug", [page.slug for page in PAGES])
@pytest.mark.parametrize("content", [None, b"", b"not a database"])
def test_no_warehouse_shows_no_data_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slug: str, content: bytes | None
) -> None:
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    if content is not None:
        (tmp_path / "warehouse.duckdb").write_bytes(content)
    app = run_page(slug)
    assert app.title[0].value == "No data yet"
    assert "run `make run`" in app.info[0].value
    assert not app.metric


def test_row_level_pages_are_off_unless_enabled() -> None:
    row_level = {page.slug for page in PAGES if page.row_level}
    assert row_level == {"followups"}
    assert not row_level & {page.slug for page in enabled_pages({})}
    assert not row_level & {page.slug for page in enabled_pages({ROW_LEVEL_VAR: "0"})}
    assert row_level <= {page.slug for page in enabled_pages({ROW_LEVEL_VAR: "1"})}


def test_row_level_page_lists_patients_when_enabled(
    product: Product, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROW_LEVEL_VAR, "1")
    app = run_page("followups")
    shown = app.dataframe[0].value
    assert headlines(app) == {"Active patients without a visit in 90 days": fmt.count(len(shown))}


def test_streamlit_config_keeps_usage_statistics_off_and_serves_loopback() -> None:
    config: dict[str, Any] = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["port"] == 8501
    assert config["server"]["headless"] is True


def test_a_new_publish_is_read_at_once_despite_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results are cached per published file: a publish (a new file renamed over the old) is a miss."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))

    def publish(names: list[str]) -> None:
        temp = tmp_path / "next.duckdb"
        with duckdb.connect(str(temp)) as con:
            con.execute("create schema marts")
            con.execute("create table marts.dim_providers (provider_id varchar, full_name varchar)")
            con.executemany(
                "insert into marts.dim_providers values (?, ?)", [[str(i), n] for i, n in enumerate(names)]
            )
        os.replace(temp, tmp_path / "warehouse.duckdb")

    publish(["A"])
    assert list(data.query("providers")["provider_name"]) == ["A"]
    assert list(data.query("providers")["provider_name"]) == ["A"]  # cached
    publish(["A", "B"])
    assert list(data.query("providers")["provider_name"]) == ["A", "B"]
    assert data.status().marts == ("dim_providers",)
