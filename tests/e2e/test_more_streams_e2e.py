"""Claims, invoices, policies, form templates, care plans, goals, tasks and documents, end to end.

One `nightly_sync` on a fresh sandbox: every new fact and dimension mart holds one row per live record
(drafts among the invoices flagged), and the five reports a practice manager reads (payer mix, claims
aging, invoices outstanding, task backlog, goal progress) equal what tests/e2e/truth_more.py computes
in plain Python from the sandbox's ground truth, aged to the `as_of_date` the reports carry (the day
the build ran: the product does not pin dbt's `report_as_of`).

Then one change of each kind a practice makes in Healthie (a claim paid, a claim deleted, a draft
invoice sent, an invoice paid, a policy made inactive, a policy deleted, a care plan deactivated, a
goal created, a goal completed, a task completed, a document deleted) -> signed webhooks -> the
receiver process -> the inbox sensor -> one `webhook_refresh`: each change is in the published marts,
every mart still equals the truth, and the reports moved with it (the paid claim left the aging).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from healthie_sandbox import content
from healthie_sandbox.generate import ID_BASE
from pipelines.sql_files import named_statements

from . import truth, truth_more
from .assertions import assert_succeeded
from .product import Product, webhooks_to_receiver
from .test_webhook_e2e import rereads_by_stream

SANDBOX_SEED = 303
QUERIES_FILE = Path(__file__).with_name("queries_more.sql")
STAMP = "%Y-%m-%d %H:%M:%S UTC"

Ids = Callable[[Product], set[str]]


@cache
def named_queries() -> dict[str, str]:
    """The statements of queries_more.sql by name (`-- name: x` starts statement x)."""
    return named_statements(QUERIES_FILE.read_text(encoding="utf-8"))


def read(product: Product, name: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """A named query of queries_more.sql on a new read-only connection to the published marts."""
    with duckdb.connect(str(product.warehouse_file), read_only=True) as con:
        return con.execute(named_queries()[name], list(params)).fetchall()


# --- the sandbox's truth --------------------------------------------------------------------------------


def payers() -> dict[str, tuple[str, str]]:
    """(payer id, payer name) per insurance plan id: the plans the sandbox seeds (Healthie has no list
    query for them; the product reads them nested in each policy)."""
    return {str(ID_BASE["insurance_plans"] + i): payer for i, payer in enumerate(content.PAYERS)}


def truth_claims(product: Product) -> list[truth_more.Claim]:
    control = product.control
    return truth_more.claims(control.truth("claims"), control.truth("insurance_policies"), payers())


def truth_invoices(product: Product) -> dict[str, tuple[truth.Row, bool]]:
    control = product.control
    return truth_more.invoices(control.truth("invoices"), control.truth("invoice_previews"))


def nested_ids(stream: str, field: str) -> Ids:
    return lambda product: {str(item["id"]) for row in product.control.truth(stream) for item in row[field]}


def stream_ids(stream: str) -> Ids:
    return lambda product: truth.ids(product.control.truth(stream))


#: (query of queries_more.sql listing a mart's keys, the live records it must hold one row each of).
MARTS: dict[str, Ids] = {
    "claim_ids": stream_ids("claims"),
    "claim_line_ids": nested_ids("claims", "cpt_codes_cms1500s"),
    "claim_diagnosis_ids": nested_ids("claims", "icd_codes_cms1500s"),
    "invoice_ids": lambda product: set(truth_invoices(product)),
    "policy_ids": stream_ids("insurance_policies"),
    "form_template_ids": stream_ids("form_templates"),
    "care_plan_ids": stream_ids("care_plans"),
    "goal_ids": stream_ids("goals"),
    "goal_history_ids": stream_ids("goal_histories"),
    "task_ids": stream_ids("tasks"),
    "document_ids": stream_ids("documents"),
}


def assert_keys_equal_truth(product: Product, query: str) -> None:
    keys = Counter(str(row[0]) for row in read(product, query))
    assert [key for key, n in keys.items() if n > 1] == [], f"{query}: duplicated keys"
    expected = MARTS[query](product)
    assert expected, f"{query}: the sandbox holds none"
    assert set(keys) == expected, (
        f"{query}: {len(set(keys) - expected)} extra, {len(expected - set(keys))} missing"
    )


def report_as_of(product: Product) -> date:
    """The one day every aging report was built as of: the UTC day dbt ran (today, or yesterday for a
    build that started just before midnight)."""
    days = {as_of for _, as_of in read(product, "as_of_dates")}
    assert len(days) == 1, f"reports built as of different days: {days}"
    (as_of,) = days
    today = datetime.now(UTC).date()
    assert as_of in (today, today - timedelta(days=1))
    assert isinstance(as_of, date)
    return as_of


def assert_reports_equal_truth(product: Product) -> None:
    as_of = report_as_of(product)
    claims = truth_claims(product)

    mix = {
        (month, payer, name): tuple(figures) for month, payer, name, *figures in read(product, "payer_mix")
    }
    assert mix == truth_more.payer_mix(claims), "rpt_payer_mix"

    aging = {
        (payer, name, bucket): tuple(figures)
        for _, payer, name, bucket, *figures in read(product, "claims_aging")
    }
    assert aging == truth_more.claims_aging(claims, as_of), "rpt_claims_aging"

    owed = {}
    for _, patient, currency, n, invoiced, balance, *by_bucket, over, oldest in read(
        product, "invoices_outstanding"
    ):
        buckets = dict(zip(("0-30", "31-60", "61-90", "91-120", "120+"), [*by_bucket, over], strict=True))
        owed[(patient, currency)] = (n, invoiced, balance, {k: v for k, v in buckets.items() if v}, oldest)
    expected_owed = {
        key: (n, invoiced, balance, {k: v for k, v in buckets.items() if v}, oldest)
        for key, (n, invoiced, balance, buckets, oldest) in truth_more.invoices_outstanding(
            truth_invoices(product), as_of
        ).items()
    }
    assert owed == expected_owed, "rpt_invoices_outstanding"

    backlog = {
        (assignee, bucket): tuple(figures) for _, assignee, bucket, *figures in read(product, "task_backlog")
    }
    assert backlog == truth_more.task_backlog(product.control.truth("tasks"), as_of), "rpt_task_backlog"

    control = product.control
    progress = {
        (patient, provider): tuple(figures)
        for _, patient, provider, *figures in read(product, "goal_progress")
    }
    expected_progress = truth_more.goal_progress(
        control.truth("goals"), control.truth("goal_histories"), control.truth("patients"), as_of
    )
    assert progress == expected_progress, "rpt_goal_progress"


# --- after the nightly -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", list(MARTS))
def test_one_row_per_live_record(product: Product, nightly: dg.ExecuteInProcessResult, query: str) -> None:
    assert_keys_equal_truth(product, query)


def test_drafts_are_flagged(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    expected = {invoice: is_draft for invoice, (_, is_draft) in truth_invoices(product).items()}
    assert dict(read(product, "invoice_drafts")) == expected
    assert 0 < sum(expected.values()) < len(expected), "some drafts, some sent"


def test_reports_equal_truth(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    assert_reports_equal_truth(product)


def test_the_reports_have_something_to_say(product: Product, nightly: dg.ExecuteInProcessResult) -> None:
    """The sandbox's data exercises the reports: several payers and months, open claims, money still
    owed, tasks overdue, goals completed. (Open claims of a seed may all be older than 120 days: the
    refresh adds a new one, aged 0-30.)"""
    as_of = report_as_of(product)
    claims = truth_claims(product)
    mix = truth_more.payer_mix(claims)
    assert len({payer for _, payer, _ in mix}) > 2 and len({month for month, _, _ in mix}) > 2
    assert truth_more.claims_aging(claims, as_of)
    assert truth_more.invoices_outstanding(truth_invoices(product), as_of)
    assert sum(
        overdue
        for _, overdue, _, _ in truth_more.task_backlog(product.control.truth("tasks"), as_of).values()
    )
    progress = truth_more.goal_progress(
        product.control.truth("goals"),
        product.control.truth("goal_histories"),
        product.control.truth("patients"),
        as_of,
    )
    assert sum(figures[1] for figures in progress.values()) > 0


# --- one change of each kind, through webhooks -------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    ids: dict[str, str]
    aging_before: dict[tuple[Any, ...], int]
    """Open claims per (payer, bucket) in rpt_claims_aging before the refresh."""
    refresh_seconds: float
    rereads: dict[str, int]
    """Records the refresh re-read per stream."""


def now_stamp() -> str:
    return datetime.now(UTC).strftime(STAMP)


def pick_changes(product: Product) -> dict[str, str]:
    """Records to change, chosen from the truth: an open claim with a payer, a settled claim with lines,
    a draft, an owed invoice, two policies, a care plan, an open task and a document."""
    control = product.control
    claims = truth_claims(product)
    open_claims = [c for c in claims if c.status_group in truth_more.OPEN_CLAIM_GROUPS and c.payer_id]
    claim_rows = truth.by_id(control.truth("claims"))
    settled_with_lines = [
        c
        for c in claims
        if claim_rows[c.claim_id]["cpt_codes_cms1500s"] and c.status_group not in truth_more.OPEN_CLAIM_GROUPS
    ]
    invoices = truth_invoices(product)
    drafts = [invoice for invoice, (_, is_draft) in invoices.items() if is_draft]
    owed = [
        invoice
        for invoice, (row, is_draft) in invoices.items()
        if not is_draft
        and truth_more.invoice_group(row.get("status")) in truth_more.OWED_INVOICE_GROUPS
        and (row.get("balance_due") or 0) > 0
    ]
    billed = {str(p["policy_id"]) for row in claim_rows.values() for p in row["cms1500_policies"]}
    policies = [
        row
        for row in control.truth("insurance_policies")
        if row.get("priority_type") != "inactive" and str(row["id"]) not in billed
    ]
    assert len(policies) > 1, "policies no claim bills, so the aging keeps its payers"
    open_tasks = [row for row in control.truth("tasks") if not row.get("complete")]
    care_plans = [row for row in control.truth("care_plans") if row.get("is_active")]
    return {
        "paid_claim": open_claims[0].claim_id,
        "deleted_claim": settled_with_lines[0].claim_id,
        "sent_draft": drafts[0],
        "paid_invoice": owed[0],
        "inactive_policy": str(policies[0]["id"]),
        "deleted_policy": str(policies[-1]["id"]),
        "care_plan": str(care_plans[0]["id"]),
        "task": str(open_tasks[0]["id"]),
        "document": str(control.truth("documents")[0]["id"]),
    }


@pytest.fixture(scope="module")
def changed(product: Product, nightly: dg.ExecuteInProcessResult) -> Iterator[Changes]:
    control = product.control
    ids = pick_changes(product)
    aging_before = {(payer, bucket): n for _, payer, _, bucket, n, *_ in read(product, "claims_aging")}
    with webhooks_to_receiver(product):
        claim = truth.by_id(control.truth("claims"))[ids["paid_claim"]]
        billed = truth.money(claim["total_charge"]) or Decimal(0)
        patient_paid = truth.money(claim.get("amount_paid")) or Decimal(0)
        control.update(
            "claims",
            ids["paid_claim"],
            status="Paid",
            amount_reimbursed=str(billed - patient_paid),
            reimbursed_at=now_stamp(),
        )
        control.delete("claims", ids["deleted_claim"])
        ids["new_claim"] = control.create("claims", status="Submitted")
        control.update("invoice_previews", ids["sent_draft"], is_preview=False, email_sent_at=now_stamp())
        control.update("invoices", ids["paid_invoice"], status="Paid", balance_due=0.0, paid_at=now_stamp())
        control.update("insurance_policies", ids["inactive_policy"], priority_type="inactive")
        control.delete("insurance_policies", ids["deleted_policy"])
        control.update("care_plans", ids["care_plan"], is_active=False)
        control.update("tasks", ids["task"], complete=True, completed_at=now_stamp(), seen=True)
        control.delete("documents", ids["document"])
        ids["goal"] = control.create("goals")
        ids["goal_history"] = control.create("goal_histories")
        started = time.monotonic()
        refreshed = product.refresh()
        seconds = time.monotonic() - started
        assert_succeeded(refreshed)
    yield Changes(ids, aging_before, seconds, rereads_by_stream(refreshed))


def test_one_refresh_rereads_each_changed_record(changed: Changes) -> None:
    """Every change was announced and routed: claims (paid, deleted, created), invoices and their
    drafts (a `requested_payment` event is re-read in both streams), policies, care plans, goals, goal
    completions, tasks and documents, in one run."""
    assert changed.rereads == {
        "claims": 3,
        "invoices": 2,
        "invoice_previews": 2,
        "insurance_policies": 2,
        "care_plans": 1,
        "goals": 1,
        "goal_histories": 1,
        "tasks": 1,
        "documents": 1,
    }


def test_every_mart_equals_truth_after_the_refresh(product: Product, changed: Changes) -> None:
    for query in MARTS:
        assert_keys_equal_truth(product, query)
    expected = {invoice: is_draft for invoice, (_, is_draft) in truth_invoices(product).items()}
    assert dict(read(product, "invoice_drafts")) == expected


def test_reports_equal_truth_after_the_refresh(product: Product, changed: Changes) -> None:
    assert_reports_equal_truth(product)


def test_paid_claim_reaches_the_marts_and_leaves_the_aging(product: Product, changed: Changes) -> None:
    claim = changed.ids["paid_claim"]
    [(status, group, payer, paid, outstanding)] = read(product, "claim", [claim])
    assert (status, group) == ("Paid", "paid")
    assert outstanding == Decimal(0) and paid > 0
    [before] = [
        c for c in truth_claims(product) if c.claim_id == claim
    ]  # its payer and age, as the aging report counted it before it was paid
    assert before.aged_from is not None
    key = (
        payer,
        truth_more.bucket((report_as_of(product) - before.aged_from).days, truth_more.CLAIM_BUCKETS),
    )
    after = {(p, b): n for _, p, _, b, n, *_ in read(product, "claims_aging")}
    assert after.get(key, 0) == changed.aging_before[key] - 1


def test_new_claim_reaches_the_marts_and_the_aging(product: Product, changed: Changes) -> None:
    [(status, group, payer, _, outstanding)] = read(product, "claim", [changed.ids["new_claim"]])
    assert (status, group) == ("Submitted", "submitted") and outstanding > 0
    after = {(p, b): n for _, p, _, b, n, *_ in read(product, "claims_aging")}
    assert after[(payer, "0-30")] == changed.aging_before.get((payer, "0-30"), 0) + 1


def test_deleted_claim_leaves_with_its_lines(product: Product, changed: Changes) -> None:
    claim = changed.ids["deleted_claim"]
    assert claim in product.control.truth_deleted_ids("claims")
    assert read(product, "claim", [claim]) == []
    assert read(product, "claim_lines_of", [claim]) == [(0,)]


def test_sent_draft_and_paid_invoice_reach_the_marts(product: Product, changed: Changes) -> None:
    [(is_draft, is_outstanding, _, _)] = read(product, "invoice", [changed.ids["sent_draft"]])
    assert is_draft is False
    [(is_draft, is_outstanding, group, balance)] = read(product, "invoice", [changed.ids["paid_invoice"]])
    assert (is_draft, is_outstanding, group, balance) == (False, False, "paid", Decimal(0))


def test_policy_changes_reach_the_dimension(product: Product, changed: Changes) -> None:
    [(priority, is_active, _)] = read(product, "policy", [changed.ids["inactive_policy"]])
    assert (priority, is_active) == ("inactive", False)
    assert changed.ids["deleted_policy"] in product.control.truth_deleted_ids("insurance_policies")
    assert read(product, "policy", [changed.ids["deleted_policy"]]) == []


def test_care_plan_task_and_document_changes_reach_the_marts(product: Product, changed: Changes) -> None:
    care_plan = truth.by_id(product.control.truth("care_plans"))[changed.ids["care_plan"]]
    [(is_active, updated_at)] = read(product, "care_plan", [changed.ids["care_plan"]])
    assert is_active is False and updated_at == truth.parse_timestamp(care_plan["updated_at"])
    task = truth.by_id(product.control.truth("tasks"))[changed.ids["task"]]
    [(is_complete, completed_at)] = read(product, "task", [changed.ids["task"]])
    assert is_complete is True and completed_at == truth.parse_timestamp(task["completed_at"])
    assert read(product, "document", [changed.ids["document"]]) == []


def test_created_goal_and_completion_reach_the_marts(product: Product, changed: Changes) -> None:
    control = product.control
    goal = truth.by_id(control.truth("goals"))[changed.ids["goal"]]
    [(patient, name, completions, _)] = read(product, "goal", [changed.ids["goal"]])
    assert (patient, name) == (goal["user_id"], goal["name"])
    history = truth.by_id(control.truth("goal_histories"))[changed.ids["goal_history"]]
    [(goal_id, completed_on)] = read(product, "goal_history", [changed.ids["goal_history"]])
    assert (goal_id, completed_on) == (history["goal_id"], truth_more.day(history["completed_on"]))
    completed = str(history["goal_id"])
    expected = sum(str(h["goal_id"]) == completed for h in control.truth("goal_histories"))
    [(_, _, completions, is_completed)] = read(product, "goal", [completed])
    assert (completions, is_completed) == (expected, True)


def test_the_refresh_took(changed: Changes) -> None:
    """The refresh re-reads a dozen records and rebuilds their marts: report how long, bound loosely."""
    print(f"webhook_refresh of {len(changed.ids)} changes: {changed.refresh_seconds:.1f} s")
    assert changed.refresh_seconds < 300
