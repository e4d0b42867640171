"""Changes on demand: lists, counts, by-id reads, truth and webhook events follow each change."""

from __future__ import annotations

import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl, SandboxControlError
from healthie_sandbox.server import start_in_thread

EVERYTHING = {"filter": "all", "is_org": True, "with_all_statuses": True}


def _events(change: dict) -> list[str]:
    return [e["event_type"] for e in change["events"]]


def _listed(gql: Gql, stream: str) -> set[str]:
    return (
        {r["id"] for r in gql.pull_cursor(stream, 100)}
        if stream != "providers"
        else {r["id"] for r in gql.pull_offset(stream, 100)}
    )


@pytest.mark.parametrize(
    ("stream", "event"),
    [("appointments", "appointment.created"), ("billing_items", "billing_item.created"),
     ("form_answer_groups", "form_answer_group.created"), ("patients", "patient.created"),
     ("providers", None), ("appointment_types", None)],
)  # fmt: skip
def test_create_lists_the_row_and_announces_it(
    stream: str, event: str | None, private_gql: Gql, private_control: SandboxControl
) -> None:
    change = private_control.change("create", stream)
    assert _events(change) == ([event] if event else [])
    assert change["id"] in _listed(private_gql, stream)
    assert change["id"] in {r["id"] for r in private_control.truth(stream)}


def test_created_entry_event_follows_its_type(private_control: SandboxControl) -> None:
    metric = private_control.change(
        "create", "entries", type="MetricEntry", category="Weight", metric_stat=180.5
    )
    note = private_control.change("create", "entries", type="NoteEntry", category=None, metric_stat=None)
    assert _events(metric) == ["metric_entry.created"] and _events(note) == ["entry.created"]
    assert all(e["resource_id_type"] == "Entry" for e in metric["events"] + note["events"])


def test_update_changes_fields_and_updated_at_but_never_the_start(
    private_gql: Gql, private_control: SandboxControl
) -> None:
    row_id = private_control.create("appointments", pm_status=None, notes="before")
    before = private_gql.op("appointments", "Appointment", id=row_id)
    change = private_control.update("appointments", row_id, pm_status="Occurred", notes='after "quoted" 🎉')
    after = private_gql.op("appointments", "Appointment", id=row_id)
    assert after["pm_status"] == "Occurred" and after["notes"] == 'after "quoted" 🎉'
    assert after["date"] == before["date"] and after["created_at"] == before["created_at"]
    assert _events(change) == ["appointment.updated"]
    assert set(change["changed_fields"]) == {"pm_status", "notes", "updated_at"}


def test_soft_delete_hides_the_row_except_with_include_deleted(
    private_gql: Gql, private_control: SandboxControl
) -> None:
    count = private_gql.op("appointments", "AppointmentsCount", **EVERYTHING)
    row_id = private_control.create("appointments")
    change = private_control.delete("appointments", row_id)
    assert _events(change) == ["appointment.deleted"]
    assert private_gql.op("appointments", "AppointmentsCount", **EVERYTHING) == count
    assert private_gql.op("appointments", "Appointment", id=row_id) is None
    query = "query($id: ID) { appointment(id: $id, include_deleted: true) { id deleted_at } }"
    deleted = private_gql.data(query, {"id": row_id})["appointment"]
    assert deleted["id"] == row_id and deleted["deleted_at"]
    assert row_id in private_control.truth_deleted_ids("appointments")
    assert row_id not in _listed(private_gql, "appointments")


def test_payment_delete_is_silent_and_entry_delete_is_hard(
    private_gql: Gql, private_control: SandboxControl
) -> None:
    payment = private_control.create("billing_items")
    assert (
        _events(private_control.delete("billing_items", payment)) == []
    )  # Healthie has no billing_item.deleted
    assert private_gql.op("billing_items", "BillingItem", id=payment) is None
    entry = private_control.create("entries", type="FoodEntry")
    assert _events(private_control.delete("entries", entry)) == ["entry.deleted"]
    assert private_gql.op("entries", "Entry", id=entry) is None
    assert entry in private_control.truth_deleted_ids("entries")
    with pytest.raises(SandboxControlError, match="404"):
        private_control.delete("entries", entry)


