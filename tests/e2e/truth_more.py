"""What the revenue-cycle, care, task and document marts and reports must say, from the sandbox's truth.

Like truth.py, deliberately independent of the product: statuses are grouped, days aged and money
summed here in plain Python (`Decimal`, `date`), re-implementing the documented semantics of the
reports (dbt_project/models/marts/reporting, macros/healthie/statuses.sql and reports.sql) rather than
reading the SQL, so a bug in staging, a mart or a report cannot be mirrored by its expectation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .truth import Row, money, parse_timestamp, ref_id

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
CENT = Decimal("0.01")

#: Claim statuses as a practice manager groups them (Healthie keeps them as free strings).
CLAIM_GROUPS = {
    "draft": "draft",
    "not submitted": "draft",
    "ready to submit": "draft",
    "submitted": "submitted",
    "resubmitted": "submitted",
    "received": "submitted",
    "accepted": "submitted",
    "acknowledged": "submitted",
    "pending": "submitted",
    "in process": "submitted",
    "rejected": "denied",
    "denied": "denied",
    "partially paid": "partially_paid",
    "paid": "paid",
    "closed": "closed",
    "void": "closed",
    "voided": "closed",
    "written off": "closed",
}
#: Billed and not settled: receivables.
OPEN_CLAIM_GROUPS = frozenset({"submitted", "denied", "partially_paid", "other"})

INVOICE_GROUPS = {
    "unpaid": "unpaid",
    "sent": "unpaid",
    "overdue": "unpaid",
    "partial": "partial",
    "partially paid": "partial",
    "paid": "paid",
    "void": "void",
    "voided": "void",
    "cancelled": "void",
    "canceled": "void",
}
OWED_INVOICE_GROUPS = frozenset({"unpaid", "partial", "other"})

CLAIM_BUCKETS = (30, 60, 90, 120)
INVOICE_BUCKETS = (30, 60, 90, 120)
TASK_BUCKETS = (7, 30, 90)
POLICY_RANK = {"primary": 1, "secondary": 2, "tertiary": 3}


def day(text: str | None) -> date | None:
    """A calendar day sent as `YYYY-MM-DD` (as is) or as a timestamp in any Healthie style (UTC day)."""
    if text is None or not text.strip():
        return None
    if _DAY.fullmatch(text.strip()):
        return date.fromisoformat(text.strip())
    moment = parse_timestamp(text)
    return None if moment is None else moment.date()


def utc_day(text: str | None) -> date | None:
    moment = parse_timestamp(text)
    return None if moment is None else moment.date()


def _group(status: str | None, groups: Mapping[str, str], unset: str) -> str:
    if status is None or not status.strip():
        return unset
    return groups.get(status.strip().lower().replace("_", " "), "other")


def claim_group(status: str | None) -> str:
    return _group(status, CLAIM_GROUPS, "draft")


def invoice_group(status: str | None) -> str:
    return _group(status, INVOICE_GROUPS, "unpaid")


def bucket(days: int, limits: Sequence[int]) -> str:
    """`0-30`, `31-60`, ..., `120+` (negative ages fall in the first)."""
    lower = 0
    for limit in limits:
        if days <= limit:
            return f"{lower}-{limit}"
        lower = limit + 1
    return f"{limits[-1]}+"


def total(values: Iterable[Decimal | None]) -> Decimal | None:
    """SQL `sum`: nulls skipped, None when nothing is set."""
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


# --- claims ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    claim_id: str
    payer_id: str | None
    payer_name: str | None
    status_group: str
    billed: Decimal | None
    paid: Decimal
    outstanding: Decimal | None
    aged_from: date | None
    """The date of service (the claim's, else its first line's), else the UTC day it was created."""


def payer_of_policy(policies: Iterable[Row], payers: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    """(priority rank, payer id, payer name) per live policy id; `payers` by insurance plan id."""
    out: dict[str, Any] = {}
    for policy in policies:
        plan = ref_id(policy, "insurance_plan") or policy.get("insurance_plan_id")
        priority = (policy.get("priority_type") or "").strip().lower()
        payer_id, payer_name = payers.get(str(plan), (None, None)) if plan else (None, None)
        out[str(policy["id"])] = (POLICY_RANK.get(priority, 4), payer_id, payer_name)
    return out


def claims(
    claim_rows: Iterable[Row], policy_rows: Iterable[Row], payers: Mapping[str, tuple[str, str]]
) -> list[Claim]:
    """Each live claim with its payer: the claim's billed policy of the highest priority (primary
    first), ties to the claim's own order; a policy deleted since has no payer and ranks last."""
    policies = payer_of_policy(policy_rows, payers)
    out = []
    for row in claim_rows:
        billed = money(row.get("total_charge"))
        reimbursed = money(row.get("amount_reimbursed")) or Decimal(0)
        patient_paid = money(row.get("amount_paid")) or Decimal(0)
        adjustment = money(row.get("adjustment")) or Decimal(0)
        ranked = sorted(
            enumerate(row.get("cms1500_policies") or []),
            key=lambda item: (policies.get(str(item[1]["policy_id"]), (4, None, None))[0], item[0]),
        )
        _, payer_id, payer_name = (
            policies.get(str(ranked[0][1]["policy_id"]), (4, None, None)) if ranked else (4, None, None)
        )
        line_days = [
            d for line in row.get("cpt_codes_cms1500s") or [] if (d := day(line.get("service_date")))
        ]
        service = day(row.get("date_of_service")) or (min(line_days) if line_days else None)
        out.append(
            Claim(
                claim_id=str(row["id"]),
                payer_id=payer_id,
                payer_name=payer_name,
                status_group=claim_group(row.get("status")),
                billed=billed,
                paid=reimbursed + patient_paid,
                outstanding=None if billed is None else billed - reimbursed - patient_paid - adjustment,
                aged_from=service or utc_day(row.get("created_at")),
            )
        )
    return out


