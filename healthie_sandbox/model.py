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
    children: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """List field -> (element type, foreign-key column of its table): rows of another table listed
    under this one (`User.policies`), rather than JSON embedded in a column."""

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
    children={"policies": ("Policy", "user_id")},
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
    orders={"CREATED_AT": "created_ts", "UPDATED_AT": "updated_ts", "NAME": "name"},
    instants=_STAMPS,
)
CPT_CODES = Entity(table="cpt_codes", type_name="CptCode", orders={})
ICD_CODES = Entity(table="icd_codes", type_name="IcdCode", orders={})
INSURANCE_PLANS = Entity(table="insurance_plans", type_name="InsurancePlan", orders={})
POLICIES = Entity(table="policies", type_name="Policy", orders={}, instants=_STAMPS)
CMS1500S = Entity(
    table="cms1500s",
    type_name="Cms1500",
    orders={
        "CREATED_AT": "created_ts",
        "UPDATED_AT": "updated_ts",
        "STATUS": "status",
        "SERVICE_DATE": "date_of_service",
    },
    soft_delete=True,
    instants=_STAMPS,
)
REQUESTED_PAYMENTS = Entity(
    table="requested_payments",
    type_name="RequestedPayment",
    orders={
        "CREATED_AT": "created_ts",
        "PRICE": "price_cents",
        "STATUS": "status",
        "INVOICE_ID": "invoice_id",
    },
    soft_delete=True,
    instants=_STAMPS,
)
CARE_PLANS = Entity(
    table="care_plans",
    type_name="CarePlan",
    orders={"CREATED_AT": "created_ts", "NAME": "name", "STATUS": "is_active"},
    instants=_STAMPS,
)
GOALS = Entity(
    table="goals",
    type_name="Goal",
    # DUE_DATE_START_DATE (the default) sorts by start date here: a due date may be null.
    orders={"START_DATE": "start_on", "DUE_DATE_START_DATE": "start_on", "NAME": "name"},
    instants=_STAMPS,
)
GOAL_HISTORIES = Entity(
    table="goal_histories", type_name="GoalHistory", orders={"CREATED_AT": "created_ts"}, instants=_STAMPS
)
TASKS = Entity(
    table="tasks",
    type_name="Task",
    orders={"CREATED": "created_ts", "UPDATED_AT": "updated_ts", "PRIORITY": "priority"},
    instants=_STAMPS,
)
DOCUMENTS = Entity(
    table="documents",
    type_name="Document",
    orders={"CREATED_AT": "created_ts", "NAME": "display_name"},
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
SENT_WEBHOOKS = Entity(
    table="sent_webhooks",
    type_name="SentWebhook",
    orders={"CREATED_AT": "created_ts", "EVENT_TYPE": "event_type", "URL": "url"},
)
"""Webhook POSTs the sandbox made (`sentWebhooks`): not a lake stream, written by the webhook sender."""

ENTITIES: tuple[Entity, ...] = (
    USERS,
    APPOINTMENT_TYPES,
    CUSTOM_MODULE_FORMS,
    APPOINTMENTS,
    BILLING_ITEMS,
    ENTRIES,
    FORM_ANSWER_GROUPS,
    SENT_WEBHOOKS,
    CPT_CODES,
    ICD_CODES,
    INSURANCE_PLANS,
    POLICIES,
    CMS1500S,
    REQUESTED_PAYMENTS,
    CARE_PLANS,
    GOALS,
    GOAL_HISTORIES,
    TASKS,
    DOCUMENTS,
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


_CUD = frozenset({"created", "updated", "deleted"})

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
    Stream("claims", CMS1500S, event_prefix="cms1500", resource_type="Cms1500", events=_CUD, deletable=True),
    Stream(
        "invoices",
        REQUESTED_PAYMENTS,
        scope="is_preview = 0",
        event_prefix="requested_payment",
        resource_type="RequestedPayment",
        events=frozenset({"created", "updated"}),
        deletable=True,
    ),
    Stream(
        "invoice_previews",
        REQUESTED_PAYMENTS,
        scope="is_preview = 1",
        event_prefix="requested_payment",
        resource_type="RequestedPayment",
        events=frozenset({"created", "updated"}),
        deletable=True,
    ),
    Stream(
        "insurance_policies",
        POLICIES,
        event_prefix="policy",
        resource_type="Policy",
        events=_CUD,
        deletable=True,
    ),
    Stream("form_templates", CUSTOM_MODULE_FORMS),
    Stream(
        "care_plans",
        CARE_PLANS,
        event_prefix="care_plan",
        resource_type="CarePlan",
        events=_CUD,
        deletable=True,
    ),
    Stream("goals", GOALS, event_prefix="goal", resource_type="Goal", events=_CUD, deletable=True),
    Stream(
        "goal_histories",
        GOAL_HISTORIES,
        event_prefix="goal_history",
        resource_type="GoalHistory",
        events=frozenset({"created"}),
    ),
    Stream("tasks", TASKS, event_prefix="task", resource_type="Task", events=_CUD, deletable=True),
    Stream(
        "documents", DOCUMENTS, event_prefix="document", resource_type="Document", events=_CUD, deletable=True
    ),
)
STREAM_BY_NAME: dict[str, Stream] = {s.name: s for s in STREAMS}

#: `pm_status` values the appointments list drops unless `with_all_statuses: true`.
INACTIVE_STATUSES: tuple[str, ...] = ("Cancelled", "No-Show", "Re-Scheduled")
