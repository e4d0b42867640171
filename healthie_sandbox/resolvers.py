"""The root fields: Healthie's documented semantics for each list, count and by-id query.

Each list query states its defaults as Healthie documents them, and those defaults drop rows:
`appointments` shows only future appointments of the key-holder, without cancelled / no-show /
rescheduled ones, all at once unless `should_paginate: true`; `entries` shows only the key-holder's
clients' entries unless `is_org: true`; `formAnswerGroups` lists finished forms only, unpaginated by
default. A count takes the same filters as its list, through the same function, so the two always
agree. Page sizes default as in Healthie's schema and are clamped to the documented caps.

Window arguments (all instants in UTC): `startDate`/`endDate` (appointment start) and
`created_at_start`/`created_at_end` (payments) are inclusive days; `start_range` is inclusive but
`end_range` is exclusive and ignored without `start_range`, as Healthie's schema documents for
entries ("returns entries before the beginning of that day. Must be sent in with a start_range");
`updated_after` is inclusive and `updated_before` exclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from healthie_sandbox import cursor, model
from healthie_sandbox.model import Entity, Stream
from healthie_sandbox.store import Filter, Order, Row, Store
from healthie_sandbox.timestamps import DAY, parse_day, parse_instant

Args = Mapping[str, Any]


class FieldError(Exception):
    """Reported as a GraphQL error on the field (its value becomes null), like Healthie's resolvers."""


@dataclass(frozen=True)
class Context:
    """What a resolver may depend on besides its arguments."""

    store: Store
    owner_id: int
    """The provider the API key belongs to."""
    now: int


FilterFn = Callable[[Args, Context], Filter]


def _day(args: Args, name: str) -> int | None:
    text = args.get(name)
    if text is None or text == "":
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise FieldError(f"{name} must be a date in YYYY-MM-DD format") from None


def _instant(args: Args, name: str) -> int | None:
    text = args.get(name)
    return None if text is None else parse_instant(text)


APPOINTMENT_FILTERS = {
    "future": "start_ts > ?",
    "upcoming": "start_ts > ?",
    "past": "start_ts <= ?",
    "ended": "start_ts + coalesce(length, 0) * 60 <= ?",
}


def appointment_filter(args: Args, ctx: Context) -> Filter:
    f = Filter((model.APPOINTMENTS.live,))
    when = args.get("filter") or "future"
    if when in APPOINTMENT_FILTERS:
        f = f.and_(APPOINTMENT_FILTERS[when], ctx.now)
    elif when != "all":
        raise FieldError(f"filter must be one of {', '.join([*APPOINTMENT_FILTERS, 'all'])}")
    if not args.get("is_org"):
        f = f.and_("provider_id = ?", ctx.owner_id)
    if not args.get("with_all_statuses"):
        f = f.and_("pm_status IS NULL OR pm_status NOT IN (?, ?, ?)", *model.INACTIVE_STATUSES)
    start, end = _day(args, "startDate"), _day(args, "endDate")
    if start is not None:
        f = f.and_("start_ts >= ?", start)
    if end is not None:
        f = f.and_("start_ts < ?", end + DAY)
    return f


def billing_filter(args: Args, _ctx: Context) -> Filter:
    f = Filter((model.BILLING_ITEMS.live,))
    start, end = _day(args, "created_at_start"), _day(args, "created_at_end")
    if start is not None:
        f = f.and_("created_ts >= ?", start)
    if end is not None:
        f = f.and_("created_ts < ?", end + DAY)
    return f


def entry_filter(args: Args, ctx: Context) -> Filter:
    f = Filter((model.ENTRIES.live,))
    if not args.get("is_org"):
        f = f.and_(
            "poster_id IN (SELECT id FROM users WHERE role = 'patient' AND dietitian_id = ?)", ctx.owner_id
        )
    start = _day(args, "start_range")
    if start is not None:
        f = f.and_("created_ts >= ?", start)
        end = _day(args, "end_range")
        if end is not None:
            f = f.and_("created_ts < ?", end)
    return f


def form_filter(args: Args, _ctx: Context) -> Filter:
    f = Filter((model.FORM_ANSWER_GROUPS.live,))
    after, before = _instant(args, "updated_after"), _instant(args, "updated_before")
    if after is not None:
        f = f.and_("updated_ts >= ?", after)
    if before is not None:
        f = f.and_("updated_ts < ?", before)
    return f


#: "SentWebhook records are available for 180 days" (Healthie's schema).
SENT_WEBHOOK_RETENTION_SECONDS = 180 * DAY


def sent_webhook_filter(_args: Args, ctx: Context) -> Filter:
    return Filter(("created_ts >= ?",), (ctx.now - SENT_WEBHOOK_RETENTION_SECONDS,))


def invoice_filter(args: Args, _ctx: Context) -> Filter:
    """`preview: false` (the default, and all the count knows) lists sent invoices only; `preview:
    true` lists only drafts: neither value returns both."""
    return Filter((model.REQUESTED_PAYMENTS.live,)).and_("is_preview = ?", int(bool(args.get("preview"))))


