"""What the marts must say, computed in plain Python from the sandbox's ground truth.

Deliberately independent of the product: timestamps are parsed here with the standard library (not
with the dbt macros), money is summed as `Decimal`, and grouping is done with Counters, so a bug in
staging or in a mart cannot be mirrored by the expectation it is checked against.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

Row = Mapping[str, Any]

#: Healthie's timestamp styles besides ISO 8601: `2020-05-08 21:00:00 UTC`, `2022-08-03 09:55:55 -0400`.
_ZONE_NAME_SUFFIX = " UTC"
_OFFSET_FORMAT = "%Y-%m-%d %H:%M:%S %z"
_NAIVE_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_timestamp(text: str | None) -> datetime | None:
    """A Healthie timestamp as a naive UTC datetime (how the marts store them); None when unset."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if value.endswith(_ZONE_NAME_SUFFIX):
        return datetime.strptime(value.removesuffix(_ZONE_NAME_SUFFIX), _NAIVE_FORMAT)
    try:
        parsed = datetime.strptime(value, _OFFSET_FORMAT)
    except ValueError:
        parsed = datetime.fromisoformat(value)  # ISO 8601, `Z` included (Python 3.11+)
    if parsed.tzinfo is None:
        return parsed
    return parsed.astimezone(UTC).replace(tzinfo=None)


def ref_id(row: Row, name: str) -> str | None:
    """The id of a reference field (`{"id": ...}`), as text."""
    ref = row.get(name)
    return None if not ref or ref.get("id") is None else str(ref["id"])


def ids(rows: Iterable[Row]) -> set[str]:
    return {str(row["id"]) for row in rows}


def money(value: str | None) -> Decimal | None:
    return None if value is None or not str(value).strip() else Decimal(str(value))


def payments_by_state(rows: Iterable[Row]) -> dict[str | None, tuple[int, Decimal]]:
    """(payments, sum of amount_paid) per state; unset amounts count as payments but add nothing."""
    counts: Counter[str | None] = Counter()
    totals: defaultdict[str | None, Decimal] = defaultdict(Decimal)
    for row in rows:
        counts[row.get("state")] += 1
        totals[row.get("state")] += money(row.get("amount_paid")) or Decimal(0)
    return {state: (counts[state], totals[state]) for state in counts}


def metrics_by_category(rows: Iterable[Row]) -> dict[str | None, tuple[int, float | None]]:
    """(MetricEntry count, mean of the set values) per category."""
    values: defaultdict[str | None, list[float]] = defaultdict(list)
    counts: Counter[str | None] = Counter()
    for row in rows:
        if row.get("type") != "MetricEntry":
            continue
        counts[row.get("category")] += 1
        if row.get("metric_stat") is not None:
            values[row.get("category")].append(float(row["metric_stat"]))
    return {
        category: (count, sum(values[category]) / len(values[category]) if values[category] else None)
        for category, count in counts.items()
    }


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


def appointments_per_month(rows: Iterable[Row]) -> Counter[date]:
    """Appointments (blocks included) per UTC calendar month of their start."""
    months: Counter[date] = Counter()
    for row in rows:
        start = parse_timestamp(row.get("date"))
        assert start is not None, "every appointment has a start"
        months[month_of(start)] += 1
    return months


def statuses(rows: Iterable[Row]) -> Counter[str | None]:
    return Counter(row.get("pm_status") for row in rows)


def provider_months(rows: Iterable[Row]) -> dict[tuple[str, date], tuple[int, int]]:
    """(appointments booked, no-shows) per provider and UTC month, availability blocks excluded."""
    booked: Counter[tuple[str, date]] = Counter()
    no_shows: Counter[tuple[str, date]] = Counter()
    for row in rows:
        provider, start = ref_id(row, "provider"), parse_timestamp(row.get("date"))
        if row.get("is_blocker") or provider is None or start is None:
            continue
        key = (provider, month_of(start))
        booked[key] += 1
        no_shows[key] += row.get("pm_status") == "No-Show"
    return {key: (booked[key], no_shows[key]) for key in booked}


def answers_per_form(rows: Iterable[Row]) -> dict[str, int]:
    """Answers per form that has any (fct_form_answers has no row for a form without answers)."""
    return {str(row["id"]): len(row["form_answers"]) for row in rows if row.get("form_answers")}


def open_appointments(rows: Iterable[Row]) -> list[str]:
    """Appointments with no status yet, not availability blocks: the ones a practice goes on to update."""
    return [str(row["id"]) for row in rows if row.get("pm_status") is None and not row.get("is_blocker")]


def by_id(rows: Iterable[Row]) -> dict[str, Row]:
    return {str(row["id"]): row for row in rows}
