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
import unicodedata
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
    _patients_of: dict[int, list[Person]] = field(default_factory=dict)

    def add_patient(self, person: Person) -> None:
        self.patients.append(person)
        if person.dietitian_id is not None:
            self._patients_of.setdefault(person.dietitian_id, []).append(person)

    def provider(self, provider_id: int) -> Person:
        return next((p for p in self.providers if p.id == provider_id), self.providers[0])

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


def template(rng: random.Random, template_id: int, tpl: Template, created: int, now: int) -> Row:
    row: Row = {
        "id": template_id,
        "name": tpl.name,
        "use_for_charting": int(tpl.use_for_charting),
    }
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