def test_form_life_cycle_events(private_gql: Gql, private_control: SandboxControl) -> None:
    draft = private_control.change("create", "form_answer_groups", finished=False)
    assert _events(draft) == [] and draft["id"] not in _listed(private_gql, "form_answer_groups")
    finished = private_control.update("form_answer_groups", draft["id"], finished=True)
    assert _events(finished) == ["form_answer_group.created"]
    assert draft["id"] in _listed(private_gql, "form_answer_groups")
    owner = private_control.info()["owner_provider_id"]
    locked = private_control.update("form_answer_groups", draft["id"], locked_at="2030-01-01 10:00:00 UTC",
                                    locked_by={"id": owner})  # fmt: skip
    assert _events(locked) == ["form_answer_group.locked"]
    signing = {
        "id": "1",
        "form_answer_group_id": draft["id"],
        "created_at": "2030-01-01 10:05:00 UTC",
        "user_id": owner,
    }
    signed = private_control.update("form_answer_groups", draft["id"], form_answer_group_signings=[signing])
    assert _events(signed) == ["form_answer_group.signed"]
    edited = private_control.update("form_answer_groups", draft["id"], name="Renamed")
    assert _events(edited) == []  # Healthie has no form_answer_group.updated
    assert _events(private_control.delete("form_answer_groups", draft["id"])) == ["form_answer_group.deleted"]
    assert private_gql.op("form_answer_groups", "FormAnswerGroup", id=draft["id"]) is None


def test_patients_update_but_cannot_be_deleted(private_control: SandboxControl) -> None:
    patient = private_control.create("patients")
    assert _events(private_control.update("patients", patient, phone_number="(555) 010-0000")) == [
        "patient.updated"
    ]
    with pytest.raises(SandboxControlError, match="cannot be deleted"):
        private_control.delete("patients", patient)


@pytest.mark.parametrize(
    ("op", "stream", "row_id", "fields", "message"),
    [("create", "appointments", None, {"ssn": "x"}, "has no field"),
     ("update", "appointments", "100001", {"created_at": "2020-01-01 00:00:00 UTC"}, "cannot be set"),
     ("create", "meetings", None, {}, "unknown stream"),
     ("update", "billing_items", "1", {"note": "x"}, "does not exist"),
     ("create", "billing_items", None, {"amount_paid": "lots"}, "decimal")],
)  # fmt: skip
def test_bad_changes_are_refused(
    op: str, stream: str, row_id: str | None, fields: dict, message: str, private_control: SandboxControl
) -> None:
    with pytest.raises(SandboxControlError, match=message):
        private_control.change(op, stream, row_id, **fields)


def test_random_updates_keep_windowing_attributes(private_control: SandboxControl) -> None:
    windows = {"appointments": "date", "billing_items": "created_at", "entries": "created_at"}
    before = {s: {r["id"]: r for r in private_control.truth(s)} for s in windows}
    for stream in windows:
        for row_id in list(before[stream])[:15]:
            private_control.update(stream, row_id)  # no fields: a realistic random update
    for stream, attribute in windows.items():
        after = {r["id"]: r for r in private_control.truth(stream)}
        changed = [
            i for i in list(before[stream])[:15] if after[i]["updated_at"] != before[stream][i]["updated_at"]
        ]
        assert changed, stream
        assert all(after[i][attribute] == before[stream][i][attribute] for i in changed)


def test_reset_reseeds_the_data(private_control: SandboxControl) -> None:
    private_control.create("appointments")
    private_control.delete("entries", private_control.truth("entries")[0]["id"])
    assert private_control.reset()["seed"] == 7
    assert private_control.recent_changes() == []
    with start_in_thread(scale=0.05, seed=7) as fresh, fresh.control() as control:
        for stream in ("appointments", "entries", "form_answer_groups"):
            assert private_control.truth(stream) == control.truth(stream)
            assert private_control.truth_deleted_ids(stream) == control.truth_deleted_ids(stream)


def test_embedded_lists_are_checked_and_stored_in_api_shape(
    private_gql: Gql, private_control: SandboxControl
) -> None:
    form = private_control.create("form_answer_groups")
    owner = private_control.info()["owner_provider_id"]
    signing = {
        "id": "9",
        "form_answer_group_id": form,
        "created_at": "2030-01-01T00:00:00Z",
        "user": {"id": owner},
    }
    private_control.update("form_answer_groups", form, form_answer_group_signings=[signing],
                           form_answers=[{"id": "1", "label": "Only question"}])  # fmt: skip
    query = (
        "query($id: ID) { formAnswerGroup(id: $id) {"
        " form_answer_group_signings { user { id } } form_answers { id answer } } }"
    )
    item = private_gql.data(query, {"id": form})["formAnswerGroup"]
    assert item["form_answer_group_signings"] == [{"user": {"id": owner}}]
    assert item["form_answers"] == [{"id": "1", "answer": None}]
    with pytest.raises(SandboxControlError, match="has no field"):
        private_control.update("form_answer_groups", form, form_answers=[{"ssn": "x"}])
    with pytest.raises(SandboxControlError, match="must be a list"):
        private_control.update("form_answer_groups", form, form_answers="oops")
