"""Row factories: one realistic row of each table, shared by the seeder and by live changes.

A factory gets a seeded `random.Random`, the `World` (who exists: providers, patients, types,
templates) and the row's instants (the caller decides the time distribution: spread over years when
seeding, "now" for a change), and returns the row as column -> value. Timestamps are rendered in a
per-row mix of Healthie's styles and in the zone of the person they belong to.

Factories run millions of times when seeding at scale, so they pick with `rng.random()` and
pre-expanded weight tables instead of `rng.choices`.
"""

from __future__ import annotations

import random
import time
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from healthie_sandbox import content
from healthie_sandbox.content import Template
from healthie_sandbox.timestamps import DAY, ZONES, Style, Zone, iso8601, render

T = TypeVar("T")
Row = dict[str, Any]


class Weighted:
    """O(1) weighted choice: the values repeated by weight, indexed by one `rng.random()`."""

    def __init__(self, weighted: Sequence[tuple[Any, int]]) -> None:
        self._table = [value for value, weight in weighted for _ in range(weight)]

    def __call__(self, rng: random.Random) -> Any:
        return self._table[int(rng.random() * len(self._table))]


def pick(rng: random.Random, values: Sequence[T]) -> T:
    return values[int(rng.random() * len(values))]


STYLES = Weighted(
    [(Style.RAILS_UTC, 35), (Style.RAILS_OFFSET, 30), (Style.ISO_Z, 20), (Style.ISO_OFFSET, 15)]
)
PAST_STATUS = Weighted(content.PAST_STATUSES)
FUTURE_STATUS = Weighted(content.FUTURE_STATUSES)
PAYMENT_STATE = Weighted(content.PAYMENT_STATES)
ENTRY_TYPE = Weighted(content.ENTRY_TYPES)
ANSWER_ID_STRIDE = 32
"""Form answer ids are `group_id * 32 + position`: unique without a sequence of their own."""


@dataclass
class Person:
    id: int
    zone: Zone
    dietitian_id: int | None = None


@dataclass
class World:
    """Who and what exists: the pools every factory draws references from."""

    owner_id: int
    """The provider the API key belongs to (non-org queries are scoped to them)."""
    providers: list[Person] = field(default_factory=list)
    patients: list[Person] = field(default_factory=list)
    appointment_types: list[tuple[int, int, bool]] = field(default_factory=list)
    """(id, length in minutes, is_group)"""
    templates: list[tuple[int, Template]] = field(default_factory=list)
    """Templates forms are filled from (others exist unanswered)."""
    cpt_codes: list[tuple[int, int]] = field(default_factory=list)
    """(id, usual fee in cents)"""
    icd_codes: list[int] = field(default_factory=list)
    plans: list[tuple[int, str]] = field(default_factory=list)
    """(insurance plan id, payer name)"""
    policies_of: dict[int, list[tuple[int, str, str]]] = field(default_factory=dict)
    """patient id -> [(policy id, priority_type, payer name)]"""
    refs: dict[str, array[int]] = field(default_factory=dict)
    """table -> ids of its live rows that invoices and claims may reference (appointments, finished
    forms, claims), as compact arrays: a reference never points at a row that was deleted at seed."""
    _patients_of: dict[int, list[Person]] = field(default_factory=dict)

    def add_patient(self, person: Person) -> None:
        self.patients.append(person)
        if person.dietitian_id is not None:
            self._patients_of.setdefault(person.dietitian_id, []).append(person)

    def provider(self, provider_id: int) -> Person:
        return next((p for p in self.providers if p.id == provider_id), self.providers[0])

    def insured(self, rng: random.Random) -> Person:
        """A patient with an active policy (claims bill one), or any patient if none has one."""
        for _ in range(20):
            person = pick(rng, self.patients)
            if any(p != "inactive" for _, p, _ in self.policies_of.get(person.id, ())):
                return person
        return pick(rng, self.patients)

    def some_id(self, rng: random.Random, table: str) -> int | None:
        ids = self.refs.get(table)
        return pick(rng, ids) if ids else None

    def referable(self, table: str, row_id: int) -> None:
        self.refs.setdefault(table, array("q")).append(row_id)

    def patient_of(self, rng: random.Random, provider_id: int) -> Person:
        own = self._patients_of.get(provider_id)
        return pick(rng, own) if own and rng.random() < 0.9 else pick(rng, self.patients)


