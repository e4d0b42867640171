"""Synthetic Healthie lakes for the dbt tests: Delta tables written by the lake's own MERGE, from the specs.

The dbt project is tested without the sandbox or the extraction: this module writes what they would,
each stream's Delta table at `$WAREHOUSE_DIR/lake/healthie/<stream>/` (the current state, one row per
live record), through `pipelines.lake` itself: rows typed by each stream's Arrow schema in
`pipelines/healthie/streams.py` (`rows_to_table`, which computes `_row_hash`), MERGEd under the table's
write lock. So a schema or MERGE rule change there is felt here. A "batch" is one MERGE: a full pull
replaces a row only when newer and changed, a change batch (a webhook re-read) when newer; a
`tombstone` is a deletion, which removes the row when newer than it. `write_batch` is the building
block; `write_scenario` lays down the canonical lake the tests assert against (`SCENARIO` documents it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
from deltalake import write_deltalake

from pipelines.extract.rows import rows_to_table
from pipelines.healthie.streams import STREAMS_BY_NAME
from pipelines.lake.layout import BatchId, BatchKind, lake_table
from pipelines.lake.table import MergeResult, deletions

Row = Mapping[str, Any]

#: When the canonical full sync read everything, and when the change batch re-read what webhooks named.
FULL_SYNC_AT = datetime(2024, 3, 10, 2, 0, tzinfo=UTC)
CHANGES_AT = FULL_SYNC_AT + timedelta(hours=9)
#: The day the aging reports are built "as of" in the tests (dbt var `report_as_of`): the scenario's sync day.
REPORT_AS_OF = FULL_SYNC_AT.date()
#: How long the test tables keep earlier versions (nothing here runs maintenance).
RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class Tombstone:
    """A record read back as gone: the batch deletes its id."""

    id: str


def tombstone(record_id: str) -> Tombstone:
    """The record is gone: the batch that carries this deletes it from the table."""
    return Tombstone(record_id)


def write_batch(
    warehouse_dir: Path,
    stream: str,
    rows: Sequence[Row | Tombstone],
    *,
    extracted_at: datetime,
    kind: str = "full",
    schema: pa.Schema | None = None,
) -> MergeResult | None:
    """MERGE one batch of one stream into its Delta table (created if missing), as the extraction does.

    Each row gives the API fields it cares about (the rest are null); `tombstone(id)` entries are
    deletions seen at `extracted_at`. `kind` is `full` (a nightly pull: unchanged rows keep their
    version) or `change` (a webhook re-read: newer wins even unchanged). `schema` replaces the stream's
    Arrow schema to write what the extraction never would (e.g. a null id): such rows are appended
    with the raw Delta writer, bypassing the MERGE, and nothing is returned.
    """
    spec = STREAMS_BY_NAME[stream]
    batch = BatchId.new(BatchKind(kind), extracted_at)
    records = [row for row in rows if not isinstance(row, Tombstone)]
    gone = [row.id for row in rows if isinstance(row, Tombstone)]
    names = [field.name for field in spec.fields]
    unknown = {key for row in records for key in row} - set(names)
    if unknown:
        raise ValueError(f"{stream}: no such API fields {sorted(unknown)}")
    table = lake_table(warehouse_dir, stream, spec.arrow_schema)
    if schema is not None:
        bookkeeping = {"_extracted_at": extracted_at, "_sync_id": batch.value, "_row_hash": 0}
        raw = pa.Table.from_pylist(
            [{name: row.get(name, bookkeeping.get(name)) for name in schema.names} for row in records],
            schema=schema,
        )
        with table.write_lock():
            table.create(RETENTION)
            write_deltalake(str(table.path), raw, mode="append")
        return None
    upserts = rows_to_table(
        spec,
        [{name: row.get(name) for name in names} for row in records],
        extracted_at=extracted_at,
        sync_id=batch.value,
    )
    with table.write_lock():
        return table.merge(
            upserts,
            deletions(gone, extracted_at),
            retention=RETENTION,
            refresh_unchanged=kind == "change",
            batch_id=batch.value,
        )


#: A change batch's appointment whose start no parser reads (the value must never reach a message).
UNPARSEABLE_START = "next Tuesday at 9"


def write_unparseable_appointment(warehouse_dir: Path, extracted_at: datetime) -> None:
    """Re-read appointment 1001 with a start time that is not a Healthie timestamp (`UNPARSEABLE_START`)."""
    write_batch(
        warehouse_dir,
        "appointments",
        [{"id": "1001", "date": UNPARSEABLE_START, "user_id": 1, "provider": {"id": "101"}}],
        extracted_at=extracted_at,
        kind="change",
    )


def create_empty(warehouse_dir: Path, stream: str) -> None:
    """The stream's Delta table with no rows yet (created, nothing merged)."""
    table = lake_table(warehouse_dir, stream, STREAMS_BY_NAME[stream].arrow_schema)
    with table.write_lock():
        table.create(RETENTION)


