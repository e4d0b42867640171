"""Seeding: a deterministic, realistic practice of any size, streamed into the store.

`seed(store, SeedConfig(scale, seed))` writes the same rows for the same (scale, seed, anchor) every
time. Scale 1 is a small practice (8 providers, 400 patients, 4k appointments, 2k payments, 8k
journal entries, 800 finished forms); everything grows linearly, so scale 250 is about a million
appointments. Rows are produced by generators and consumed by `executemany`, so memory stays flat
whatever the scale, and the keyset indexes are built once at the end.

Instants are spread around the anchor (00:00 UTC today unless given): two years of history, four
months of future appointments, nothing created after the anchor, so "now" while serving is always
later than every seeded row.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

from healthie_sandbox import content, model, rows
from healthie_sandbox.rows import Person, Row, World
from healthie_sandbox.store import Store
from healthie_sandbox.timestamps import DAY, ZONES_BY_NAME

YEAR = 365 * DAY
HISTORY = 2 * YEAR
FUTURE = 120 * DAY
DELETED_SHARE = 0.03
UNFINISHED_SHARE = 0.1
ENTRY_HOLE_SHARE = 0.02

#: First id of each table (Healthie ids are per-table sequences; distinct bases make mix-ups visible).
ID_BASE = {
    "users": 1001,
    "appointment_types": 101,
    "custom_module_forms": 301,
    "appointments": 100_001,
    "billing_items": 400_001,
    "entries": 700_001,
    "form_answer_groups": 50_001,
    "cpt_codes": 11,
    "icd_codes": 41,
    "insurance_plans": 61,
    "policies": 20_001,
    "cms1500s": 200_001,
    "requested_payments": 300_001,
    "care_plans": 5_001,
    "goals": 600_001,
    "goal_histories": 800_001,
    "tasks": 900_001,
    "documents": 1_000_001,
}
POLICY_SHARE = 0.75
"""Patients with an active primary policy (a fifth of them also a secondary, a tenth an old one)."""
PREVIEW_SHARE = 0.1
CARE_PLAN_TEMPLATE_SHARE = 0.1
SUBGOAL_SHARE = 0.15


def today_utc() -> int:
    now = int(time.time())
    return now - now % DAY


@dataclass(frozen=True)
class SeedConfig:
    scale: float = 1.0
    seed: int = 42
    anchor: int | None = None
    """Epoch seconds all seeded time is relative to (default: 00:00 UTC today)."""

    def resolved_anchor(self) -> int:
        return self.anchor if self.anchor is not None else today_utc()


@dataclass(frozen=True)
class Counts:
    """How many rows of each kind a scale means."""

    providers: int
    patients: int
    appointment_types: int
    appointments: int
    billing_items: int
    entries: int
    forms: int
    claims: int
    invoices: int
    care_plans: int
    goals: int
    tasks: int
    documents: int

    @classmethod
    def for_scale(cls, scale: float) -> Counts:
        def n(per_unit: float, floor: int) -> int:
            return max(floor, round(per_unit * scale))

        return cls(
            providers=n(8, 3),
            patients=n(400, 12),
            appointment_types=len(content.APPOINTMENT_TYPES),
            appointments=n(4000, 40),
            billing_items=n(2000, 20),
            entries=n(8000, 60),
            forms=n(800, 12),
            claims=n(600, 12),
            invoices=n(800, 16),
            care_plans=n(150, 6),
            goals=n(1200, 24),
            tasks=n(1000, 20),
            documents=n(1500, 30),
        )


def _rng(config: SeedConfig, table: str) -> random.Random:
    return random.Random(f"{config.seed}:{table}")


def _load(store: Store, entity: model.Entity, produced: Iterator[Row]) -> None:
    """Bulk-insert rows whose keys (all rows alike) name the columns."""
    first = next(produced, None)
    if first is None:
        return
    columns = tuple(first)
    store.bulk_insert(entity, columns, (tuple(r.values()) for r in chain([first], produced)))


def seed(store: Store, config: SeedConfig) -> World:
    """Fill an empty store; returns the `World` (people and catalogues) later changes draw from."""
    anchor = config.resolved_anchor()
    counts = Counts.for_scale(config.scale)
    world = _people(store, config, counts, anchor)
    _catalogues(store, config, counts, world, anchor)
    _facts(store, config, counts, world, anchor)
    _care(store, config, counts, world, anchor)
    store.finish_load()
    return world


def _people(store: Store, config: SeedConfig, counts: Counts, anchor: int) -> World:
    rng = _rng(config, "users")
    base = ID_BASE["users"]
    world = World(owner_id=base)
    produced: list[Row] = []
    for i in range(counts.providers):
        created = anchor - 4 * YEAR + int(rng.random() * YEAR)
        row = rows.user(rng, base + i, "provider", created, anchor, None)
        world.providers.append(Person(row["id"], ZONES_BY_NAME[row["timezone"]]))
        produced.append(row)
    _load(store, model.USERS, iter(produced))

    def patients() -> Iterator[Row]:
        for i in range(counts.patients):
            # A quarter of the practice's patients belong to the key-holder, the rest spread out.
            owner = world.owner_id if rng.random() < 0.25 else rows.pick(rng, world.providers).id
            row = rows.user(
                rng,
                base + counts.providers + i,
                "patient",
                anchor - 3 * YEAR + int(rng.random() * 3 * YEAR),
                anchor,
                owner,
            )
            world.add_patient(Person(row["id"], ZONES_BY_NAME[row["timezone"]], owner))
            yield row

    _load(store, model.USERS, patients())
    return world


def _catalogues(store: Store, config: SeedConfig, counts: Counts, world: World, anchor: int) -> None:
    rng = _rng(config, "catalogues")
    start = anchor - 4 * YEAR
    types = [
        rows.appointment_type(rng, ID_BASE["appointment_types"] + i, i, start + i * DAY, anchor)
        for i in range(counts.appointment_types)
    ]
    world.appointment_types = [(t["id"], t["length"], bool(t["is_group"])) for t in types]
    _load(store, model.APPOINTMENT_TYPES, iter(types))
    templates = [
        rows.template(rng, ID_BASE["custom_module_forms"] + i, tpl, start + i * DAY, anchor)
        for i, tpl in enumerate(content.TEMPLATES)
    ]
    world.templates = [(t["id"], tpl) for t, tpl in zip(templates, content.TEMPLATES, strict=True)]
    next_id = ID_BASE["custom_module_forms"] + len(templates)
    for name in content.UNUSED_TEMPLATES:  # never answered: form marts must still name them
        templates.append(
            rows.template(
                rng, next_id, content.Template(name, False, ()), start, anchor, owner_id=world.owner_id
            )
        )
        next_id += 1
    for name, charting in content.DEFAULT_TEMPLATES:  # Healthie's own: hidden by default
        templates.append(
            rows.template(rng, next_id, content.Template(name, charting, ()), start, anchor, True)
        )
        next_id += 1
    _load(store, model.CUSTOM_MODULE_FORMS, iter(templates))
    cpt = [
        rows.code(ID_BASE["cpt_codes"] + i, code, description, start)
        for i, (code, description, _) in enumerate(content.CPT_CODES)
    ]
    world.cpt_codes = [(r["id"], fee) for r, (_, _, fee) in zip(cpt, content.CPT_CODES, strict=True)]
    _load(store, model.CPT_CODES, iter(cpt))
    icd = [rows.code(ID_BASE["icd_codes"] + i, c, d, start) for i, (c, d) in enumerate(content.ICD_CODES)]
    world.icd_codes = [r["id"] for r in icd]
    _load(store, model.ICD_CODES, iter(icd))
    plans: list[Row] = [
        {"id": ID_BASE["insurance_plans"] + i, "payer_id": payer_id, "payer_name": name}
        for i, (payer_id, name) in enumerate(content.PAYERS)
    ]
    world.plans = [(r["id"], r["payer_name"]) for r in plans]
    _load(store, model.INSURANCE_PLANS, iter(plans))
    _policies(store, config, world, anchor)


def _policies(store: Store, config: SeedConfig, world: World, anchor: int) -> None:
    """Most patients have a primary policy, some a secondary, some an old inactive one; some none."""
    rng = _rng(config, "policies")
    next_id = ID_BASE["policies"]

    def produce() -> Iterator[Row]:
        nonlocal next_id
        insured = 0
        for patient in world.patients:
            if rng.random() >= POLICY_SHARE:
                continue
            insured += 1  # every fifth insured patient has a secondary, every eighth an old policy
            priorities = ["primary"]
            if insured % 5 == 1:
                priorities.append("secondary")
            if insured % 8 == 2:
                priorities.append("inactive")
            for priority in priorities:
                created = anchor - int(rng.random() * HISTORY)
                row = rows.policy(rng, world, patient, priority, created, anchor)
                row["id"] = next_id
                payer = next(name for plan_id, name in world.plans if plan_id == row["insurance_plan_id"])
                world.policies_of.setdefault(patient.id, []).append((next_id, priority, payer))
                next_id += 1
                yield row

    _load(store, model.POLICIES, produce())


def _facts(store: Store, config: SeedConfig, counts: Counts, world: World, anchor: int) -> None:
    def spread(rng: random.Random) -> int:
        return anchor - int(rng.random() * HISTORY)

    def appointments() -> Iterator[Row]:
        rng = _rng(config, "appointments")
        for i in range(counts.appointments):
            start = anchor - HISTORY + int(rng.random() * (HISTORY + FUTURE))
            start -= start % 900
            created = min(start, anchor) - 3600 - int(rng.random() * 45 * DAY)
            row = rows.appointment(rng, world, created, start, anchor, deleted=rng.random() < DELETED_SHARE)
            row["id"] = ID_BASE["appointments"] + i
            if row["deleted_at"] is None:
                world.referable("appointments", row["id"])
            yield row

    def billing_items() -> Iterator[Row]:
        rng = _rng(config, "billing_items")
        for i in range(counts.billing_items):
            row = rows.billing_item(rng, world, spread(rng), anchor, deleted=rng.random() < DELETED_SHARE)
            row["id"] = ID_BASE["billing_items"] + i
            yield row

    holes: list[int] = []

    def entries() -> Iterator[Row]:
        rng = _rng(config, "entries")
        for i in range(counts.entries):
            row = rows.entry(rng, world, spread(rng), anchor)
            if rng.random() < ENTRY_HOLE_SHARE:
                holes.append(ID_BASE["entries"] + i)  # existed once, hard-deleted before the seed
                continue
            row["id"] = ID_BASE["entries"] + i
            yield row

    def forms() -> Iterator[Row]:
        rng = _rng(config, "form_answer_groups")
        total = round(counts.forms * (1 + UNFINISHED_SHARE))
        for i in range(total):
            finished = rng.random() >= UNFINISHED_SHARE / (1 + UNFINISHED_SHARE)
            deleted = rng.random() < DELETED_SHARE
            row = rows.form_answer_group(
                rng, world, ID_BASE["form_answer_groups"] + i, spread(rng), anchor, finished, deleted
            )
            if row["finished"] and row["deleted_at"] is None:
                world.referable("form_answer_groups", row["id"])
            yield row

    loaders: tuple[tuple[model.Entity, Callable[[], Iterator[Row]]], ...] = (
        (model.APPOINTMENTS, appointments),
        (model.BILLING_ITEMS, billing_items),
        (model.ENTRIES, entries),
        (model.FORM_ANSWER_GROUPS, forms),
    )
    for entity, produce in loaders:
        _load(store, entity, produce())
    store.add_tombstones("entries", holes)


def _care(store: Store, config: SeedConfig, counts: Counts, world: World, anchor: int) -> None:
    """Claims, invoices (drafts included), care plans, goals with their completions, tasks, documents."""

    def spread(rng: random.Random) -> int:
        return anchor - int(rng.random() * HISTORY)

    def claims() -> Iterator[Row]:
        rng = _rng(config, "cms1500s")
        for i in range(counts.claims):
            row = rows.claim(
                rng, world, ID_BASE["cms1500s"] + i, spread(rng), anchor, rng.random() < DELETED_SHARE
            )
            if row["deleted_at"] is None:
                world.referable("cms1500s", row["id"])
            yield row

    def invoices() -> Iterator[Row]:
        rng = _rng(config, "requested_payments")
        for i in range(counts.invoices):
            preview = rng.random() < PREVIEW_SHARE
            yield rows.invoice(
                rng, world, ID_BASE["requested_payments"] + i, spread(rng), anchor, preview,
                rng.random() < DELETED_SHARE,
            )  # fmt: skip

    def care_plans() -> Iterator[Row]:
        rng = _rng(config, "care_plans")
        for i in range(counts.care_plans):
            row = rows.care_plan(rng, world, spread(rng), anchor, rng.random() < CARE_PLAN_TEMPLATE_SHARE)
            row["id"] = ID_BASE["care_plans"] + i
            yield row

    completions: list[tuple[int, int | None, str | None, bool, int]] = []

    def goals() -> Iterator[Row]:
        rng = _rng(config, "goals")
        last: Row | None = None
        for i in range(counts.goals):
            parent = (
                last
                if last is not None and last["parent_id"] is None and rng.random() < SUBGOAL_SHARE
                else None
            )
            row = rows.goal(rng, world, spread(rng), anchor, parent)
            row["id"] = ID_BASE["goals"] + i
            step = {"Daily": DAY, "Weekly": 7 * DAY}.get(row["repeat"] or "", 0)
            done = row["created_ts"] - row["created_ts"] % DAY + 20 * 3600
            for _ in range(int(rng.random() * (6 if step else 2))):
                if done >= anchor:
                    break
                completions.append((row["id"], row["user_id"], row["repeat"], parent is not None, done))
                done += step or DAY * (1 + int(rng.random() * 30))
            last = row
            yield row

    def goal_histories() -> Iterator[Row]:
        for i, (goal_id, user_id, repeat, is_subgoal, done) in enumerate(
            sorted(completions, key=lambda c: c[4])
        ):
            row = rows.goal_history(goal_id, user_id, repeat, is_subgoal, done)
            row["id"] = ID_BASE["goal_histories"] + i
            yield row

    def tasks() -> Iterator[Row]:
        rng = _rng(config, "tasks")
        for i in range(counts.tasks):
            row = rows.task(rng, world, spread(rng), anchor)
            row["id"] = ID_BASE["tasks"] + i
            yield row

    def documents() -> Iterator[Row]:
        rng = _rng(config, "documents")
        for i in range(counts.documents):
            row = rows.document(rng, world, spread(rng), anchor)
            row["id"] = ID_BASE["documents"] + i
            yield row

    loaders: tuple[tuple[model.Entity, Callable[[], Iterator[Row]]], ...] = (
        (model.CMS1500S, claims),
        (model.REQUESTED_PAYMENTS, invoices),
        (model.CARE_PLANS, care_plans),
        (model.GOALS, goals),
        (model.GOAL_HISTORIES, goal_histories),
        (model.TASKS, tasks),
        (model.DOCUMENTS, documents),
    )
    for entity, produce in loaders:
        _load(store, entity, produce())