class Stamper:
    """Renders one row's timestamps in one style, in one person's zone."""

    __slots__ = ("style", "zone")

    def __init__(self, rng: random.Random, zone: Zone) -> None:
        self.style: Style = STYLES(rng)
        self.zone = zone

    def __call__(self, epoch: int | None) -> str | None:
        if epoch is None:
            return None
        return render(epoch, self.style, self.zone.offset_at(epoch))


def touched(rng: random.Random, created: int, now: int) -> int:
    """When a row was last updated: half are untouched since creation."""
    if rng.random() < 0.5 or now <= created:
        return created
    return created + int(rng.random() * (now - created))


def note(rng: random.Random, chance: float = 0.5) -> str | None:
    if rng.random() >= chance:
        return None
    first = pick(rng, content.NOTES)
    return first if rng.random() < 0.7 else f"{first}\n{pick(rng, content.NOTES)}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _stamps(row: Row, stamp: Stamper, created: int, updated: int) -> Row:
    """`row` with its created/updated timestamps (text in the row's style, and epoch mirrors)."""
    created_at = stamp(created)
    row["created_at"] = created_at
    row["updated_at"] = created_at if updated == created else stamp(updated)
    row["created_ts"] = created
    row["updated_ts"] = updated
    return row


def _lifecycle(
    row: Row, rng: random.Random, stamp: Stamper, created: int, updated: int, now: int, deleted: bool
) -> Row:
    """`row` with the timestamps of a soft-deletable row; a deleted row's last update is its deletion."""
    deleted_at = None
    if deleted:
        updated += int(rng.random() * max(1, now - updated))
        deleted_at = stamp(updated)
    row["deleted_at"] = deleted_at
    return _stamps(row, stamp, created, updated)


# -- people and catalogues ---------------------------------------------------------------------------


def user(
    rng: random.Random, user_id: int, role: str, created: int, now: int, dietitian_id: int | None
) -> Row:
    zone = pick(rng, ZONES)
    first, last = pick(rng, content.FIRST_NAMES), pick(rng, content.LAST_NAMES)
    is_patient = role == "patient"
    year = 1940 + int(rng.random() * 65)
    row: Row = {
        "id": user_id,
        "role": role,
        "first_name": first,
        "last_name": last,
        "email": f"{_ascii(first)}.{_ascii(last)}+{user_id}@example.com",
        "dob": f"{year:04d}-{1 + int(rng.random() * 12):02d}-{1 + int(rng.random() * 28):02d}"
        if is_patient
        else None,
        "gender": pick(rng, content.GENDERS),
        "phone_number": pick(rng, ("(555) 010-{:04d}", "+1 555 010 {:04d}", "555.010.{:04d}")).format(
            user_id % 10000
        ),
        "timezone": zone.name,
        "active": 0 if is_patient and rng.random() < 0.08 else 1,
        "dietitian_id": dietitian_id,
        "npi": None if is_patient else f"{1000000000 + user_id * 7919 % 899999999:010d}",
        "qualifications": None if is_patient else pick(rng, content.QUALIFICATIONS),
    }
    return _stamps(row, Stamper(rng, zone), created, touched(rng, created, now))


def appointment_type(rng: random.Random, type_id: int, position: int, created: int, now: int) -> Row:
    name, length, is_group, bookable, pricing = content.APPOINTMENT_TYPES[
        position % len(content.APPOINTMENT_TYPES)
    ]
    suffix = (
        ""
        if position < len(content.APPOINTMENT_TYPES)
        else f" ({position // len(content.APPOINTMENT_TYPES) + 1})"
    )
    row: Row = {
        "id": type_id,
        "name": name + suffix,
        "length": length,
        "is_group": int(is_group),
        "clients_can_book": int(bookable),
        "pricing": pricing,
        "position": position,
    }
    return _stamps(row, Stamper(rng, ZONES[0]), created, touched(rng, created, now))


def template(
    rng: random.Random,
    template_id: int,
    tpl: Template,
    created: int,
    now: int,
    default: bool = False,
    owner_id: int | None = None,
) -> Row:
    """A form template; `default` ones are Healthie's own (listed only with include_default_templates)."""
    row: Row = {
        "id": template_id,
        "name": tpl.name,
        "use_for_charting": int(tpl.use_for_charting),
        "use_for_program": int(rng.random() < 0.1),
        "is_video": 0,
        "prefill": int(rng.random() < 0.3),
        "has_matrix_field": int(rng.random() < 0.15),
        "uploaded_by_healthie_team": int(default),
        "external_id": None if rng.random() < 0.8 else f"ext-{template_id}",
        "external_id_type": None,
        "user_id": None if default else owner_id,
    }
    if row["external_id"]:
        row["external_id_type"] = "ehr_form"
    return _stamps(row, Stamper(rng, ZONES[0]), created, touched(rng, created, now))


