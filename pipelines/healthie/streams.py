"""One declarative spec per Healthie stream; the generic pager and the lake read nothing else.

A spec states what a complete pull of one list query needs: its GraphQL document (a `.graphql` file
holding the list, count and by-id operations), the page-size cap, the arguments Healthie's defaults
would otherwise drop rows without (docs/healthie-api.md), how the stream splits into time windows for
concurrent pulls, and the Arrow schema of the rows as they land in the lake. Values land as Healthie
returns them (timestamps and money stay strings); typing happens in dbt staging, where every style is
parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from importlib import resources
from typing import Any

import pyarrow as pa

from pipelines.healthie.webhook_routes import resource_types_of

QUERIES_PACKAGE = "pipelines.healthie.queries"

#: Columns the lake adds to every row: when it was read, which sync or webhook refresh wrote it, and a
#: hash of its content (a MERGE leaves a record whose content did not change untouched).
LAKE_COLUMNS: tuple[pa.Field, ...] = (
    pa.field("_extracted_at", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("_sync_id", pa.string(), nullable=False),
    pa.field("_row_hash", pa.int64(), nullable=False),
)


class Pagination(Enum):
    """How a list query pages: keyset cursor (`after`) or `offset` (only where Healthie has no cursor)."""

    CURSOR = "cursor"
    OFFSET = "offset"


class WindowKind(Enum):
    """What a stream's window arguments accept: calendar dates (inclusive) or ISO 8601 instants."""

    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Windowing:
    """The pair of list/count arguments that bound a stream to a time window.

    `start_arg`/`end_arg` name the variables; DATE windows are inclusive days (`YYYY-MM-DD`), DATETIME
    windows are half-open ISO 8601 instants. `mutable` is true when the windowed attribute changes on
    update (e.g. `updated_at`): such a stream needs a catch-up pass over what changed during the sync.
    """

    start_arg: str
    end_arg: str
    kind: WindowKind
    mutable: bool = False
    end_exclusive: bool = False
    """DATE windows: the server excludes the end day (entries' `end_range`: "before the beginning of
    that day"), so the engine sends the day after a window's last day."""
    end_needs_start: bool = False
    """The server ignores the end without a start (entries: "Must be sent in with a start_range"), so a
    window open at the start sends a floor date instead of no start."""


def _ref(*fields: pa.Field) -> pa.DataType:
    return pa.struct(list(fields))


ID_REF = _ref(pa.field("id", pa.string()))


@dataclass(frozen=True)
class StreamSpec:
    """Everything the generic engine needs to pull one Healthie list query completely."""

    name: str
    """Lake folder and Dagster asset name (`appointments`, `billing_items`, ...)."""
    description: str
    """One line: what one row is (the asset's grain)."""
    document: str
    """File under `queries/` holding the list (`items:`), count (`count:`) and by-id (`item:`) operations."""
    list_operation: str
    count_operation: str | None
    by_id_operation: str | None
    page_size_cap: int
    fields: tuple[pa.Field, ...]
    """Arrow fields of one row as returned (the `cursor` is paging state and does not land)."""
    pagination: Pagination = Pagination.CURSOR
    required_args: dict[str, Any] = field(default_factory=dict)
    """Arguments a complete pull must pass (sent as variables to list and count operations)."""
    count_args: tuple[str, ...] = ()
    """Which of `required_args` the count operation also takes (it must see the same filters)."""
    order_by: str | None = None
    """A stable ascending order, so cursors are keyset positions that survive concurrent writes."""
    windowing: Windowing | None = None
    also_rereads: tuple[str, ...] = ()
    """Streams a webhook refresh re-reads the same ids in: a record that moves between two streams of
    one resource (an invoice leaving preview) must be deleted from one and upserted in the other."""
    nested_rows: str | None = None
    """Where Healthie has no root list (insurance policies): the list pages parent records and each
    row is an element of the parent's `nested_rows` list; the by-id query returns one row itself."""

    @cached_property
    def query_text(self) -> str:
        return resources.files(QUERIES_PACKAGE).joinpath(self.document).read_text(encoding="utf-8")

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        """The lake schema: the row's fields, then the lake's own bookkeeping columns."""
        return pa.schema([*self.fields, *LAKE_COLUMNS])

    @property
    def webhook_resource_types(self) -> tuple[str, ...]:
        """Webhook `resource_id_type` values that mean "re-read one row of this stream by id" (from the
        one routing table, `webhook_routes`)."""
        return resource_types_of(self.name)

    def count_variables(self) -> dict[str, Any]:
        return {k: v for k, v in self.required_args.items() if k in self.count_args}