def form_answer(answer_id: str, question: str, label: str, answer: str) -> dict[str, Any]:
    return {
        "id": answer_id,
        "custom_module_id": question,
        "label": label,
        "answer": answer,
        "displayed_answer": answer,
        "created_at": "2024-02-01 10:00:00 UTC",
        "updated_at": "2024-02-01T10:00:00Z",
    }


def policy(policy_id: str, patient: str, priority: str, name: str, plan: Row) -> dict[str, Any]:
    return {
        "id": policy_id,
        "user_id": patient,
        "name": name,
        "priority_type": priority,
        "insurance_plan_id": plan["id"],
        "insurance_plan": plan,
        "updated_at": "2024-01-01 09:00:00 UTC",
    }


def claim(
    claim_id: str,
    patient: str,
    provider: str,
    status: str,
    service_date: str | None,
    billed: str,
    policies: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "id": claim_id,
        "patient_id": patient,
        "dietitian_id": provider,
        "status": status,
        "date_of_service": service_date,
        "total_charge": billed,
        "cms1500_policies": [{"id": f"{claim_id}-{n}", "policy_id": p} for n, p in enumerate(policies)],
        "created_at": "2024-03-01 08:00:00 UTC",
        "updated_at": "2024-03-01T08:00:00Z",
    }


def claim_line(
    line_id: str,
    cpt: str,
    units: str,
    fee: str,
    service_date: str | None,
    pointers: Sequence[str] = ("A",),
    mod1: str | None = None,
    mod2: str | None = None,
) -> dict[str, Any]:
    return {
        "id": line_id,
        "cpt_code": {"id": f"cpt-{cpt}", "code": cpt},
        "units": units,
        "fee": fee,
        "mod1": mod1,
        "mod2": mod2,
        "pointers": list(pointers),
        "service_date": service_date,
        "created_at": "2024-03-01 08:00:00 UTC",
    }


def diagnosis(diagnosis_id: str, icd: str) -> dict[str, Any]:
    return {"id": diagnosis_id, "active": True, "icd_code": {"id": f"icd-{icd}", "code": icd}}


def invoice(
    invoice_id: str, patient: str, status: str, price: str, balance: float, dated: str
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "invoice_id": f"INV-{invoice_id}",
        "invoice_type": "other",
        "status": status,
        "is_preview": False,
        "price": price,
        "currency": "usd",
        "balance_due": balance,
        "date_to_show": dated,
        "recipient_id": patient,
        "sender_id": "101",
    }


def form_template(template_id: str, name: str, *, charting: bool) -> dict[str, Any]:
    return {
        "id": template_id,
        "name": name,
        "use_for_charting": charting,
        "uploaded_by_healthie_team": False,
        "user": {"id": "101"},
        "created_at": "2023-01-01 09:00:00 UTC",
        "updated_at": "2023-01-01 09:00:00 UTC",
    }


def care_plan(plan_id: str, patient: str | None, creator: str, name: str) -> dict[str, Any]:
    return {
        "id": plan_id,
        "name": name,
        "is_active": True,
        "is_template": False,
        "patient": {"id": patient} if patient else None,
        "creator": {"id": creator},
        "created_at": "2024-01-02 09:00:00 UTC",
        "updated_at": "2024-01-02 09:00:00 UTC",
    }


def goal(goal_id: str, patient: str, creator: str, name: str, repeat: str) -> dict[str, Any]:
    return {
        "id": goal_id,
        "user_id": patient,
        "created_user_id": creator,
        "name": name,
        "repeat": repeat,
        "start_on": "2024-01-01",
        "created_at": "2024-01-01 09:00:00 UTC",
    }


def goal_history(history_id: str, goal_id: str, patient: str, completed_on: str) -> dict[str, Any]:
    return {
        "id": history_id,
        "goal_id": goal_id,
        "user_id": patient,
        "completed_on": completed_on,
        "is_subgoal": False,
        "created_at": f"{completed_on} 20:00:00 UTC",
    }