def template_filter(args: Args, _ctx: Context) -> Filter:
    f = Filter((model.CUSTOM_MODULE_FORMS.live,))
    if not args.get("include_default_templates"):
        f = f.and_("uploaded_by_healthie_team = 0")
    return f


def _by_id_arg(column: str, arg: str) -> Callable[[Filter, Args], Filter]:
    def narrow(f: Filter, args: Args) -> Filter:
        value = args.get(arg)
        if value is None or value == "":
            return f
        if not str(value).isdigit():
            return f.and_("0 = 1")
        return f.and_(f"{column} = ?", int(value))

    return narrow


_PATIENT = _by_id_arg("patient_id", "patient_id")
_USER = _by_id_arg("user_id", "user_id")
_CLIENT = _by_id_arg("client_id", "client_id")
_PROVIDER = _by_id_arg("owner_id", "provider_id")


def care_plan_filter(args: Args, _ctx: Context) -> Filter:
    return _PATIENT(Filter((model.CARE_PLANS.live,)), args)


def goal_filter(args: Args, _ctx: Context) -> Filter:
    """Without `user_id`: the goals of "all of the provider's clients". The API key is the
    organization admin's, whose clients are all the organization's (README: check this on yours)."""
    return _USER(Filter((model.GOALS.live,)), args)


def goal_history_filter(args: Args, _ctx: Context) -> Filter:
    """`unique` (default true) keeps one completion per goal, its latest; `include_subgoals` (default
    true) false drops completions of subgoals."""
    f = _USER(Filter((model.GOAL_HISTORIES.live,)), args)
    if args.get("unique", True):
        f = f.and_("id IN (SELECT max(id) FROM goal_histories GROUP BY goal_id)")
    if not args.get("include_subgoals", True):
        f = f.and_("is_subgoal = 0")
    return f


def task_filter(args: Args, _ctx: Context) -> Filter:
    """Hidden tasks show only with `show_hidden` true: the list defaults it to true, the count has
    no default (unset: hidden tasks are not counted)."""
    f = _CLIENT(Filter((model.TASKS.live,)), args)
    if not args.get("show_hidden"):
        f = f.and_("hidden = 0")
    return f


def document_filter(args: Args, _ctx: Context) -> Filter:
    """Every document the (admin) key sees, or one provider's with `provider_id`."""
    return _PROVIDER(Filter((model.DOCUMENTS.live,)), args)


def _scoped(stream: Stream) -> FilterFn:
    return lambda _args, _ctx: Filter((stream.visible,))


@dataclass(frozen=True)
class ListQuery:
    """A paged list root field and the count field that shares its filters."""

    field: str
    stream: Stream
    page_cap: int
    default_page_size: int
    default_order: str
    filters: FilterFn
    count_field: str | None = None
    page_arg: str = "page_size"
    """The page-size argument's name (`per_page` on goals and tasks)."""

    @property
    def entity(self) -> Entity:
        return self.stream.entity

    def page_size(self, args: Args) -> int:
        """The rows one page may hold: the schema default, clamped to the cap (never negative)."""
        requested = args.get(self.page_arg)
        size = self.default_page_size if requested is None else requested
        return max(0, min(size, self.page_cap))

    def paginated(self, args: Args) -> bool:
        # Where the schema has `should_paginate`, its default (false for appointments and forms)
        # is already in `args`; lists without the argument always page.
        return bool(args.get("should_paginate", True))

    def order(self, args: Args) -> Order:
        key = args.get("order_by") or self.default_order
        if key == "UNSORTED":
            return Order(key, "id")
        stem, _, direction = key.rpartition("_")
        column = self.entity.orders.get(stem)
        if column is None or direction not in ("ASC", "DESC"):
            raise FieldError(f"order_by {key} is not supported by the Healthie sandbox")
        return Order(key, column, descending=direction == "DESC")

    def rows(self, args: Args, ctx: Context) -> tuple[list[Row], Order]:
        order = self.order(args)
        where = self.filters(args, ctx)
        if not self.paginated(args):
            return ctx.store.page(self.entity, where, order), order
        after = None
        if args.get("after"):
            try:
                after = cursor.decode(args["after"], order.key)
            except cursor.CursorError as exc:
                raise FieldError(str(exc)) from None
        offset = max(0, args.get("offset") or 0)
        return ctx.store.page(
            self.entity, where, order, after=after, limit=self.page_size(args), offset=offset
        ), order

    def count(self, args: Args, ctx: Context) -> int:
        return ctx.store.count(self.entity, self.filters(args, ctx))


@dataclass(frozen=True)
class ByIdQuery:
    """A by-id root field: null when the row is missing, deleted, or outside the field's scope."""

    field: str
    entity: Entity
    visible: str
    deleted_flag: str | None = None
    """Argument that lifts the soft-delete filter (`appointment(include_deleted: true)`)."""
    filters: FilterFn | None = None
    """Where the by-id field takes its list's scoping arguments (`requestedPayment(preview)`)."""

    def row(self, args: Args, ctx: Context) -> Row | None:
        raw = args.get("id")
        if raw is None or not str(raw).isdigit():
            return None
        if self.filters is not None:
            return ctx.store.get(self.entity, int(raw), self.filters(args, ctx))
        scope = "1 = 1" if self.deleted_flag and args.get(self.deleted_flag) else self.visible
        return ctx.store.get(self.entity, int(raw), Filter((scope,)))