APPOINTMENTS = StreamSpec(
    name="appointments",
    description=(
        "One row per appointment version read from Healthie (past and future, every status, blockers)."
    ),
    document="appointments.graphql",
    list_operation="Appointments",
    count_operation="AppointmentsCount",
    by_id_operation="Appointment",
    page_size_cap=500,
    required_args={"filter": "all", "is_org": True, "with_all_statuses": True, "should_paginate": True},
    count_args=("filter", "is_org", "with_all_statuses"),
    order_by="CREATED_AT_ASC",
    windowing=Windowing("startDate", "endDate", WindowKind.DATE),
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("date", pa.string()),
        pa.field("end", pa.string()),
        pa.field("length", pa.int64()),
        pa.field("pm_status", pa.string()),
        pa.field("is_blocker", pa.bool_()),
        pa.field("is_group", pa.bool_()),
        pa.field("confirmed", pa.bool_()),
        pa.field("contact_type", pa.string()),
        pa.field("location", pa.string()),
        pa.field("notes", pa.string()),
        pa.field("timezone_abbr", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("deleted_at", pa.string()),
        pa.field("appointment_type_id", pa.int64()),
        pa.field("user_id", pa.int64()),
        pa.field("provider", ID_REF),
        pa.field("appointment_type", _ref(pa.field("id", pa.string()), pa.field("name", pa.string()))),
    ),
)

BILLING_ITEMS = StreamSpec(
    name="billing_items",
    description="One row per payment (BillingItem) version: sender = patient, recipient = provider.",
    document="billing_items.graphql",
    list_operation="BillingItems",
    count_operation="BillingItemsCount",
    by_id_operation="BillingItem",
    page_size_cap=100,
    order_by="CREATED_AT_ASC",
    windowing=Windowing("created_at_start", "created_at_end", WindowKind.DATE),
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("amount_paid", pa.string()),
        pa.field("currency", pa.string()),
        pa.field("state", pa.string()),
        pa.field("note", pa.string()),
        pa.field("payment_medium", pa.string()),
        pa.field("failure_reason", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("deleted_at", pa.string()),
        pa.field("sender_id", pa.string()),
        pa.field("recipient_id", pa.string()),
    ),
)

ENTRIES = StreamSpec(
    name="entries",
    description="One row per journal entry version (food, mirror, metric, workout, sleep, note).",
    document="entries.graphql",
    list_operation="Entries",
    count_operation="EntriesCount",
    by_id_operation="Entry",
    page_size_cap=500,
    required_args={"is_org": True},
    count_args=("is_org",),
    order_by="CREATED_AT_ASC",
    windowing=Windowing(
        "start_range", "end_range", WindowKind.DATE, end_exclusive=True, end_needs_start=True
    ),
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("type", pa.string()),
        pa.field("category", pa.string()),
        pa.field("metric_stat", pa.float64()),
        pa.field("name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("emotions", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("poster", ID_REF),
    ),
)

FORM_ANSWER = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("custom_module_id", pa.string()),
        pa.field("label", pa.string()),
        pa.field("answer", pa.string()),
        pa.field("displayed_answer", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ]
)