def task(
    task_id: str, assignee: str | None, created_at: str, *, due: str | None = None, priority: int = 0
) -> dict[str, Any]:
    return {
        "id": task_id,
        "user_id": assignee,
        "created_by_id": "101",
        "complete": False,
        "hidden": False,
        "seen": False,
        "priority": priority,
        "due_date": due,
        "created_at": created_at,
        "updated_at": created_at,
    }


def document(
    document_id: str, patient: str, owner: str, name: str, content_type: str, extension: str
) -> dict[str, Any]:
    return {
        "id": document_id,
        "display_name": name,
        "file_content_type": content_type,
        "extension": extension,
        "friendly_type": "Document",
        "rel_user_id": patient,
        "owner": {"id": owner},
        "created_at": "2024-02-01 09:00:00 UTC",
        "updated_at": "2024-02-01 09:00:00 UTC",
    }


@dataclass(frozen=True)
class Scenario:
    """The canonical lake: a full sync, then one change batch per stream (nine hours later)."""

    full: Mapping[str, Sequence[Row | Tombstone]]
    changes: Mapping[str, Sequence[Row | Tombstone]]


_PROVIDER = {"provider": {"id": "101"}}
_MEDICARE = {"id": "902", "payer_id": "00882", "payer_name": "Medicare"}
_BLUE_CROSS = {"id": "903", "payer_id": "BCBS1", "payer_name": "Blue Cross"}
_INTAKE = {"id": "601", "name": "Intake", "use_for_charting": False}
_CHART = {"id": "602", "name": "SOAP note", "use_for_charting": True}