# -- facts -----------------------------------------------------------------------------------------------


def appointment(
    rng: random.Random, world: World, created: int, start: int, now: int, deleted: bool = False
) -> Row:
    """An appointment starting at `start`: blocker (no patient) or a visit with a status fitting its time."""
    provider = pick(rng, world.providers)
    stamp = Stamper(rng, provider.zone)
    offset = provider.zone.offset_at(start)
    date_style = Style.RAILS_OFFSET if rng.random() < 0.8 else stamp.style
    if rng.random() < 0.04:
        patient_id, type_id, length, is_group = None, None, 60, False
        status, contact, location = None, None, None
        notes: str | None = pick(rng, ("Lunch", "Out of office 🏖️", "Admin time", "Conference\nall day"))
    else:
        patient_id = world.patient_of(rng, provider.id).id
        type_id, length, is_group = pick(rng, world.appointment_types)
        status = (PAST_STATUS if start < now else FUTURE_STATUS)(rng)
        contact = pick(rng, content.CONTACT_TYPES)
        location = pick(rng, content.LOCATIONS) if contact == "In Person" else None
        notes = note(rng, 0.4)
    updated = touched(rng, created, now)
    row: Row = {
        "provider_id": provider.id,
        "user_id": patient_id,
        "appointment_type_id": type_id,
        "date": render(start, date_style, offset),
        "end": render(start + length * 60, date_style, offset),
        "length": length,
        "pm_status": status,
        "is_blocker": int(patient_id is None),
        "is_group": int(is_group),
        "confirmed": int(rng.random() < (0.9 if start < now else 0.6)),
        "contact_type": contact,
        "location": location,
        "notes": notes,
        "timezone_abbr": provider.zone.abbr_at(start),
        "start_ts": start,
    }
    return _lifecycle(row, rng, stamp, created, updated, now, deleted)


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def billing_item(rng: random.Random, world: World, created: int, now: int, deleted: bool = False) -> Row:
    patient = pick(rng, world.patients)
    recipient = (
        patient.dietitian_id if patient.dietitian_id and rng.random() < 0.9 else pick(rng, world.providers).id
    )
    state = PAYMENT_STATE(rng)
    cents = pick(rng, content.AMOUNTS_CENTS)
    row: Row = {
        "sender_id": patient.id,
        "recipient_id": recipient,
        "amount_paid": money(cents),
        "amount_cents": cents,
        "currency": "usd",
        "state": state,
        "note": note(rng, 0.3),
        "payment_medium": pick(rng, content.PAYMENT_MEDIA),
        "failure_reason": pick(rng, content.FAILURE_REASONS) if state == "failed" else None,
    }
    return _lifecycle(row, rng, Stamper(rng, patient.zone), created, touched(rng, created, now), now, deleted)


def entry(rng: random.Random, world: World, created: int, now: int) -> Row:
    """A journal entry of any type; metric entries carry `category` + `metric_stat`."""
    patient = pick(rng, world.patients)
    kind = ENTRY_TYPE(rng)
    category: str | None = None
    stat: float | None = None
    name: str | None = None
    emotions: str | None = None
    description = note(rng, 0.6)
    if kind == "MetricEntry":
        category, low, high, digits = pick(rng, content.METRIC_CATEGORIES)
        stat = round(low + rng.random() * (high - low), digits)
    elif kind == "FoodEntry":
        category, name = pick(rng, content.FOOD_CATEGORIES), pick(rng, content.FOODS)
    elif kind == "WorkoutEntry":
        category, name = pick(rng, content.WORKOUTS), f"{10 + int(rng.random() * 80)} min"
    elif kind == "SleepEntry":
        category, name = "Sleep", f"{4 + int(rng.random() * 6)}h {int(rng.random() * 4) * 15}m"
    elif kind == "MirrorEntry":
        emotions = pick(rng, content.EMOTIONS)
    row: Row = {
        "poster_id": patient.id,
        "type": kind,
        "category": category,
        "metric_stat": stat,
        "name": name,
        "description": description,
        "emotions": emotions,
    }
    return _stamps(row, Stamper(rng, patient.zone), created, touched(rng, created, now))