FORM_ANSWER_GROUPS = StreamSpec(
    name="form_answer_groups",
    description="One row per finished form (intake form or chart note) version, answers nested.",
    document="form_answer_groups.graphql",
    list_operation="FormAnswerGroups",
    count_operation="FormAnswerGroupsCount",
    by_id_operation="FormAnswerGroup",
    page_size_cap=100,
    required_args={"should_paginate": True},
    order_by="CREATED_AT_ASC",
    windowing=Windowing("updated_after", "updated_before", WindowKind.DATETIME, mutable=True),
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("finished", pa.bool_()),
        pa.field("locked_at", pa.string()),
        pa.field("record_created_at", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("deleted_at", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("filler", ID_REF),
        pa.field("locked_by", ID_REF),
        pa.field(
            "custom_module_form",
            _ref(
                pa.field("id", pa.string()),
                pa.field("name", pa.string()),
                pa.field("use_for_charting", pa.bool_()),
            ),
        ),
        pa.field(
            "form_answer_group_signings",
            pa.list_(_ref(pa.field("id", pa.string()), pa.field("created_at", pa.string()))),
        ),
        pa.field("form_answers", pa.list_(FORM_ANSWER)),
    ),
)

PATIENTS = StreamSpec(
    name="patients",
    description="One row per patient (client) version.",
    document="patients.graphql",
    list_operation="Patients",
    count_operation="PatientsCount",
    by_id_operation="Patient",
    page_size_cap=100,
    required_args={"should_paginate": True},
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("first_name", pa.string()),
        pa.field("last_name", pa.string()),
        pa.field("email", pa.string()),
        pa.field("dob", pa.string()),
        pa.field("gender", pa.string()),
        pa.field("phone_number", pa.string()),
        pa.field("timezone", pa.string()),
        pa.field("active", pa.bool_()),
        pa.field("dietitian_id", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ),
)

PROVIDERS = StreamSpec(
    name="providers",
    description="One row per provider or staff member of the organisation.",
    document="providers.graphql",
    list_operation="Providers",
    count_operation="ProvidersCount",
    by_id_operation=None,
    page_size_cap=100,
    pagination=Pagination.OFFSET,
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("first_name", pa.string()),
        pa.field("last_name", pa.string()),
        pa.field("email", pa.string()),
        pa.field("npi", pa.string()),
        pa.field("qualifications", pa.string()),
        pa.field("timezone", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ),
)

APPOINTMENT_TYPES = StreamSpec(
    name="appointment_types",
    description="One row per appointment type (visit kind) of the organisation.",
    document="appointment_types.graphql",
    list_operation="AppointmentTypes",
    count_operation=None,
    by_id_operation=None,
    page_size_cap=1000,
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("length", pa.int64()),
        pa.field("is_group", pa.bool_()),
        pa.field("clients_can_book", pa.bool_()),
        pa.field("pricing", pa.string()),
        pa.field("position", pa.int64()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ),
)

CLAIM_LINE = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("cpt_code", _ref(pa.field("id", pa.string()), pa.field("code", pa.string()))),
        pa.field("units", pa.string()),
        pa.field("fee", pa.string()),
        pa.field("mod1", pa.string()),
        pa.field("mod2", pa.string()),
        pa.field("mod3", pa.string()),
        pa.field("mod4", pa.string()),
        pa.field("pointers", pa.list_(pa.string())),
        pa.field("service_date", pa.string()),
        pa.field("service_end_date", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ]
)

CLAIM_DIAGNOSIS = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("active", pa.bool_()),
        pa.field("icd_code", _ref(pa.field("id", pa.string()), pa.field("code", pa.string()))),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ]
)

CLAIMS = StreamSpec(
    name="claims",
    description=(
        "One row per insurance claim (CMS 1500) version, CPT lines, ICD codes and billed policies nested."
    ),
    document="claims.graphql",
    list_operation="Claims",
    count_operation="ClaimsCount",
    by_id_operation="Claim",
    page_size_cap=100,
    required_args={"should_paginate": True},
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("status", pa.string()),
        pa.field("date_of_service", pa.string()),
        pa.field("total_charge", pa.string()),
        pa.field("amount_paid", pa.string()),
        pa.field("amount_reimbursed", pa.string()),
        pa.field("adjustment", pa.string()),
        pa.field("client_responsibility", pa.string()),
        pa.field("copay", pa.string()),
        pa.field("copay_still_owed", pa.string()),
        pa.field("primary_plan_name", pa.string()),
        pa.field("patient_id", pa.string()),
        pa.field("dietitian_id", pa.string()),
        pa.field("billing_provider_id", pa.string()),
        pa.field("service_location_id", pa.string()),
        pa.field("form_answer_group_id", pa.string()),
        pa.field("accept_assignment", pa.bool_()),
        pa.field("reimbursed_at", pa.string()),
        pa.field("paid_out_at", pa.string()),
        pa.field("resubmission_code", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("cpt_codes_cms1500s", pa.list_(CLAIM_LINE)),
        pa.field("icd_codes_cms1500s", pa.list_(CLAIM_DIAGNOSIS)),
        pa.field(
            "cms1500_policies",
            pa.list_(_ref(pa.field("id", pa.string()), pa.field("policy_id", pa.string()))),
        ),
    ),
)

