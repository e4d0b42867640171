"""Changes on demand: create, update and delete rows of any stream, with the webhooks Healthie sends.

A change is what a practice does in Healthie's UI: book an appointment, mark it occurred, refund a
payment, log a weight, lock and sign a chart note, edit a patient. Each returns the webhook events
Healthie would send for it (none where Healthie has no event: payments are deleted silently, form
answers edited without a webhook, providers and appointment types have no events at all). The
sandbox then queues those events for delivery.

Realism rules for updates: they change status, notes, amounts, states, answers and `updated_at`, and
never the attribute a stream is windowed by (an appointment's start, a payment's or entry's
`created_at`), so a windowed pull that misses a row is the client's bug, not the churn's. Deletes are
soft (`deleted_at`) except for entries, which Healthie deletes for real.

Fields are given in API shape (GraphQL field names; references as `{"id": ...}` or a bare id) and
checked against the schema: unknown or read-only fields are refused, not ignored.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema

from healthie_sandbox import content, model, rows
from healthie_sandbox.model import Stream
from healthie_sandbox.projection import object_type, unwrap
from healthie_sandbox.rows import Person, Row, World
from healthie_sandbox.store import Filter, Store
from healthie_sandbox.timestamps import DAY, ZONES_BY_NAME, parse_any, restamp
from healthie_sandbox.webhooks import WebhookEvent

READ_ONLY_ON_UPDATE = frozenset({"id", "cursor", "created_at", "updated_at", "deleted_at"})
READ_ONLY_ON_CREATE = frozenset({"id", "cursor", "updated_at", "deleted_at"})


class ChangeError(Exception):
    """A change the sandbox refuses; `status` is the HTTP status the admin API answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Change:
    stream: str
    op: str
    id: int
    changed_fields: tuple[str, ...] = ()
    events: tuple[WebhookEvent, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "op": self.op,
            "id": str(self.id),
            "changed_fields": list(self.changed_fields),
            "events": [e.to_json() for e in self.events],
        }


def _stream(name: str) -> Stream:
    stream = model.STREAM_BY_NAME.get(name)
    if stream is None:
        raise ChangeError(f"unknown stream {name!r}; choose from {', '.join(model.STREAM_BY_NAME)}", 404)
    return stream


def _is_object(type_: Any) -> bool:
    return isinstance(unwrap(type_)[0], GraphQLObjectType)


def _cents(value: Any) -> int:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ChangeError(f"amount_paid must be a decimal string, got {value!r}") from None
    return int((amount * 100).to_integral_value())