S = model.STREAM_BY_NAME
LISTS: tuple[ListQuery, ...] = (
    ListQuery(
        "appointments", S["appointments"], 500, 10, "DATE_ASC", appointment_filter, "appointmentsCount"
    ),
    ListQuery(
        "billingItems", S["billing_items"], 100, 20, "CREATED_AT_DESC", billing_filter, "billingItemsCount"
    ),
    ListQuery("entries", S["entries"], 500, 10, "CREATED_AT_DESC", entry_filter, "entriesCount"),
    ListQuery(
        "formAnswerGroups",
        S["form_answer_groups"],
        100,
        10,
        "CREATED_AT_DESC",
        form_filter,
        "formAnswerGroupsCount",
    ),
    ListQuery("users", S["patients"], 100, 10, "LAST_NAME_ASC", _scoped(S["patients"]), "usersCount"),
    ListQuery(
        "organizationMembers",
        S["providers"],
        100,
        10,
        "LAST_NAME_ASC",
        _scoped(S["providers"]),
        "organizationMembersCount",
    ),
    ListQuery(
        "appointmentTypes",
        S["appointment_types"],
        1000,
        1000,
        "POSITION_ASC",
        _scoped(S["appointment_types"]),
    ),
    # Healthie documents no cap for sentWebhooks; the sandbox assumes the common one (100).
    ListQuery(
        "sentWebhooks",
        Stream("sent_webhooks", model.SENT_WEBHOOKS),
        100,
        20,
        "CREATED_AT_DESC",
        sent_webhook_filter,
        "sentWebhooksCount",
    ),
    ListQuery("cms1500s", S["claims"], 100, 20, "CREATED_AT_DESC", _scoped(S["claims"]), "cms1500sCount"),
    ListQuery(
        "requestedPayments",
        S["invoices"],
        100,
        20,
        "CREATED_AT_DESC",
        invoice_filter,
        "requestedPaymentsCount",
    ),
    ListQuery(
        "customModuleForms",
        S["form_templates"],
        100,
        10,
        "UPDATED_AT_DESC",
        template_filter,
        "customModuleFormsCount",
    ),
    ListQuery("carePlans", S["care_plans"], 100, 20, "STATUS_ASC", care_plan_filter, "carePlansCount"),
    ListQuery(
        "goals",
        S["goals"],
        100,
        10,
        "DUE_DATE_START_DATE_DESC",
        goal_filter,
        "goalsCount",
        page_arg="per_page",
    ),
    ListQuery(
        "goalHistories",
        S["goal_histories"],
        100,
        10,
        "CREATED_AT_ASC",
        goal_history_filter,
        "goalHistoriesCount",
    ),
    ListQuery("tasks", S["tasks"], 100, 10, "CREATED_DESC", task_filter, "tasksCount", page_arg="per_page"),
    ListQuery("documents", S["documents"], 100, 20, "NAME_ASC", document_filter, "documentsCount"),
)
LIST_BY_FIELD: dict[str, ListQuery] = {q.field: q for q in LISTS}
COUNT_BY_FIELD: dict[str, ListQuery] = {q.count_field: q for q in LISTS if q.count_field}
BY_ID: dict[str, ByIdQuery] = {
    q.field: q
    for q in (
        ByIdQuery("appointment", model.APPOINTMENTS, model.APPOINTMENTS.live, "include_deleted"),
        ByIdQuery("billingItem", model.BILLING_ITEMS, model.BILLING_ITEMS.live),
        ByIdQuery("entry", model.ENTRIES, model.ENTRIES.live),
        ByIdQuery("formAnswerGroup", model.FORM_ANSWER_GROUPS, "deleted_at IS NULL"),
        ByIdQuery("user", model.USERS, model.USERS.live),
        ByIdQuery("cms1500", model.CMS1500S, model.CMS1500S.live),
        ByIdQuery("requestedPayment", model.REQUESTED_PAYMENTS, "", filters=invoice_filter),
        ByIdQuery("policy", model.POLICIES, model.POLICIES.live),
        ByIdQuery("customModuleForm", model.CUSTOM_MODULE_FORMS, model.CUSTOM_MODULE_FORMS.live),
        ByIdQuery("carePlan", model.CARE_PLANS, model.CARE_PLANS.live),
        ByIdQuery("goal", model.GOALS, model.GOALS.live),
        ByIdQuery("goalHistory", model.GOAL_HISTORIES, model.GOAL_HISTORIES.live),
        ByIdQuery("task", model.TASKS, model.TASKS.live),
        ByIdQuery("document", model.DOCUMENTS, model.DOCUMENTS.live),
    )
}