INVOICE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("id", pa.string(), nullable=False),
    pa.field("invoice_id", pa.string()),
    pa.field("invoice_type", pa.string()),
    pa.field("status", pa.string()),
    pa.field("is_preview", pa.bool_()),
    pa.field("is_manually_paid", pa.bool_()),
    pa.field("price", pa.string()),
    pa.field("currency", pa.string()),
    pa.field("balance_due", pa.float64()),
    pa.field("write_off_amount", pa.float64()),
    pa.field("paid_percent", pa.int64()),
    pa.field("paid_at", pa.string()),
    pa.field("service_date", pa.string()),
    pa.field("date_to_show", pa.string()),
    pa.field("email_sent_at", pa.string()),
    pa.field("sender_id", pa.string()),
    pa.field("recipient_id", pa.string()),
    pa.field("requested_payer_id", pa.string()),
    pa.field("appointment_id", pa.string()),
    pa.field("cms1500_id", pa.string()),
    pa.field("offering_id", pa.string()),
)

INVOICES = StreamSpec(
    name="invoices",
    description="One row per sent invoice (RequestedPayment, not in preview) version: sender = provider.",
    document="invoices.graphql",
    list_operation="Invoices",
    count_operation="InvoicesCount",
    by_id_operation="Invoice",
    page_size_cap=100,
    required_args={"preview": False},
    order_by="CREATED_AT_ASC",
    also_rereads=("invoice_previews",),
    fields=INVOICE_FIELDS,
)

INVOICE_PREVIEWS = StreamSpec(
    name="invoice_previews",
    description="One row per invoice still in preview (a draft hidden from Healthie's UI) version.",
    document="invoices.graphql",
    list_operation="Invoices",
    count_operation=None,
    by_id_operation="InvoicePreview",
    page_size_cap=100,
    required_args={"preview": True},
    order_by="CREATED_AT_ASC",
    fields=INVOICE_FIELDS,
)

INSURANCE_POLICIES = StreamSpec(
    name="insurance_policies",
    description="One row per patient insurance policy version (payer, plan, priority, effective dates).",
    document="insurance_policies.graphql",
    list_operation="InsurancePolicies",
    count_operation=None,
    by_id_operation="InsurancePolicy",
    page_size_cap=100,
    required_args={"should_paginate": True},
    order_by="CREATED_AT_ASC",
    nested_rows="policies",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("user_id", pa.string()),
        pa.field("name", pa.string()),
        pa.field("priority_type", pa.string()),
        pa.field("type_string", pa.string()),
        pa.field("insurance_billing_method", pa.string()),
        pa.field("copay_value", pa.int64()),
        pa.field("coinsurance_value", pa.int64()),
        pa.field("effective_start", pa.string()),
        pa.field("effective_end", pa.string()),
        pa.field("holder_relationship", pa.string()),
        pa.field("insurance_plan_id", pa.string()),
        pa.field(
            "insurance_plan",
            _ref(
                pa.field("id", pa.string()),
                pa.field("payer_id", pa.string()),
                pa.field("payer_name", pa.string()),
            ),
        ),
        pa.field("updated_at", pa.string()),
    ),
)

FORM_TEMPLATES = StreamSpec(
    name="form_templates",
    description="One row per form template (CustomModuleForm) version, Healthie's default ones included.",
    document="form_templates.graphql",
    list_operation="FormTemplates",
    count_operation="FormTemplatesCount",
    by_id_operation="FormTemplate",
    page_size_cap=100,
    required_args={"should_paginate": True, "include_default_templates": True},
    count_args=("include_default_templates",),
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("use_for_charting", pa.bool_()),
        pa.field("use_for_program", pa.bool_()),
        pa.field("is_video", pa.bool_()),
        pa.field("prefill", pa.bool_()),
        pa.field("has_matrix_field", pa.bool_()),
        pa.field("uploaded_by_healthie_team", pa.bool_()),
        pa.field("external_id", pa.string()),
        pa.field("external_id_type", pa.string()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("user", ID_REF),
    ),
)