class ChangeService:
    """Applies changes to one store; `now` is injectable so tests can pin time."""

    def __init__(
        self,
        store: Store,
        world: World,
        schema: GraphQLSchema,
        seed: int,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.world = world
        self.schema = schema
        self.rng = random.Random(f"{seed}:changes")
        self._now = now

    def now(self) -> int:
        return int(self._now())

    # -- public operations -------------------------------------------------------------------------

    def create(self, stream_name: str, fields: Mapping[str, Any] | None = None) -> Change:
        stream = _stream(stream_name)
        fields = dict(fields or {})
        self._check_fields(stream, fields, READ_ONLY_ON_CREATE)
        now = self.now()
        row = self._new_row(stream, fields, now)
        overrides = self._columns(stream, fields, length_hint=row.get("length"))
        if "created_ts" in overrides and "updated_ts" not in overrides:
            overrides.update(updated_ts=max(now, overrides["created_ts"]), updated_at=row["updated_at"])
        row.update(overrides)
        row_id = self.store.insert(stream.entity, row)
        self._remember(stream, row_id, row)
        events: tuple[WebhookEvent, ...] = ()
        if stream.name != "form_answer_groups" or row.get("finished"):
            events = self._events(stream, row_id, "created", row)
        return Change(stream.name, "create", row_id, tuple(fields), events)

    def update(self, stream_name: str, row_id: int, fields: Mapping[str, Any] | None = None) -> Change:
        stream = _stream(stream_name)
        before = self._live_row(stream, row_id)
        fields = dict(fields) if fields else self._random_update(stream, before)
        self._check_fields(stream, fields, READ_ONLY_ON_UPDATE)
        now = self.now()
        values = self._columns(stream, fields, length_hint=before.get("length"))
        values.update(updated_at=restamp(before["updated_at"], now), updated_ts=now)
        self.store.update(stream.entity, row_id, values)
        changed = tuple(name for name in fields if self._differs(before, name, values))
        events = self._update_events(stream, row_id, before, values, (*changed, "updated_at"))
        return Change(stream.name, "update", row_id, (*changed, "updated_at"), events)

    def delete(self, stream_name: str, row_id: int) -> Change:
        stream = _stream(stream_name)
        if not stream.deletable:
            raise ChangeError(f"{stream.name} cannot be deleted (Healthie archives them instead)")
        before = self._live_row(stream, row_id)
        events = self._events(stream, row_id, "deleted", before)
        if stream.entity.soft_delete:
            now = self.now()
            stamp = restamp(before["updated_at"], now)
            self.store.update(
                stream.entity, row_id, {"deleted_at": stamp, "updated_at": stamp, "updated_ts": now}
            )
        else:
            self.store.delete(stream.entity, row_id, stream.name)
        return Change(stream.name, "delete", row_id, (), events)

    def random_change(self, stream_names: Sequence[str]) -> Change | None:
        """One churn step: a create (30%), update (50%) or delete (20%) of a random visible row."""
        stream = _stream(self.rng.choice(list(stream_names)))
        roll = self.rng.random()
        if roll < 0.3:
            return self.create(stream.name)
        target = self.store.random_id(stream.entity, Filter((stream.visible,)), self.rng.random())
        if target is None:
            return self.create(stream.name)
        if roll < 0.8 or not stream.deletable:
            return self.update(stream.name, target)
        return self.delete(stream.name, target)

    # -- rows ------------------------------------------------------------------------------------

    def _live_row(self, stream: Stream, row_id: int) -> Row:
        alive = "deleted_at IS NULL" if stream.entity.soft_delete else "1 = 1"
        row = self.store.get(stream.entity, row_id, Filter((alive, stream.scope)))
        if row is None:
            raise ChangeError(f"{stream.name} {row_id} does not exist (or is deleted)", 404)
        return row

    def _new_row(self, stream: Stream, fields: Mapping[str, Any], now: int) -> Row:
        """A realistic row created now (appointments are booked 1-31 days ahead)."""
        rng, world = self.rng, self.world
        if stream.name == "appointments":
            start = now + DAY + int(rng.random() * 30 * DAY)
            return rows.appointment(rng, world, now, start - start % 900, now)
        if stream.name == "billing_items":
            return rows.billing_item(rng, world, now, now)
        if stream.name == "entries":
            return rows.entry(rng, world, now, now)
        next_id = self.store.next_id(stream.entity)
        made = self._new_care_row(stream, next_id, now)
        if made is not None:
            return made
        if stream.name == "form_answer_groups":
            return rows.form_answer_group(
                rng, world, next_id, now, now, finished=bool(fields.get("finished", True))
            )
        if stream.name == "appointment_types":
            return rows.appointment_type(rng, next_id, len(world.appointment_types), now, now)
        if stream.name == "patients":
            owner = world.owner_id if rng.random() < 0.5 else rows.pick(rng, world.providers).id
            return rows.user(rng, next_id, "patient", now, now, owner)
        return rows.user(rng, next_id, "provider", now, now, None)

    def _new_care_row(self, stream: Stream, next_id: int, now: int) -> Row | None:
        """A new claim, invoice (a draft in invoice_previews), policy, template, care plan, goal,
        goal completion, task or document; None for the other streams."""
        rng, world = self.rng, self.world
        if stream.name == "claims":
            return rows.claim(rng, world, next_id, now, now)
        if stream.name in ("invoices", "invoice_previews"):
            return rows.invoice(rng, world, next_id, now, now, preview=stream.name == "invoice_previews")
        if stream.name == "insurance_policies":
            patient = rows.pick(rng, world.patients)
            has_primary = any(p == "primary" for _, p, _ in world.policies_of.get(patient.id, ()))
            return rows.policy(rng, world, patient, "secondary" if has_primary else "primary", now, now)
        if stream.name == "form_templates":
            name = f"{rows.pick(rng, content.UNUSED_TEMPLATES)} (copy {next_id})"
            return rows.template(
                rng, next_id, content.Template(name, False, ()), now, now, owner_id=world.owner_id
            )
        if stream.name == "care_plans":
            return rows.care_plan(rng, world, now, now)
        if stream.name == "goals":
            return rows.goal(rng, world, now, now)
        if stream.name == "goal_histories":
            goal = self.store.get(model.GOALS, self.store.random_id(model.GOALS, Filter(), rng.random()) or 0)
            if goal is None:
                raise ChangeError("there is no goal to complete", 409)
            return rows.goal_history(
                goal["id"], goal["user_id"], goal["repeat"], goal["parent_id"] is not None, now
            )
        if stream.name == "tasks":
            return rows.task(rng, world, now, now)
        if stream.name == "documents":
            return rows.document(rng, world, now, now)
        return None

    def _remember(self, stream: Stream, row_id: int, row: Row) -> None:
        """New people and types join the pools later rows draw references from."""
        if stream.name == "claims":
            self.world.referable("cms1500s", row_id)
        if stream.name == "insurance_policies":
            payer = next(
                (name for plan, name in self.world.plans if plan == row.get("insurance_plan_id")), ""
            )
            self.world.policies_of.setdefault(int(row["user_id"]), []).append(
                (row_id, str(row.get("priority_type")), payer)
            )
        if stream.name == "patients":
            self.world.add_patient(Person(row_id, ZONES_BY_NAME[row["timezone"]], row.get("dietitian_id")))
        elif stream.name == "providers":
            self.world.providers.append(Person(row_id, ZONES_BY_NAME[row["timezone"]]))
        elif stream.name == "appointment_types":
            self.world.appointment_types.append((row_id, row["length"] or 30, bool(row["is_group"])))

    def _check_fields(self, stream: Stream, fields: Mapping[str, Any], read_only: frozenset[str]) -> None:
        gql_type = self.schema.type_map[stream.entity.type_name]
        assert isinstance(gql_type, GraphQLObjectType)
        for name in fields:
            if name not in gql_type.fields:
                raise ChangeError(f"{stream.entity.type_name} has no field {name!r}")
            if name in read_only:
                raise ChangeError(f"{name} cannot be set")

    def _columns(self, stream: Stream, fields: Mapping[str, Any], length_hint: int | None = None) -> Row:
        """API-shaped `fields` as column values, with the epoch mirrors of timestamps kept in step."""
        entity = stream.entity
        gql_type = self.schema.type_map[entity.type_name]
        assert isinstance(gql_type, GraphQLObjectType)
        out: Row = {}
        for name, value in fields.items():
            field_type = gql_type.fields[name].type
            if isinstance(field_type, GraphQLNonNull):
                field_type = field_type.of_type
            if isinstance(field_type, GraphQLObjectType):
                ref = value.get("id") if isinstance(value, dict) else value
                out[f"{name}_id"] = None if ref is None else int(ref)
            elif isinstance(field_type, GraphQLList):
                out[name] = orjson.dumps(self._elements(name, object_type(field_type), value)).decode()
            else:
                out[name] = int(value) if isinstance(value, bool) else value
            if name in entity.instants:
                if value is None:
                    raise ChangeError(f"{name} cannot be null")
                try:
                    out[entity.instants[name]] = parse_any(str(value))
                except ValueError:
                    raise ChangeError(f"{name} is not a timestamp: {value!r}") from None
        if "amount_paid" in out:
            out["amount_cents"] = _cents(out["amount_paid"])
        if "start_ts" in out and "end" not in out and stream.name == "appointments":
            length = fields.get("length") or length_hint or 0
            out["end"] = restamp(str(fields["date"]), out["start_ts"] + int(length) * 60)
        unknown = set(out) - set(self.store.columns(entity))
        if unknown:
            raise ChangeError(f"cannot set {', '.join(sorted(unknown))} on {stream.name}")
        return out

    @staticmethod
    def _elements(name: str, element: GraphQLObjectType, value: Any) -> list[dict[str, Any]]:
        """An embedded list (form answers, signings): objects with the element type's fields, references
        (`{"user": {"id": ...}}`) stored as `<field>_id` like the seeded ones."""
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ChangeError(f"{name} must be a list of {element.name} objects")
        refs = {n for n, f in element.fields.items() if _is_object(f.type)}
        allowed = (set(element.fields) - refs) | {f"{n}_id" for n in refs}
        out = []
        for item in value:
            stored = {
                (f"{k}_id" if k in refs else k): (v.get("id") if k in refs and isinstance(v, dict) else v)
                for k, v in item.items()
            }
            unknown = set(stored) - allowed
            if unknown:
                raise ChangeError(f"{element.name} has no field(s) {', '.join(sorted(unknown))}")
            out.append(stored)
        return out

    def _differs(self, before: Row, name: str, values: Row) -> bool:
        column = name if name in values else f"{name}_id"
        return before.get(column) != values.get(column)

    # -- events ----------------------------------------------------------------------------------

    def _events(
        self, stream: Stream, row_id: int, suffix: str, row: Row, changed: tuple[str, ...] = ()
    ) -> tuple[WebhookEvent, ...]:
        if stream.event_prefix is None or stream.resource_type is None or suffix not in stream.events:
            return ()
        prefix = (
            "metric_entry"
            if stream.name == "entries" and row.get("type") == "MetricEntry"
            else stream.event_prefix
        )
        return (WebhookEvent(row_id, stream.resource_type, f"{prefix}.{suffix}", changed),)

    def _update_events(
        self, stream: Stream, row_id: int, before: Row, values: Row, changed: tuple[str, ...]
    ) -> tuple[WebhookEvent, ...]:
        if stream.name != "form_answer_groups":
            return self._events(stream, row_id, "updated", {**before, **values}, changed)
        # Forms have no `updated` event: only finishing, locking and signing are announced.
        events: list[WebhookEvent] = []
        if values.get("finished") and not before["finished"]:
            events += self._events(stream, row_id, "created", before)
        if values.get("locked_at") and not before["locked_at"]:
            events += self._events(stream, row_id, "locked", before, changed)
        signings = values.get("form_answer_group_signings")
        if signings is not None and len(orjson.loads(signings)) > len(
            orjson.loads(before["form_answer_group_signings"])
        ):
            events += self._events(stream, row_id, "signed", before, changed)
        return tuple(events)

    # -- realistic random updates ---------------------------------------------------------------------

    def _random_update(self, stream: Stream, row: Row) -> dict[str, Any]:
        rng = self.rng
        if stream.name == "appointments":
            status = rows.pick(rng, [s for s, _ in content.PAST_STATUSES])
            return rng.choice(
                [{"pm_status": status}, {"notes": rows.note(rng, 1.0)}, {"confirmed": not row["confirmed"]}]
            )
        if stream.name == "billing_items":
            state = rows.PAYMENT_STATE(rng)
            reason = rows.pick(rng, content.FAILURE_REASONS) if state == "failed" else None
            return rng.choice(
                [
                    {"state": state, "failure_reason": reason},
                    {"note": rows.note(rng, 1.0)},
                    {"amount_paid": rows.money(rows.pick(rng, content.AMOUNTS_CENTS))},
                ]
            )
        if stream.name == "entries":
            if row["type"] == "MetricEntry" and row["metric_stat"] is not None:
                return {"metric_stat": round(row["metric_stat"] * (0.95 + rng.random() * 0.1), 1)}
            return {"description": rows.note(rng, 1.0)}
        if stream.name == "form_answer_groups":
            return self._form_update(row)
        if stream.name == "patients":
            return rng.choice(
                [
                    {"phone_number": f"(555) 010-{int(rng.random() * 10000):04d}"},
                    {"active": not row["active"]},
                ]
            )
        if stream.name == "providers":
            return {"qualifications": rows.pick(rng, content.QUALIFICATIONS)}
        care = self._care_update(stream, row)
        if care is not None:
            return care
        return {"pricing": rows.money(rows.pick(rng, content.AMOUNTS_CENTS))}

    def _care_update(self, stream: Stream, row: Row) -> dict[str, Any] | None:
        """A realistic edit: a claim adjudicated, an invoice paid or a draft sent, a policy's terms,
        a template renamed, a care plan (de)activated, a goal rescheduled, a task completed or hidden,
        a document shared; None for the other streams."""
        rng, now = self.rng, self.now()
        if stream.name == "claims":
            status = rows.CLAIM_STATUS(rng)
            paid = status in ("Paid", "Partially Paid")
            return {
                "status": status,
                "amount_reimbursed": rows.money(int(float(row["total_charge"] or 0) * 60)) if paid else None,
            }
        if stream.name == "invoice_previews":
            return {
                "is_preview": False,
                "email_sent_at": restamp(row["updated_at"], now),
            }  # sent: leaves drafts
        if stream.name == "invoices":
            return {"status": "Paid", "balance_due": 0.0, "paid_at": restamp(row["updated_at"], now)}
        if stream.name == "insurance_policies":
            edits: list[dict[str, Any]] = [
                {"insurance_billing_method": "Copay", "copay_value": rows.pick(rng, (1500, 2500, 4000))},
                {"effective_end": rows.day(now + 90 * DAY)},
                {"priority_type": "inactive", "effective_end": rows.day(now)},
            ]
            return edits[int(rng.random() * len(edits))]
        if stream.name == "form_templates":
            return {"name": f"{row['name'].split(' (rev')[0]} (rev {now % 1000})"}
        if stream.name == "care_plans":
            return {"is_active": not row["is_active"]}
        if stream.name == "goals":
            return {"due_date": rows.day(now + int(7 + rng.random() * 60) * DAY)}
        if stream.name == "goal_histories":
            return {"is_subgoal": bool(row["is_subgoal"])}
        if stream.name == "tasks":
            if not row["complete"]:
                return {"complete": True, "completed_at": restamp(row["created_at"], now), "seen": True}
            return {"hidden": not row["hidden"]}
        if stream.name == "documents":
            return {"shared": not row["shared"], "users_count": 0 if row["shared"] else 1}
        return None

    def _form_update(self, row: Row) -> dict[str, Any]:
        """Lock an unlocked chart note, sign a locked one, or else edit one answer (no webhook)."""
        now = self.now()
        stamp = restamp(row["updated_at"], now)
        charting = any(
            t.use_for_charting for tid, t in self.world.templates if tid == row["custom_module_form_id"]
        )
        signings = orjson.loads(row["form_answer_group_signings"])
        if charting and row["locked_at"] is None:
            return {"locked_at": stamp, "locked_by": {"id": row["filler_id"] or self.world.owner_id}}
        if charting and not signings:
            signer = str(row["locked_by_id"] or self.world.owner_id)
            signing = {
                "id": str(row["id"] * 4 + 3),
                "form_answer_group_id": str(row["id"]),
                "created_at": stamp,
                "user_id": signer,
            }
            return {"form_answer_group_signings": [signing]}
        answers = orjson.loads(row["form_answers"])
        if answers:
            chosen = answers[int(self.rng.random() * len(answers))]
            text = rows.note(self.rng, 1.0) or "edited"
            chosen.update(answer=text, displayed_answer=text, updated_at=restamp(chosen["updated_at"], now))
        return {"form_answers": answers}