def payer_mix(rows: Iterable[Claim]) -> dict[tuple[date, str | None, str], tuple[int, int, Decimal, Decimal]]:
    """(claims, open claims, billed, paid) per month of service and payer, drafts left out."""
    groups: defaultdict[tuple[date, str | None, str], list[Claim]] = defaultdict(list)
    for claim in rows:
        if claim.status_group == "draft" or claim.aged_from is None:
            continue
        groups[(claim.aged_from.replace(day=1), claim.payer_id, claim.payer_name or "(no payer)")].append(
            claim
        )
    return {
        key: (
            len(members),
            sum(c.status_group in OPEN_CLAIM_GROUPS for c in members),
            total(c.billed for c in members) or Decimal(0),
            total(c.paid for c in members) or Decimal(0),
        )
        for key, members in groups.items()
    }


def claims_aging(
    rows: Iterable[Claim], as_of: date
) -> dict[tuple[str | None, str, str], tuple[int, Decimal | None, Decimal | None, int]]:
    """(open claims, billed, outstanding, oldest age) per payer and age bucket as of `as_of`."""
    groups: defaultdict[tuple[str | None, str, str], list[tuple[Claim, int]]] = defaultdict(list)
    for claim in rows:
        if claim.status_group not in OPEN_CLAIM_GROUPS or claim.aged_from is None:
            continue
        age = (as_of - claim.aged_from).days
        groups[(claim.payer_id, claim.payer_name or "(no payer)", bucket(age, CLAIM_BUCKETS))].append(
            (claim, age)
        )
    return {
        key: (
            len(members),
            total(c.billed for c, _ in members),
            total(c.outstanding for c, _ in members),
            max(age for _, age in members),
        )
        for key, members in groups.items()
    }


# --- invoices --------------------------------------------------------------------------------------


def invoices(sent: Iterable[Row], previews: Iterable[Row]) -> dict[str, tuple[Row, bool]]:
    """Every live invoice by id with whether it is a draft: the sent version wins over a preview."""
    out = {str(row["id"]): (row, True) for row in previews}
    out.update({str(row["id"]): (row, bool(row.get("is_preview"))) for row in sent})
    return out


def cents(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value))).quantize(CENT)