SCENARIO = Scenario(
    full={
        "providers": [
            {
                "id": "101",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "npi": "1234567890",
                "created_at": "2019-01-01 09:00:00 UTC",
            },
            {"id": "102", "first_name": "Grace", "last_name": "Hopper", "created_at": "2019-06-01T12:00:00Z"},
            {"id": "103", "first_name": "Gone", "last_name": "Provider"},
        ],
        "appointment_types": [
            {"id": "11", "name": "Initial consultation", "length": 60, "pricing": "150.00", "position": 1},
            {"id": "12", "name": "Follow-up", "length": 30, "pricing": "75.5", "position": 2},
            {"id": "13", "name": "Free call", "length": 15, "pricing": None, "position": 3},
        ],
        "patients": [
            {
                "id": "1",
                "first_name": "Pat",
                "last_name": "One",
                "dob": "1980-04-02",
                "dietitian_id": "101",
                "active": True,
                "created_at": "2023-01-01 08:00:00 -0500",
            },
            {
                "id": "2",
                "first_name": "Pat",
                "last_name": "Two",
                "dob": None,
                "dietitian_id": "102",
                "active": True,
                "created_at": "2023-02-01T08:00:00.5+01:00",
            },
            {"id": "3", "first_name": "Pat", "last_name": "Three", "active": False},
            {"id": "4", "first_name": "Old", "last_name": "Name", "active": True},
        ],
        "appointments": [
            # Start at 09:00 -0500 = 14:00 UTC.
            {
                "id": "1001",
                "date": "2024-01-15 09:00:00 -0500",
                "end": "2024-01-15 10:00:00 -0500",
                "length": 60,
                "pm_status": "Occurred",
                "user_id": 1,
                **_PROVIDER,
                "appointment_type": {"id": "11", "name": "Initial consultation"},
                "appointment_type_id": 11,
                "created_at": "2024-01-01 08:00:00 UTC",
                "updated_at": "2024-01-15T15:00:00Z",
            },
            # Status not set yet at the full sync; the change batch records the no-show.
            {
                "id": "1002",
                "date": "2024-01-20 15:30:00 UTC",
                "pm_status": None,
                "user_id": 2,
                **_PROVIDER,
                "appointment_type": {"id": "12", "name": "Follow-up"},
            },
            {
                "id": "1003",
                "date": "2024-02-03T10:00:00Z",
                "pm_status": "Cancelled",
                "user_id": 1,
                "provider": {"id": "102"},
                "appointment_type": {"id": "11", "name": "Initial consultation"},
            },
            # An availability block: no patient; 08:00:00.250 -08:00 = 16:00:00.250 UTC.
            {
                "id": "1004",
                "date": "2024-02-05T08:00:00.250-08:00",
                "is_blocker": True,
                "user_id": None,
                **_PROVIDER,
            },
            {
                "id": "1005",
                "date": "2024-03-01 12:00:00 +0000",
                "pm_status": None,
                "user_id": 2,
                "provider": {"id": "102"},
                "appointment_type": {"id": "12", "name": "Follow-up"},
            },
            {
                "id": "1006",
                "date": "2024-01-22 12:00:00 UTC",
                "pm_status": "Occurred",
                "user_id": 1,
                **_PROVIDER,
            },
            {
                "id": "1007",
                "date": "2024-01-23 12:00:00 UTC",
                "pm_status": "Occurred",
                "user_id": 1,
                **_PROVIDER,
            },
            # A patient the patients stream does not (yet) have.
            {
                "id": "1008",
                "date": "2024-01-29 23:30:00 -0500",
                "pm_status": "Late Cancellation",
                "user_id": 99,
                **_PROVIDER,
            },
            {
                "id": "1009",
                "date": "2024-01-10 09:00:00 EST",
                "pm_status": "Re-Scheduled",
                "user_id": 2,
                **_PROVIDER,
            },
        ],
        "billing_items": [
            {
                "id": "2001",
                "amount_paid": "150.00",
                "state": "succeeded",
                "currency": "usd",
                "sender_id": "1",
                "recipient_id": "101",
                "created_at": "2024-01-15 16:00:00 UTC",
            },
            {
                "id": "2002",
                "amount_paid": "75.50",
                "state": "failed",
                "sender_id": "2",
                "recipient_id": "101",
                "created_at": "2024-01-20 16:00:00 -0500",
            },
            {
                "id": "2003",
                "amount_paid": "20",
                "state": "refunded",
                "sender_id": "1",
                "recipient_id": "102",
                "created_at": "2024-02-03T11:00:00Z",
            },
            {
                "id": "2004",
                "amount_paid": "1234.56",
                "state": "succeeded",
                "sender_id": "2",
                "recipient_id": "101",
                "created_at": "2024-01-31T23:30:00-05:00",
            },
            {
                "id": "2005",
                "amount_paid": "10.00",
                "state": "succeeded",
                "sender_id": "1",
                "recipient_id": "101",
                "created_at": "2024-01-16 10:00:00 UTC",
            },
            {
                "id": "2006",
                "amount_paid": "0.10",
                "state": "pending",
                "sender_id": "1",
                "recipient_id": "102",
                "created_at": "2024-02-04 10:00:00 UTC",
            },
            {
                "id": "2007",
                "amount_paid": "99.99",
                "state": "pending",
                "sender_id": "2",
                "recipient_id": "101",
                "created_at": "2024-01-15 17:00:00 UTC",
            },
        ],
        "entries": [
            # Week of Monday 2024-01-15 for u1: two weights (the later one is the week's latest), an A1C.
            {
                "id": "3001",
                "type": "MetricEntry",
                "category": "Weight",
                "metric_stat": 180.5,
                "poster": {"id": "1"},
                "created_at": "2024-01-15 08:00:00 UTC",
            },
            {
                "id": "3002",
                "type": "MetricEntry",
                "category": "Weight",
                "metric_stat": 179.0,
                "poster": {"id": "1"},
                "created_at": "2024-01-18 08:00:00 -0500",
            },
            {
                "id": "3003",
                "type": "MetricEntry",
                "category": "A1C",
                "metric_stat": 6.1,
                "poster": {"id": "1"},
                "created_at": "2024-01-16T08:00:00Z",
            },
            {
                "id": "3004",
                "type": "FoodEntry",
                "name": "Oatmeal",
                "poster": {"id": "1"},
                "created_at": "2024-01-16 07:00:00 UTC",
            },
            {
                "id": "3005",
                "type": "NoteEntry",
                "description": "Felt fine",
                "poster": {"id": "2"},
                "created_at": "2024-01-17 07:00:00 UTC",
            },
            {
                "id": "3006",
                "type": "MetricEntry",
                "category": "Blood Pressure",
                "metric_stat": 120.0,
                "poster": {"id": "2"},
                "created_at": "2024-01-22 07:00:00 UTC",
            },
            {
                "id": "3007",
                "type": "MetricEntry",
                "category": "Steps",
                "metric_stat": 8000.0,
                "poster": {"id": "2"},
                "created_at": "2024-01-23 07:00:00 UTC",
            },
            # Sunday 2024-01-21 23:30 -0500 is Monday 04:30 UTC: it falls in the week of 2024-01-22.
            {
                "id": "3008",
                "type": "MirrorEntry",
                "poster": {"id": "1"},
                "created_at": "2024-01-21 23:30:00 -0500",
            },
        ],
        "form_answer_groups": [
            {
                "id": "4001",
                "name": "Intake",
                "finished": True,
                "user_id": "1",
                "filler": {"id": "1"},
                "custom_module_form": _INTAKE,
                "created_at": "2024-02-01 10:00:00 UTC",
                "form_answers": [
                    form_answer("5001", "701", "Goal", "Lose weight"),
                    form_answer("5002", "702", "Allergies", "None"),
                ],
            },
            {
                "id": "4002",
                "name": "Intake",
                "finished": True,
                "user_id": "2",
                "filler": {"id": "2"},
                "custom_module_form": _INTAKE,
                "created_at": "2024-02-02 10:00:00 UTC",
                "form_answers": [form_answer("5003", "701", "Goal", "Sleep better")],
            },
            # A chart note filled by the provider, locked two hours after creation, then signed.
            {
                "id": "4003",
                "name": "SOAP",
                "finished": True,
                "user_id": "1",
                "filler": {"id": "101"},
                "custom_module_form": _CHART,
                "created_at": "2024-02-03 10:00:00 UTC",
                "locked_at": "2024-02-03 07:00:00 -0500",
                "locked_by": {"id": "101"},
                "form_answer_group_signings": [{"id": "801", "created_at": "2024-02-03T12:30:00Z"}],
                "form_answers": [
                    form_answer("5004", "710", "Subjective", "Doing well"),
                    form_answer("5005", "711", "Plan", "Continue"),
                ],
            },
            {
                "id": "4004",
                "name": "SOAP",
                "finished": True,
                "user_id": "2",
                "filler": {"id": "102"},
                "custom_module_form": _CHART,
                "created_at": "2024-02-04 10:00:00 UTC",
                "form_answers": [form_answer("5006", "710", "Subjective", "Tired")],
            },
        ],
        # --- revenue cycle: policies, claims (CPT lines, ICD codes, billed policies nested), invoices ---
        "insurance_policies": [
            policy(
                "7001", "1", "Primary", "Aetna PPO", {"id": "901", "payer_id": "60054", "payer_name": "Aetna"}
            )
            | {"copay_value": 2500, "coinsurance_value": 20, "effective_start": "2023-01-01"},
            policy("7002", "1", "secondary", "Medicare Part B", _MEDICARE)
            | {"effective_start": "2023-06-01", "effective_end": "2024-12-31"},
            policy("7003", "2", "primary", "BCBS Basic", _BLUE_CROSS),
            policy(
                "7004",
                "2",
                "inactive",
                "Cigna Open",
                {"id": "904", "payer_id": "62308", "payer_name": "Cigna"},
            )
            | {"effective_end": "2023-12-31"},
        ],
        "claims": [
            # Billed to two policies: the payer is the primary one (7001), not the first listed (7002).
            claim("8001", "1", "101", "Submitted", "2024-02-20", "200.00", policies=("7002", "7001"))
            | {
                "cpt_codes_cms1500s": [
                    claim_line("9001", "99213", "1", "150.00", "2024-02-20", pointers=["A", "B"]),
                    claim_line("9002", "97802", "2", "25.00", "2024-02-20", mod1="GT", mod2=""),
                ],
                "icd_codes_cms1500s": [diagnosis("9101", "E11.9"), diagnosis("9102", "I10")],
            },
            # A date of service with an offset: 2024-01-05 23:30 -0500 is 2024-01-06 in UTC.
            claim(
                "8002",
                "2",
                "102",
                "Partially Paid",
                "2024-01-05T23:30:00-05:00",
                "300.00",
                policies=("7003",),
            )
            | {
                "amount_reimbursed": "120.00",
                "amount_paid": "30",
                "adjustment": "50.00",
                "cpt_codes_cms1500s": [claim_line("9003", "90837", "1", "300.00", None)],
                "icd_codes_cms1500s": [diagnosis("9103", "F41.1")],
            },
            claim("8003", "1", "101", "Paid", "2024-01-10", "150.00", policies=("7001",))
            | {
                "amount_reimbursed": "120.00",
                "amount_paid": "30.00",
                "reimbursed_at": "2024-02-01 10:00:00 UTC",
                "cpt_codes_cms1500s": [claim_line("9004", "99213", "1", "150.00", "2024-01-10")],
                "icd_codes_cms1500s": [diagnosis("9104", "E11.9")],
            },
            claim("8004", "2", "101", "Denied", "2023-10-01", "80.00", policies=("7003",)),
            claim("8005", "99", "101", "Draft", "2024-03-01", "50.00"),
            # No date of service on the claim: its first line's; no policy: no payer.
            claim("8006", "1", "102", "Submitted", None, "75.5")
            | {
                "cpt_codes_cms1500s": [
                    claim_line("9005", "97803", "1", "40.00", "2024-02-03"),
                    claim_line("9006", "97803", "1", "35.50", "2024-02-01"),
                ]
            },
        ],
        "invoices": [
            invoice("9501", "1", "Unpaid", "100.00", 100.0, "2024-03-01"),
            invoice("9502", "1", "Partial", "250.00", 150.0, "2023-12-20") | {"paid_percent": 40},
            invoice("9503", "2", "Paid", "80", 0.0, "2024-01-02") | {"paid_at": "2024-01-03 10:00:00 UTC"},
            invoice("9504", "2", "Unpaid", "60.00", 60.0, "2024-02-15T15:00:00Z"),
        ],
        "invoice_previews": [
            invoice("9601", "2", "Unpaid", "45.00", 45.0, "2024-03-05") | {"is_preview": True},
            invoice("9602", "1", "Unpaid", "30.00", 30.0, "2024-03-08") | {"is_preview": True},
        ],
        # --- forms, care, tasks, documents ---
        "form_templates": [
            form_template("601", "Intake", charting=False),
            form_template("602", "SOAP note", charting=True),
            form_template("603", "Consent", charting=False) | {"uploaded_by_healthie_team": True},
        ],
        "care_plans": [
            care_plan("9701", "1", "101", "Diabetes plan"),
            care_plan("9702", None, "101", "Weight template") | {"is_template": True, "is_active": False},
            care_plan("9703", "2", "102", "Sleep plan"),
        ],
        "goals": [
            goal("9801", "1", "101", "Walk 30 minutes", "Daily"),
            goal("9802", "1", "1", "Lose 5 lbs", "Once"),  # set by the patient: their primary provider's
            goal("9803", "1", "101", "Walk after lunch", "Daily") | {"parent_id": "9801"},
            goal("9804", "2", "102", "Log meals", "Weekly"),
            goal("9805", "2", "2", "Sleep 8 hours", "Once"),
        ],
        "goal_histories": [
            goal_history("9901", "9801", "1", "2024-03-09"),
            goal_history("9902", "9801", "1", "2024-03-08"),
            goal_history("9903", "9801", "1", "2024-01-15"),
            goal_history("9904", "9803", "1", "2024-03-01") | {"is_subgoal": True},
            goal_history("9905", "9805", "2", "2024-02-20"),
            goal_history("9906", "9802", "1", "2024-02-01"),
        ],
        "tasks": [
            task("9951", "101", "2024-03-05 10:00:00 UTC", due="2024-03-08", priority=1) | {"client_id": "1"},
            task("9952", "101", "2024-02-20T10:00:00Z", due="2024-03-15"),
            task("9953", "101", "2023-11-01 10:00:00 UTC"),
            # 2024-03-09 23:30 -0500 is 2024-03-10 in UTC: zero days old on the as-of day.
            task("9954", "102", "2024-03-09 23:30:00 -0500", due="2024-03-09", priority=1),
            task("9955", "102", "2024-02-28 12:00:00 UTC")
            | {"complete": True, "completed_at": "2024-03-01 12:00:00 UTC", "completed_by_id": "102"},
            task("9956", "101", "2024-03-01 10:00:00 UTC"),
            task("9957", None, "2024-01-20 10:00:00 UTC", due="2024-02-01") | {"hidden": True},
        ],
        "documents": [
            document("9981", "1", "101", "Lab results.pdf", "application/pdf", "PDF")
            | {"shared": True, "include_in_charting": True, "users_count": 1},
            document("9982", "2", "2", "Insurance card.png", "image/png", "png"),
            document("9983", "1", "101", "Old referral.pdf", "application/pdf", "pdf"),
        ],
    },
    changes={
        "providers": [tombstone("103")],
        "appointment_types": [],
        "patients": [
            {"id": "4", "first_name": "New", "last_name": "Name", "active": True},
            tombstone("3"),
        ],
        "appointments": [
            {
                "id": "1002",
                "date": "2024-01-20 15:30:00 UTC",
                "pm_status": "No-Show",
                "user_id": 2,
                **_PROVIDER,
                "appointment_type": {"id": "12", "name": "Follow-up"},
            },
            {
                "id": "1006",
                "date": "2024-01-22 12:00:00 UTC",
                "pm_status": "Occurred",
                "user_id": 1,
                **_PROVIDER,
                "deleted_at": "2024-03-10 10:00:00 UTC",
            },
            tombstone("1007"),
        ],
        "billing_items": [
            {
                "id": "2005",
                "amount_paid": "10.00",
                "state": "succeeded",
                "sender_id": "1",
                "recipient_id": "101",
                "created_at": "2024-01-16 10:00:00 UTC",
                "deleted_at": "2024-03-10T10:00:00Z",
            },
            {
                "id": "2007",
                "amount_paid": "99.99",
                "state": "succeeded",
                "sender_id": "2",
                "recipient_id": "101",
                "created_at": "2024-01-15 17:00:00 UTC",
            },
        ],
        "entries": [tombstone("3005")],
        "form_answer_groups": [
            # f1 gains an answer and a signature; f4 is soft-deleted (its answer goes with it).
            {
                "id": "4001",
                "name": "Intake",
                "finished": True,
                "user_id": "1",
                "filler": {"id": "1"},
                "custom_module_form": _INTAKE,
                "created_at": "2024-02-01 10:00:00 UTC",
                "locked_at": "2024-02-02T10:00:00Z",
                "form_answer_group_signings": [{"id": "802", "created_at": "2024-02-02 11:00:00 UTC"}],
                "form_answers": [
                    form_answer("5001", "701", "Goal", "Lose weight"),
                    form_answer("5002", "702", "Allergies", "Peanuts"),
                    form_answer("5007", "703", "Notes", 'Line one\nLine "two" 🍎'),
                ],
            },
            {
                "id": "4004",
                "name": "SOAP",
                "finished": True,
                "user_id": "2",
                "filler": {"id": "102"},
                "custom_module_form": _CHART,
                "created_at": "2024-02-04 10:00:00 UTC",
                "deleted_at": "2024-03-10 10:00:00 UTC",
                "form_answers": [],
            },
        ],
        "insurance_policies": [tombstone("7004")],
        # 8001 was rejected (still open); the draft 8005 was deleted.
        "claims": [
            claim("8001", "1", "101", "Rejected", "2024-02-20", "200.00", policies=("7002", "7001"))
            | {
                "cpt_codes_cms1500s": [
                    claim_line("9001", "99213", "1", "150.00", "2024-02-20", pointers=["A", "B"]),
                    claim_line("9002", "97802", "2", "25.00", "2024-02-20", mod1="GT", mod2=""),
                ],
                "icd_codes_cms1500s": [diagnosis("9101", "E11.9"), diagnosis("9102", "I10")],
            },
            tombstone("8005"),
        ],
        # The preview 9602 was sent: the previews table still holds its draft until its next pull.
        "invoices": [invoice("9602", "1", "Unpaid", "30.00", 30.0, "2024-03-08")],
        "goal_histories": [tombstone("9906"), goal_history("9907", "9804", "2", "2024-03-10")],
        "tasks": [
            task("9956", "101", "2024-03-01 10:00:00 UTC")
            | {"complete": True, "completed_at": "2024-03-10 09:00:00 UTC", "completed_by_id": "101"}
        ],
        "care_plans": [tombstone("9703")],
        "documents": [tombstone("9983")],
    },
)


def write_scenario(warehouse_dir: Path, scenario: Scenario = SCENARIO) -> None:
    """Lay down the canonical lake: every stream's full sync MERGEd, then its change batch."""
    for stream, rows in scenario.full.items():
        write_batch(warehouse_dir, stream, rows, extracted_at=FULL_SYNC_AT, kind="full")
    for stream, rows in scenario.changes.items():
        if rows:
            write_batch(warehouse_dir, stream, rows, extracted_at=CHANGES_AT, kind="change")
