"""The sandbox's catalogue: which table backs each Healthie type and each lake stream.

One `Entity` per stored Healthie object type says where its rows live, which rows a list query may
show at all (soft deletes, unfinished forms), and which columns each `order_by` key sorts by. One
`Stream` per lake stream (the names of pipelines/healthie/streams.py, which the sandbox must not
import) adds the row scope (patients and providers share the `users` table, as in Healthie) and the
webhook vocabulary Healthie uses for it. Every SQL identifier the sandbox ever interpolates comes
from here; values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entity:
    """A stored Healthie object type."""

    table: str
    type_name: str
    orders: Mapping[str, str]
    """`order_by` key stem (`CREATED_AT`) -> sort column; `UNSORTED` always sorts by id."""
    soft_delete: bool = False
    listed: str = "1 = 1"
    """SQL predicate, deletion aside, of rows lists may show (forms: finished ones only)."""
    instants: Mapping[str, str] = field(default_factory=dict)
    """Text timestamp column -> the epoch column that mirrors it (kept in step on every write)."""

    @property
    def live(self) -> str:
        """Predicate of rows lists and counts show (its terms match the partial indexes' WHERE)."""
        return f"deleted_at IS NULL AND {self.listed}" if self.soft_delete else self.listed


_STAMPS = {"created_at": "created_ts", "updated_at": "updated_ts"}

USERS = Entity(
    table="users",
    type_name="User",
    orders={
        "CREATED_AT": "created_ts",
        "UPDATED_AT": "updated_ts",
        "LAST_NAME": "last_name",
        "FIRST_NAME": "first_name",
        "EMAIL": "email",
    },
    instants=_STAMPS,
)
APPOINTMENT_TYPES = Entity(
    table="appointment_types",
    type_name="AppointmentType",
    orders={"CREATED_AT": "created_ts", "UPDATED_AT": "updated_ts", "POSITION": "position"},
    instants=_STAMPS,
)
CUSTOM_MODULE_FORMS = Entity(
    table="custom_module_forms",
    type_name="CustomModuleForm",
    orders={"CREATED_AT": "created_ts"},
    instants=_STAMPS,
)
APPOINTMENTS = Entity(
    table="appointments",
    type_name="Appointment",
    orders={"DATE": "start_ts", "CREATED_AT": "created_ts", "UPDATED_AT": "updated_ts"},
    soft_delete=True,
    instants={**_STAMPS, "date": "start_ts"},
)
BILLING_ITEMS = Entity(
    table="billing_items",
    type_name="BillingItem",
    orders={
        "CREATED_AT": "created_ts",
        "UPDATED_AT": "updated_ts",
        "AMOUNT_PAID": "amount_cents",
        "STATE": "state",
        "METHOD": "payment_medium",
    },
    soft_delete=True,
    instants=_STAMPS,
)
ENTRIES = Entity(
    table="entries",
    type_name="Entry",
    orders={"CREATED_AT": "created_ts", "UPDATED_AT": "updated_ts"},
    instants=_STAMPS,
)
FORM_ANSWER_GROUPS = Entity(
    table="form_answer_groups",
    type_name="FormAnswerGroup",
    listed="finished = 1",
    orders={"CREATED_AT": "created_ts", "UPDATED_AT": "updated_ts", "RECORD_CREATED_AT": "record_created_ts"},
    soft_delete=True,
    instants={**_STAMPS, "record_created_at": "record_created_ts"},
)

ENTITIES: tuple[Entity, ...] = (
    USERS,
    APPOINTMENT_TYPES,
    CUSTOM_MODULE_FORMS,
    APPOINTMENTS,
    BILLING_ITEMS,
    ENTRIES,
    FORM_ANSWER_GROUPS,
)
ENTITY_BY_TYPE: dict[str, Entity] = {e.type_name: e for e in ENTITIES}


@dataclass(frozen=True)
class Stream:
    """A lake stream as the sandbox serves it: its rows, and the webhooks its changes send."""

    name: str
    entity: Entity
    scope: str = "1 = 1"
    """Extra predicate selecting this stream's rows in a shared table (patients vs providers)."""
    event_prefix: str | None = None
    """Webhook event prefix (`appointment` -> `appointment.updated`); None: Healthie sends none."""
    resource_type: str | None = None
    events: frozenset[str] = frozenset()
    """The event suffixes Healthie defines for this resource (others are never sent)."""
    deletable: bool = False

    @property
    def visible(self) -> str:
        """Predicate of rows a complete pull of this stream must contain."""
        return f"{self.entity.live} AND {self.scope}"


STREAMS: tuple[Stream, ...] = (
    Stream(
        "appointments",
        APPOINTMENTS,
        event_prefix="appointment",
        resource_type="Appointment",
        events=frozenset({"created", "updated", "deleted"}),
        deletable=True,
    ),
    Stream(
        "billing_items",
        BILLING_ITEMS,
        event_prefix="billing_item",
        resource_type="BillingItem",
        events=frozenset({"created", "updated"}),
        deletable=True,
    ),
    Stream(
        "entries",
        ENTRIES,
        event_prefix="entry",
        resource_type="Entry",
        events=frozenset({"created", "updated", "deleted"}),
        deletable=True,
    ),
    Stream(
        "form_answer_groups",
        FORM_ANSWER_GROUPS,
        event_prefix="form_answer_group",
        resource_type="FormAnswerGroup",
        events=frozenset({"created", "deleted", "locked", "signed"}),
        deletable=True,
    ),
    Stream(
        "patients",
        USERS,
        scope="role = 'patient'",
        event_prefix="patient",
        resource_type="Patient",
        events=frozenset({"created", "updated"}),
    ),
    Stream("providers", USERS, scope="role = 'provider'"),
    Stream("appointment_types", APPOINTMENT_TYPES),
)
STREAM_BY_NAME: dict[str, Stream] = {s.name: s for s in STREAMS}

#: `pm_status` values the appointments list drops unless `with_all_statuses: true`.
INACTIVE_STATUSES: tuple[str, ...] = ("Cancelled", "No-Show", "Re-Scheduled")
