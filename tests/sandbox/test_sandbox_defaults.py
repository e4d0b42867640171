"""Healthie's documented defaults, each of which silently drops rows from a naive pull."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle
from healthie_sandbox.timestamps import parse_any

INACTIVE = {"Cancelled", "No-Show", "Re-Scheduled"}


def _start(row: dict) -> float:
    return parse_any(row["date"])


@pytest.fixture(scope="module")
def appointments_truth(sandbox_control_module: SandboxControl) -> list[dict]:
    return sandbox_control_module.truth("appointments")


@pytest.fixture(scope="module")
def sandbox_control_module(sandbox: SandboxHandle) -> SandboxControl:
    return sandbox.control()


def test_appointments_default_to_own_future_active_and_unpaginated(
    gql: Gql, sandbox_control: SandboxControl
) -> None:
    owner = sandbox_control.info()["owner_provider_id"]
    truth = sandbox_control.truth("appointments")
    now = time.time()
    expected = {
        r["id"]
        for r in truth
        if r["provider"]["id"] == owner and _start(r) > now and r["pm_status"] not in INACTIVE
    }
    listed = gql.op("appointments", "Appointments")  # no arguments at all: Healthie's defaults
    assert {r["id"] for r in listed} == expected
    assert len(listed) > 10, "unpaginated: more than the default page size comes back"
    assert gql.op("appointments", "AppointmentsCount") == len(expected)


@pytest.mark.parametrize(
    ("variables", "keep"),
    [
        (
            {"filter": "all"},
            lambda r, owner, now: r["provider"]["id"] == owner and r["pm_status"] not in INACTIVE,
        ),
        (
            {"filter": "past", "is_org": True},
            lambda r, owner, now: _start(r) <= now and r["pm_status"] not in INACTIVE,
        ),
        ({"is_org": True, "with_all_statuses": True}, lambda r, owner, now: _start(r) > now),
        ({"filter": "all", "is_org": True, "with_all_statuses": True}, lambda r, owner, now: True),
    ],
    ids=["own-all-active", "org-past-active", "org-future-all-statuses", "everything"],
)
def test_each_appointment_argument_lifts_one_default(
    variables: dict, keep: object, gql: Gql, sandbox_control: SandboxControl
) -> None:
    owner = sandbox_control.info()["owner_provider_id"]
    now = time.time()
    expected = {r["id"] for r in sandbox_control.truth("appointments") if keep(r, owner, now)}  # type: ignore[operator]
    assert {r["id"] for r in gql.op("appointments", "Appointments", **variables)} == expected
    assert gql.op("appointments", "AppointmentsCount", **variables) == len(expected)


def test_every_status_and_blockers_exist_in_the_seed(sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("appointments")
    statuses = {r["pm_status"] for r in truth}
    assert {"Occurred", "No-Show", "Re-Scheduled", "Cancelled", "Late Cancellation", None} <= statuses
    blockers = [r for r in truth if r["is_blocker"]]
    assert blockers and all(r["user"] is None for r in blockers)


def test_appointment_date_window_is_inclusive_utc_days(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("appointments")
    day = datetime.fromtimestamp(_start(truth[len(truth) // 2]), UTC).date()
    first, last = day - timedelta(days=3), day
    expected = {r["id"] for r in truth if first <= datetime.fromtimestamp(_start(r), UTC).date() <= last}
    everything = {"filter": "all", "is_org": True, "with_all_statuses": True, "should_paginate": True}
    window = {"startDate": first.isoformat(), "endDate": last.isoformat()}
    rows = gql.pull_cursor("appointments", 50, **window)
    assert {r["id"] for r in rows} == expected
    count_args = {k: v for k, v in everything.items() if k != "should_paginate"}
    assert gql.op("appointments", "AppointmentsCount", **count_args, **window) == len(expected)


def test_billing_window_is_inclusive_utc_days_on_created_at(
    gql: Gql, sandbox_control: SandboxControl
) -> None:
    truth = sandbox_control.truth("billing_items")
    day = datetime.fromtimestamp(parse_any(truth[5]["created_at"]), UTC).date()
    expected = {
        r["id"] for r in truth if datetime.fromtimestamp(parse_any(r["created_at"]), UTC).date() == day
    }
    window = {"created_at_start": day.isoformat(), "created_at_end": day.isoformat()}
    assert {r["id"] for r in gql.pull_cursor("billing_items", 20, **window)} == expected
    assert gql.op("billing_items", "BillingItemsCount", **window) == len(expected)


def test_entries_default_to_the_key_holders_clients(gql: Gql, sandbox_control: SandboxControl) -> None:
    owner = sandbox_control.info()["owner_provider_id"]
    own_clients = {p["id"] for p in sandbox_control.truth("patients") if p["dietitian_id"] == owner}
    truth = sandbox_control.truth("entries")
    expected = {e["id"] for e in truth if e["poster"]["id"] in own_clients}
    assert 0 < len(expected) < len(truth)
    assert {e["id"] for e in gql.pull_cursor("entries", 100, is_org=False)} == expected
    assert gql.op("entries", "EntriesCount") == len(expected)


def test_entries_end_range_is_exclusive_and_needs_a_start(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("entries")
    day = datetime.fromtimestamp(parse_any(truth[7]["created_at"]), UTC).date()

    def on(d: object) -> set[str]:
        return {e["id"] for e in truth if datetime.fromtimestamp(parse_any(e["created_at"]), UTC).date() == d}

    window = {"start_range": day.isoformat(), "end_range": (day + timedelta(days=2)).isoformat()}
    assert {e["id"] for e in gql.pull_cursor("entries", 100, **window)} == on(day) | on(
        day + timedelta(days=1)
    )
    assert gql.op("entries", "EntriesCount", is_org=True, **window) == len(
        on(day) | on(day + timedelta(days=1))
    )
    only_end = gql.op("entries", "EntriesCount", is_org=True, end_range=day.isoformat())
    assert only_end == len(truth), "end_range without start_range is ignored, as Healthie documents"


def test_forms_list_only_finished_and_default_unpaginated(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("form_answer_groups")
    assert truth and all(f["finished"] for f in truth)
    listed = gql.op("form_answer_groups", "FormAnswerGroups")  # should_paginate defaults to false
    assert {f["id"] for f in listed} == {f["id"] for f in truth}
    assert gql.op("form_answer_groups", "FormAnswerGroupsCount") == len(truth)


def test_forms_updated_window_is_half_open(gql: Gql, sandbox_control: SandboxControl) -> None:
    truth = sorted(sandbox_control.truth("form_answer_groups"), key=lambda f: parse_any(f["updated_at"]))
    pivot = parse_any(truth[len(truth) // 2]["updated_at"])
    instant = datetime.fromtimestamp(pivot, UTC).isoformat()
    before = {f["id"] for f in truth if parse_any(f["updated_at"]) < pivot}
    after = {f["id"] for f in truth if parse_any(f["updated_at"]) >= pivot}
    assert {f["id"] for f in gql.pull_cursor("form_answer_groups", 30, updated_before=instant)} == before
    assert {f["id"] for f in gql.pull_cursor("form_answer_groups", 30, updated_after=instant)} == after


def test_form_content_is_nested_and_realistic(sandbox_control: SandboxControl) -> None:
    truth = sandbox_control.truth("form_answer_groups")
    assert all(f["form_answers"] for f in truth)
    assert any(f["locked_at"] for f in truth) and any(f["form_answer_group_signings"] for f in truth)
    assert len({f["custom_module_form"]["id"] for f in truth}) >= 4


def test_users_are_patients_and_members_are_providers(gql: Gql, sandbox_control: SandboxControl) -> None:
    patients = {p["id"] for p in sandbox_control.truth("patients")}
    providers = {p["id"] for p in sandbox_control.truth("providers")}
    assert not patients & providers
    assert {u["id"] for u in gql.pull_offset("patients", 100)} == patients
    assert {u["id"] for u in gql.pull_offset("providers", 100)} == providers
    assert gql.op("patients", "PatientsCount") == len(patients)
    assert gql.op("providers", "ProvidersCount") == len(providers)


def test_default_orders_follow_healthies_schema(gql: Gql) -> None:
    page = gql.op("billing_items", "BillingItems")  # CREATED_AT_DESC by default
    stamps = [parse_any(r["created_at"]) for r in page]
    assert stamps == sorted(stamps, reverse=True)
    patients = gql.offset_page("patients", 0, page_size=50)  # LAST_NAME_ASC by default
    assert [p["last_name"] for p in patients] == sorted(p["last_name"] for p in patients)


def test_timestamps_come_in_healthies_mixed_styles(sandbox_control: SandboxControl) -> None:
    stamps = [r["created_at"] for r in sandbox_control.truth("appointments")]
    assert any(s.endswith(" UTC") for s in stamps)
    assert any(s.endswith("Z") for s in stamps)
    assert any(s[10] == " " and s[-5] in "+-" for s in stamps)
    assert any(s[10] == "T" and s[-6] in "+-" for s in stamps)


def test_text_money_and_entry_types_are_realistic(sandbox_control: SandboxControl) -> None:
    payments = sandbox_control.truth("billing_items")
    assert all(
        p["amount_paid"].count(".") == 1 and len(p["amount_paid"].split(".")[1]) == 2 for p in payments
    )
    assert {"succeeded", "failed", "refunded", "pending"} <= {p["state"] for p in payments}
    entries = sandbox_control.truth("entries")
    assert {"FoodEntry", "MirrorEntry", "MetricEntry", "WorkoutEntry", "SleepEntry", "NoteEntry"} <= {
        e["type"] for e in entries
    }
    metrics = [e for e in entries if e["type"] == "MetricEntry"]
    assert {"Weight", "A1C", "Blood Pressure"} <= {e["category"] for e in metrics}
    assert all(isinstance(e["metric_stat"], float) for e in metrics)
    notes = " ".join(a["notes"] or "" for a in sandbox_control.truth("appointments"))
    assert "\n" in notes and '"' in notes and "<" in notes and any(ord(c) > 0xFFFF for c in notes)