CARE_PLANS = StreamSpec(
    name="care_plans",
    description="One row per care plan version (patient plans and templates).",
    document="care_plans.graphql",
    list_operation="CarePlans",
    count_operation="CarePlansCount",
    by_id_operation="CarePlan",
    page_size_cap=100,
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("is_active", pa.bool_()),
        pa.field("is_group", pa.bool_()),
        pa.field("is_hidden", pa.bool_()),
        pa.field("is_template", pa.bool_()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("patient", ID_REF),
        pa.field("creator", ID_REF),
    ),
)

GOALS = StreamSpec(
    name="goals",
    description="One row per patient goal version (subgoals included, with their parent).",
    document="goals.graphql",
    list_operation="Goals",
    count_operation="GoalsCount",
    by_id_operation="Goal",
    page_size_cap=100,
    order_by="START_DATE_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("repeat", pa.string()),
        pa.field("start_on", pa.string()),
        pa.field("due_date", pa.string()),
        pa.field("is_used_as_template", pa.bool_()),
        pa.field("parent_id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("created_user_id", pa.string()),
        pa.field("source_template_id", pa.string()),
        pa.field("created_at", pa.string()),
    ),
)

GOAL_HISTORIES = StreamSpec(
    name="goal_histories",
    description="One row per goal completion (GoalHistory): every completion, not one per goal.",
    document="goal_histories.graphql",
    list_operation="GoalHistories",
    count_operation="GoalHistoriesCount",
    by_id_operation="GoalHistory",
    page_size_cap=100,
    required_args={"should_paginate": True, "unique": False, "include_subgoals": True},
    count_args=("unique", "include_subgoals"),
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("goal_id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("completed_on", pa.string()),
        pa.field("is_subgoal", pa.bool_()),
        pa.field("repeat", pa.string()),
        pa.field("created_at", pa.string()),
    ),
)

TASKS = StreamSpec(
    name="tasks",
    description="One row per task version (assignee, patient, due and completion), hidden ones included.",
    document="tasks.graphql",
    list_operation="Tasks",
    count_operation="TasksCount",
    by_id_operation="Task",
    page_size_cap=100,
    required_args={"show_hidden": True},
    count_args=("show_hidden",),
    order_by="CREATED_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("user_id", pa.string()),
        pa.field("client_id", pa.string()),
        pa.field("created_by_id", pa.string()),
        pa.field("completed_by_id", pa.string()),
        pa.field("complete", pa.bool_()),
        pa.field("completed_at", pa.string()),
        pa.field("due_date", pa.string()),
        pa.field("hidden", pa.bool_()),
        pa.field("priority", pa.int64()),
        pa.field("seen", pa.bool_()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
    ),
)

DOCUMENTS = StreamSpec(
    name="documents",
    description="One row per document version: metadata only (never the file or its link).",
    document="documents.graphql",
    list_operation="Documents",
    count_operation="DocumentsCount",
    by_id_operation="Document",
    page_size_cap=100,
    required_args={"should_paginate": True},
    order_by="CREATED_AT_ASC",
    fields=(
        pa.field("id", pa.string(), nullable=False),
        pa.field("display_name", pa.string()),
        pa.field("file_content_type", pa.string()),
        pa.field("extension", pa.string()),
        pa.field("friendly_type", pa.string()),
        pa.field("rel_user_id", pa.string()),
        pa.field("shared", pa.bool_()),
        pa.field("include_in_charting", pa.bool_()),
        pa.field("users_count", pa.int64()),
        pa.field("created_at", pa.string()),
        pa.field("updated_at", pa.string()),
        pa.field("owner", ID_REF),
    ),
)

STREAMS: tuple[StreamSpec, ...] = (
    APPOINTMENTS,
    BILLING_ITEMS,
    ENTRIES,
    FORM_ANSWER_GROUPS,
    PATIENTS,
    PROVIDERS,
    APPOINTMENT_TYPES,
    CLAIMS,
    INVOICES,
    INVOICE_PREVIEWS,
    INSURANCE_POLICIES,
    FORM_TEMPLATES,
    CARE_PLANS,
    GOALS,
    GOAL_HISTORIES,
    TASKS,
    DOCUMENTS,
)
STREAMS_BY_NAME: dict[str, StreamSpec] = {s.name: s for s in STREAMS}