def _answer(rng: random.Random, kind: str) -> tuple[str, str]:
    """(answer, displayed_answer): Healthie converts some raw answers for display."""
    if kind == "checkbox":
        raw = pick(rng, ("true", "false"))
        return raw, "Yes" if raw == "true" else "No"
    if kind == "scale":
        value = int(rng.random() * 4)
        return str(
            value
        ), f"{value} - {('Not at all', 'Several days', 'More than half', 'Nearly every day')[value]}"
    if kind == "date":
        year, month, day = (
            1950 + int(rng.random() * 70),
            1 + int(rng.random() * 12),
            1 + int(rng.random() * 28),
        )
        raw = f"{year}-{month:02d}-{day:02d}"
        return raw, raw
    if kind == "phone":
        raw = f"(555) 010-{int(rng.random() * 10000):04d}"
        return raw, raw
    text = pick(rng, content.NOTES) if kind == "textarea" else pick(rng, content.FIRST_NAMES)
    return text, text


def form_answers(rng: random.Random, group_id: int, patient_id: int, template_id: int, tpl: Template,
                 created: int, updated: int, stamp: Stamper) -> list[Row]:  # fmt: skip
    """The nested answers of one filled form, in API shape (stored as JSON)."""
    out = []
    created_at, updated_at = stamp(created), iso8601(updated, stamp.zone.offset_at(updated))
    for position, (label, kind) in enumerate(tpl.questions, start=1):
        answer, displayed = _answer(rng, kind)
        out.append(
            {
                "id": str(group_id * ANSWER_ID_STRIDE + position),
                "custom_module_id": str(template_id * 100 + position),
                "label": label,
                "answer": answer,
                "displayed_answer": displayed,
                "user_id": str(patient_id),
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
    return out


def form_answer_group(rng: random.Random, world: World, group_id: int, created: int, now: int,
                      finished: bool = True, deleted: bool = False) -> Row:  # fmt: skip
    """A filled form: intake forms are filled by the patient, chart notes by a provider (maybe locked)."""
    patient = pick(rng, world.patients)
    template_id, tpl = pick(rng, world.templates)
    provider_id = patient.dietitian_id or world.owner_id
    stamp = Stamper(rng, patient.zone)
    updated = touched(rng, created, now)
    locked_by: int | None = None
    locked_ts: int | None = None
    signings: list[Row] = []
    if finished and tpl.use_for_charting and rng.random() < 0.5:
        locked_by = provider_id
        locked_ts = created + int(rng.random() * max(1, min(now - created, 3 * DAY)))
        updated = max(updated, locked_ts)
        if rng.random() < 0.6:
            signings = [
                {
                    "id": str(group_id * 4 + n),
                    "form_answer_group_id": str(group_id),
                    "created_at": stamp(locked_ts),
                    "user_id": str(provider_id),
                }
                for n in range(1 + int(rng.random() * 2))
            ]
    record_ts = created - int(rng.random() * 3 * DAY) if tpl.use_for_charting else created
    answers = form_answers(rng, group_id, patient.id, template_id, tpl, created, updated, stamp)
    row: Row = {
        "id": group_id,
        "user_id": patient.id,
        "filler_id": provider_id if tpl.use_for_charting else patient.id,
        "locked_by_id": locked_by,
        "custom_module_form_id": template_id,
        "name": tpl.name,
        "finished": int(finished),
        "locked_at": stamp(locked_ts),
        "record_created_at": stamp(record_ts),
        "record_created_ts": record_ts,
        "form_answers": orjson.dumps(answers).decode(),
        "form_answer_group_signings": orjson.dumps(signings).decode(),
    }
    return _lifecycle(row, rng, stamp, created, updated, now, deleted and finished)


# -- revenue cycle, care, tasks, documents --------------------------------------------------------------

CLAIM_STATUS = Weighted(content.CLAIM_STATUSES)
INVOICE_TYPE = Weighted(content.INVOICE_TYPES)
INVOICE_STATUS = Weighted(content.INVOICE_STATUSES)
GOAL_REPEAT = Weighted(content.GOAL_REPEATS)
POINTERS = "ABCDEFGHIJKL"
ORGANIZATION_ID = 9001
SERVICE_LOCATIONS = (501, 502, 503, None)
OFFERINGS = (801, 802, 803, 804)


def day(epoch: int) -> str:
    """The UTC calendar day of `epoch` as YYYY-MM-DD."""
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def code(code_id: int, text: str, description: str, created: int) -> Row:
    """A CPT or ICD catalogue row."""
    stamp = render(created, Style.RAILS_UTC)
    return {"id": code_id, "code": text, "description": description, "created_at": stamp, "updated_at": stamp}


def policy(rng: random.Random, world: World, patient: Person, priority: str, created: int, now: int) -> Row:
    """One insurance policy of `patient`: a payer plan, a priority, billing terms, effective dates."""
    plan_id, payer = pick(rng, world.plans)
    kind = pick(rng, content.POLICY_TYPES)
    method = pick(rng, content.BILLING_METHODS)
    start = created - int(rng.random() * 400) * DAY
    end = None
    if priority == "inactive":
        end = day(min(now, created + int(30 + rng.random() * 300) * DAY))
    elif rng.random() < 0.2:
        end = day(now + int(30 + rng.random() * 365) * DAY)
    row: Row = {
        "user_id": patient.id,
        "name": f"{payer} {kind or 'Plan'}",
        "priority_type": priority,
        "type_string": kind,
        "insurance_billing_method": method,
        "copay_value": pick(rng, (1500, 2000, 3000, 5000)) if method == "Copay" else None,
        "coinsurance_value": pick(rng, (10, 20, 30)) if method == "Coinsurance" else None,
        "effective_start": day(start),
        "effective_end": end,
        "holder_relationship": pick(rng, content.HOLDER_RELATIONSHIPS),
        "insurance_plan_id": plan_id,
    }
    return _stamps(row, Stamper(rng, patient.zone), created, touched(rng, created, now))


def claim(
    rng: random.Random, world: World, claim_id: int, created: int, now: int, deleted: bool = False
) -> Row:
    """A CMS 1500: an insured patient's visit billed to their policies, 1-3 CPT lines, 1-3 ICD codes."""
    patient = world.insured(rng)
    provider_id = patient.dietitian_id or world.owner_id
    stamp = Stamper(rng, patient.zone)
    service = created - int(rng.random() * 20) * DAY
    service_day = day(service)
    created_at, updated = stamp(created), touched(rng, created, now)
    diagnoses = []
    for k in range(1 + int(rng.random() * 3)):
        diagnoses.append(
            {
                "id": str(claim_id * 8 + k),
                "active": rng.random() < 0.95,
                "icd_code_id": pick(rng, world.icd_codes),
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
    lines, total = [], 0
    for k in range(1 + int(rng.random() * 3)):
        cpt_id, fee = pick(rng, world.cpt_codes)
        units = 1 + int(rng.random() * 4) if rng.random() < 0.4 else 1
        total += fee * units
        lines.append(
            {
                "id": str(claim_id * 8 + k),
                "cpt_code_id": cpt_id,
                "units": str(units),
                "fee": money(fee * units),
                "mod1": pick(rng, (None, None, None, "95", "GT", "25")),
                "mod2": None,
                "mod3": None,
                "mod4": None,
                "pointers": list(POINTERS[: 1 + int(rng.random() * len(diagnoses))]),
                "service_date": service_day,
                "service_end_date": None,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
    policies = [p for p in world.policies_of.get(patient.id, ()) if p[1] != "inactive"]
    policies.sort(key=lambda p: p[1] != "primary")
    status = CLAIM_STATUS(rng)
    copay = pick(rng, (0, 0, 1500, 2000, 3000))
    reimbursed = paid_out = None
    amount_reimbursed: str | None = None
    if status in ("Paid", "Partially Paid"):
        share = 0.5 + rng.random() * 0.4 if status == "Paid" else 0.1 + rng.random() * 0.3
        amount_reimbursed = money(int(total * share))
        reimbursed_ts = min(now, created + int(7 + rng.random() * 50) * DAY)
        reimbursed = stamp(reimbursed_ts)
        paid_out = (
            stamp(reimbursed_ts + 3 * DAY) if rng.random() < 0.3 and reimbursed_ts + 3 * DAY < now else None
        )
        updated = max(updated, reimbursed_ts)
    row: Row = {
        "id": claim_id,
        "status": status,
        "date_of_service": service_day,
        "total_charge": money(total),
        "amount_paid": money(copay if status != "Draft" and rng.random() < 0.7 else 0),
        "amount_reimbursed": amount_reimbursed,
        "adjustment": money(int(total * 0.1))
        if status in ("Paid", "Partially Paid") and rng.random() < 0.5
        else "0.00",
        "client_responsibility": money(copay),
        "copay": money(copay),
        "copay_still_owed": money(copay if rng.random() < 0.3 else 0),
        "primary_plan_name": policies[0][2] if policies else None,
        "patient_id": patient.id,
        "dietitian_id": provider_id,
        "billing_provider_id": ORGANIZATION_ID,
        "service_location_id": pick(rng, SERVICE_LOCATIONS),
        "form_answer_group_id": world.some_id(rng, "form_answer_groups") if rng.random() < 0.6 else None,
        "accept_assignment": int(rng.random() < 0.9),
        "reimbursed_at": reimbursed,
        "paid_out_at": paid_out,
        "resubmission_code": "7" if rng.random() < 0.05 else None,
        "cpt_codes_cms1500s": orjson.dumps(lines).decode(),
        "icd_codes_cms1500s": orjson.dumps(diagnoses).decode(),
        "cms1500_policies": orjson.dumps(
            [{"id": str(claim_id * 4 + k), "policy_id": str(p[0])} for k, p in enumerate(policies[:2])]
        ).decode(),
    }
    row = _lifecycle(row, rng, stamp, created, updated, now, deleted)
    row["updated_at"] = iso8601(
        row["updated_ts"], patient.zone.offset_at(row["updated_ts"])
    )  # ISO8601DateTime
    return row


def invoice(rng: random.Random, world: World, invoice_id: int, created: int, now: int,
            preview: bool = False, deleted: bool = False) -> Row:  # fmt: skip
    """An invoice to a patient; a `preview` one is a draft (unpaid, never emailed)."""
    patient = pick(rng, world.patients)
    provider_id = patient.dietitian_id or world.owner_id
    kind = INVOICE_TYPE(rng)
    cents = pick(rng, [c for c in content.AMOUNTS_CENTS if c] or [2500])
    status = "Unpaid" if preview else INVOICE_STATUS(rng)
    percent = int(10 + rng.random() * 80) if status == "Partial" else None
    stamp = Stamper(rng, patient.zone)
    paid = min(now, created + int(rng.random() * 20) * DAY) if status == "Paid" else None
    write_off = (
        round(cents / 100 * 0.2, 2) if status == "Unpaid" and not preview and rng.random() < 0.1 else 0.0
    )
    balance = {"Paid": 0.0, "Partial": round(cents / 100 * (100 - (percent or 0)) / 100, 2)}.get(
        status, round(cents / 100 - write_off, 2)
    )
    row: Row = {
        "id": invoice_id,
        "invoice_id": f"INV-{invoice_id:07d}",
        "invoice_type": kind,
        "status": status,
        "is_preview": int(preview),
        "is_manually_paid": int(status == "Paid" and rng.random() < 0.2),
        "price": money(cents),
        "price_cents": cents,
        "currency": "usd",
        "balance_due": balance,
        "write_off_amount": write_off,
        "paid_percent": percent,
        "paid_at": stamp(paid),
        "service_date": day(created - int(rng.random() * 5) * DAY),
        "date_to_show": day(created),
        "email_sent_at": None if preview or rng.random() < 0.2 else stamp(created + 600),
        "sender_id": provider_id,
        "recipient_id": patient.id,
        "requested_payer_id": patient.id,
        "appointment_id": world.some_id(rng, "appointments") if kind == "appointment" else None,
        "cms1500_id": world.some_id(rng, "cms1500s") if kind == "cms1500" else None,
        "offering_id": pick(rng, OFFERINGS) if kind == "offering" else None,
    }
    return _lifecycle(
        row, rng, stamp, created, max(touched(rng, created, now), paid or created), now, deleted
    )


def care_plan(rng: random.Random, world: World, created: int, now: int, is_template: bool = False) -> Row:
    """A patient's care plan, or a template (no patient)."""
    patient = None if is_template else pick(rng, world.patients)
    creator = (patient.dietitian_id if patient else None) or world.owner_id
    row: Row = {
        "name": pick(rng, content.CARE_PLANS) + (" (template)" if is_template else ""),
        "description": note(rng, 0.7),
        "is_active": int(not is_template and rng.random() < 0.8),
        "is_group": 0,
        "is_hidden": int(rng.random() < 0.05),
        "is_template": int(is_template),
        "patient_id": patient.id if patient else None,
        "creator_id": creator,
    }
    zone = patient.zone if patient else ZONES[0]
    return _stamps(row, Stamper(rng, zone), created, touched(rng, created, now))


def goal(rng: random.Random, world: World, created: int, now: int, parent: Row | None = None) -> Row:
    """A patient's goal (a subgoal of `parent` when given, for the same patient)."""
    patient = (
        next((p for p in world.patients if p.id == parent["user_id"]), None) if parent else None
    ) or pick(rng, world.patients)
    repeat = GOAL_REPEAT(rng) if parent is None else parent["repeat"]
    row: Row = {
        "name": pick(rng, content.GOALS),
        "description": note(rng, 0.3),
        "repeat": repeat,
        "start_on": day(created),
        "due_date": day(created + int(14 + rng.random() * 120) * DAY) if rng.random() < 0.6 else None,
        "is_used_as_template": 0,
        "parent_id": parent["id"] if parent else None,
        "user_id": patient.id,
        "created_user_id": patient.dietitian_id or world.owner_id,
        "source_template_id": pick(rng, (None, None, None, 9101, 9102)),
    }
    return _stamps(row, Stamper(rng, patient.zone), created, touched(rng, created, now))


def goal_history(
    goal_id: int, user_id: int | None, repeat: str | None, is_subgoal: bool, completed: int
) -> Row:
    """One completion of a goal on the day of `completed` (recorded that evening, UTC)."""
    stamp = render(completed, Style.RAILS_UTC)
    return {
        "goal_id": goal_id,
        "user_id": user_id,
        "completed_on": day(completed),
        "is_subgoal": int(is_subgoal),
        "repeat": repeat,
        "created_at": stamp,
        "updated_at": stamp,
        "created_ts": completed,
        "updated_ts": completed,
    }


def task(rng: random.Random, world: World, created: int, now: int) -> Row:
    """A staff task, often about a patient; some completed, some hidden."""
    assignee = pick(rng, world.providers)
    client = pick(rng, world.patients) if rng.random() < 0.7 else None
    complete = rng.random() < 0.55
    done = min(now, created + int(rng.random() * 10 * DAY)) if complete else None
    stamp = Stamper(rng, assignee.zone)
    row: Row = {
        "content": pick(rng, ("Call re: lab results", "Send meal plan 🍽️", "Verify insurance", "Follow up")),
        "user_id": assignee.id,
        "client_id": client.id if client else None,
        "created_by_id": pick(rng, world.providers).id,
        "completed_by_id": assignee.id if complete else None,
        "complete": int(complete),
        "completed_at": stamp(done),
        "due_date": day(created + int(rng.random() * 14) * DAY) if rng.random() < 0.7 else None,
        "hidden": int(rng.random() < 0.12),
        "priority": int(rng.random() < 0.15),
        "seen": int(complete or rng.random() < 0.6),
    }
    row = _stamps(row, stamp, created, max(touched(rng, created, now), done or created))
    row["updated_at"] = iso8601(row["updated_ts"], assignee.zone.offset_at(row["updated_ts"]))
    return row


def document(rng: random.Random, world: World, created: int, now: int) -> Row:
    """A document's metadata: uploaded by a provider (or the patient), usually about a patient."""
    stem, extension, mime, friendly = pick(rng, content.DOCUMENTS)
    patient = pick(rng, world.patients) if rng.random() < 0.85 else None
    owner = (
        patient.id
        if patient and rng.random() < 0.15
        else ((patient.dietitian_id if patient else None) or pick(rng, world.providers).id)
    )
    users = int(rng.random() * 4)
    row: Row = {
        "display_name": f"{stem} {day(created)}.{extension}",
        "file_content_type": mime,
        "extension": extension,
        "friendly_type": friendly,
        "rel_user_id": patient.id if patient else None,
        "owner_id": owner,
        "shared": int(users > 0),
        "include_in_charting": int(patient is not None and rng.random() < 0.5),
        "users_count": users,
    }
    zone = patient.zone if patient else ZONES[0]
    return _stamps(row, Stamper(rng, zone), created, touched(rng, created, now))
