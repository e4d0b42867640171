"""`nightly_sync` against a fresh sandbox: the marts say exactly what Healthie holds.

Every figure is compared with the sandbox's ground truth computed independently in Python (tests/e2e/
truth.py): ids per fact and dimension (one row per live record), answers per form, money as Decimal,
metrics per category, appointments per UTC month and per status, no-shows per provider and month.
Then a second nightly after deletions in Healthie: soft-deleted appointments, payments and forms and a
hard-deleted entry are gone from the marts (their tombstones reconciled). A reader holds the published
file open through that second nightly, which neither fails nor disturbs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import dagster as dg
import pytest

from pipelines.assets.dbt import project_marts
from pipelines.assets.publish import READABLE_BY_DUCKDB_1_4, storage_version
from pipelines.healthie.streams import STREAMS

from . import truth
from .assertions import FACT_KEYS, MART_KEYS, assert_keys_equal_truth, assert_succeeded
from .product import Product, named_queries, tree_permissions

SANDBOX_SEED = 101

#: Streams with a `...Count` query, so with a completeness check on every nightly.
COUNTED_STREAMS = {spec.name for spec in STREAMS if spec.count_operation}


@pytest.mark.parametrize(("stream", "query"), MART_KEYS)
def test_one_row_per_live_record(
    product: Product, nightly: dg.ExecuteInProcessResult, stream: str, query: str
) -> None:
    assert_keys_equal_truth(product, stream, query)


def test_answers_per_form(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    expected = truth.answers_per_form(product.control.truth("form_answer_groups"))
    assert {str(form): n for form, n in product.query("answers_per_form")} == expected
    assert sum(expected.values()) > 0


def test_payments_total_and_per_state(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    expected = truth.payments_by_state(product.control.truth("billing_items"))
    landed = {state: (n, total or Decimal(0)) for state, n, total in product.query("payments_by_state")}
    assert landed == expected
    (total,) = product.query("payments_total")[0]
    assert isinstance(total, Decimal)
    assert total == sum((amount for _, amount in expected.values()), Decimal(0))


def test_metric_counts_and_averages_per_category(
    product: Product, nightly: dg.ExecuteInProcessResult
) -> None:
    expected = truth.metrics_by_category(product.control.truth("entries"))
    landed = {category: (n, mean) for category, n, mean in product.query("metrics_by_category")}
    assert set(landed) == set(expected) and len(expected) > 1
    for category, (n, mean) in expected.items():
        assert landed[category][0] == n, category
        assert landed[category][1] == pytest.approx(mean, rel=1e-9), category


def test_appointments_per_utc_month(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    expected = truth.appointments_per_month(product.control.truth("appointments"))
    assert dict(product.query("appointments_per_month")) == dict(expected)
    assert len(expected) > 1


def test_statuses_and_no_shows(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    appointments = product.control.truth("appointments")
    assert dict(product.query("appointment_statuses")) == dict(truth.statuses(appointments))
    expected = truth.provider_months(appointments)
    landed = {
        (provider, month): (booked, no_shows)
        for provider, month, booked, no_shows in product.query("provider_months")
    }
    assert landed == expected
    assert sum(no_shows for _, no_shows in expected.values()) > 0


def test_every_asset_check_passed(nightly: dg.ExecuteInProcessResult) -> None:
    evaluations = nightly.get_asset_check_evaluations()
    assert [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed] == []
    completeness = {e.asset_key.path[-1] for e in evaluations if e.check_name == "count_matches_source"}
    assert completeness == COUNTED_STREAMS
    assert len(evaluations) > len(COUNTED_STREAMS)  # the dbt tests report as checks too


def test_nothing_under_the_warehouse_is_readable_by_others(
    product: Product, nightly: dg.ExecuteInProcessResult
) -> None:
    """The lake and the warehouse hold PHI: no group or other permission bits, files or folders."""
    modes = tree_permissions(product.warehouse_dir)
    assert product.warehouse_file.name in modes
    assert {path: oct(mode) for path, mode in modes.items() if mode & 0o077} == {}


def test_only_the_marts_are_published_in_the_duckdb_1_4_format(
    product: Product, nightly: dg.ExecuteInProcessResult
) -> None:
    assert storage_version(product.warehouse_file) in READABLE_BY_DUCKDB_1_4
    assert product.query("published_schemas") == [("marts",)], "staging views stay in the build database"
    assert {table for (table,) in product.query("mart_tables")} == set(project_marts())


def test_nightly_reports_what_publishing_cost(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    observations = [
        event.asset_observation_data.asset_observation for event in nightly.get_asset_observation_events()
    ]
    published = {
        observation.asset_key.to_user_string(): observation.metadata
        for observation in observations
        if "publish_seconds" in observation.metadata
    }
    assert set(published) == {key.to_user_string() for key in project_marts().values()}
    meta = published["marts/fct_appointments"]
    assert meta["dagster/row_count"].value == len(product.query("appointment_ids"))
    assert meta["publish_bytes"].value == product.warehouse_file.stat().st_size
    assert meta["storage_version"].value in READABLE_BY_DUCKDB_1_4


# --- a second nightly after deletions in Healthie --------------------------------------------------------


@dataclass(frozen=True)
class SecondNightly:
    deleted: dict[str, str]
    """The record deleted in Healthie, per fact stream."""
    held_before: list[tuple[Any, ...]]
    held_after: list[tuple[Any, ...]]
    """Row counts a reader connected since before the nightly read before it and after it."""


@pytest.fixture(scope="module")
def second_nightly(product: Product, nightly: dg.ExecuteInProcessResult) -> SecondNightly:
    """Delete one record of each fact in the sandbox (entries for real, the rest softly), then re-sync
    while a reader holds the published file open."""
    control = product.control
    forms = [row for row in control.truth("form_answer_groups") if row.get("form_answers")]
    paid = [row for row in control.truth("billing_items") if truth.money(row.get("amount_paid"))]
    chosen = {
        "appointments": str(control.truth("appointments")[0]["id"]),
        "billing_items": str(paid[0]["id"]),
        "entries": str(control.truth("entries")[0]["id"]),
        "form_answer_groups": str(forms[0]["id"]),
    }
    for stream, record in chosen.items():
        control.delete(stream, record)
    row_counts = named_queries()["row_counts"]
    with product.held_reader() as held:
        before = held.execute(row_counts).fetchall()
        assert_succeeded(product.run("nightly_sync"))
        after = held.execute(row_counts).fetchall()
    return SecondNightly(chosen, before, after)


@pytest.fixture(scope="module")
def deleted(second_nightly: SecondNightly) -> dict[str, str]:
    return second_nightly.deleted


def test_a_reader_held_open_through_the_nightly_keeps_its_build(
    product: Product, second_nightly: SecondNightly
) -> None:
    assert second_nightly.held_after == second_nightly.held_before, "the build it opened, unchanged"
    assert product.query("row_counts") != second_nightly.held_before, "reconnected: the new build"


@pytest.mark.parametrize(("stream", "query"), FACT_KEYS)
def test_deleted_records_leave_the_marts(
    product: Product, deleted: dict[str, str], stream: str, query: str
) -> None:
    assert deleted[stream] in product.control.truth_deleted_ids(stream)
    assert deleted[stream] not in {str(row[0]) for row in product.query(query)}
    assert_keys_equal_truth(product, stream, query)


def test_deleted_form_takes_its_answers(product: Product, deleted: dict[str, str]) -> None:
    answers = dict(product.query("answers_per_form"))
    assert deleted["form_answer_groups"] not in answers
    assert answers == truth.answers_per_form(product.control.truth("form_answer_groups"))


def test_payments_after_deletion(product: Product, deleted: dict[str, str]) -> None:
    expected = truth.payments_by_state(product.control.truth("billing_items"))
    (total,) = product.query("payments_total")[0]
    assert total == sum((amount for _, amount in expected.values()), Decimal(0))