def invoices_outstanding(
    rows: Mapping[str, tuple[Row, bool]], as_of: date
) -> dict[tuple[str | None, str | None], tuple[int, Decimal, Decimal | None, dict[str, Decimal], int | None]]:
    """Per patient and currency, over sent invoices not settled with a balance left: (invoices, invoiced,
    balance due, balance due per age bucket of the invoice date, oldest age in days)."""
    groups: defaultdict[tuple[str | None, str | None], list[tuple[Row, int | None]]] = defaultdict(list)
    for row, is_draft in rows.values():
        balance = cents(row.get("balance_due"))
        if is_draft or invoice_group(row.get("status")) not in OWED_INVOICE_GROUPS or not (balance or 0) > 0:
            continue
        invoiced_on = day(row.get("date_to_show")) or day(row.get("service_date"))
        age = None if invoiced_on is None else (as_of - invoiced_on).days
        currency = row.get("currency")
        groups[(ref_id(row, "recipient") or row.get("recipient_id"), currency and currency.upper())].append(
            (row, age)
        )
    out = {}
    for key, members in groups.items():
        by_bucket: defaultdict[str, Decimal] = defaultdict(Decimal)
        for row, age in members:
            if age is not None:
                by_bucket[bucket(age, INVOICE_BUCKETS)] += cents(row.get("balance_due")) or Decimal(0)
        ages = [age for _, age in members if age is not None]
        out[key] = (
            len(members),
            total(money(row.get("price")) for row, _ in members) or Decimal(0),
            total(cents(row.get("balance_due")) for row, _ in members),
            dict(by_bucket),
            max(ages) if ages else None,
        )
    return out


# --- tasks and goals ---------------------------------------------------------------------------------


def task_backlog(rows: Iterable[Row], as_of: date) -> dict[tuple[str | None, str], tuple[int, int, int, int]]:
    """(open tasks, overdue, without due date, high priority) per assignee and age bucket as of `as_of`."""
    counts: defaultdict[tuple[str | None, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        created = utc_day(row.get("created_at"))
        if row.get("complete") or created is None:
            continue
        due = day(row.get("due_date"))
        assignee = ref_id(row, "user") or row.get("user_id")
        figures = counts[
            (None if assignee is None else str(assignee), bucket((as_of - created).days, TASK_BUCKETS))
        ]
        figures[0] += 1
        figures[1] += due is not None and due < as_of
        figures[2] += due is None
        figures[3] += (row.get("priority") or 0) >= 1
    return {key: (a, b, c, d) for key, (a, b, c, d) in counts.items()}


def goal_progress(
    goals: Iterable[Row], histories: Iterable[Row], patients: Iterable[Row], as_of: date
) -> dict[tuple[str, str | None], tuple[int, int, int, int, int, int, date | None]]:
    """Per patient and provider (who set the goal, else the patient's primary provider): (goals,
    completed, subgoals, subgoals completed, completions, completions in the 30 days to `as_of`, last
    completion day)."""
    primary = {str(p["id"]): p.get("dietitian_id") for p in patients}
    done: defaultdict[str, list[date | None]] = defaultdict(list)
    for history in histories:
        if history.get("goal_id") is not None:
            done[str(history["goal_id"])].append(day(history.get("completed_on")))
    counts: defaultdict[tuple[str, str | None], list[int]] = defaultdict(lambda: [0] * 6)
    last: dict[tuple[str, str | None], date | None] = {}
    for goal in goals:
        patient, creator = goal.get("user_id"), goal.get("created_user_id")
        if patient is None:
            continue
        provider = (
            creator if creator is not None and str(creator) != str(patient) else primary.get(str(patient))
        )
        key = (str(patient), None if provider is None else str(provider))
        days = done[str(goal["id"])]
        is_sub = bool((goal.get("parent_id") or "").strip())
        figures = counts[key]
        figures[2 if is_sub else 0] += 1
        figures[3 if is_sub else 1] += bool(days)
        figures[4] += len(days)
        figures[5] += sum(d is not None and as_of - timedelta(days=30) < d <= as_of for d in days)
        known = [d for d in days if d is not None]
        previous = last.get(key)
        last[key] = max([*known, previous]) if known and previous else (max(known) if known else previous)
    return {
        key: (goals_, completed, subgoals, subgoals_completed, completions, recent, last[key])
        for key, (goals_, completed, subgoals, subgoals_completed, completions, recent) in counts.items()
    }
