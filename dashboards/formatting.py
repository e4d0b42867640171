"""How a number is shown: one place, so the browser tests compare the page with the marts exactly."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

NONE = "—"

Number = int | float | Decimal | None


def _missing(value: Number) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: Number) -> str:
    """3867 -> '3,867'."""
    return NONE if _missing(value) else f"{int(value):,}"  # type: ignore[arg-type]


def percent(value: Number) -> str:
    """A share as a percentage: 0.0829 -> '8.3 %'; null (nothing to count) -> '—'."""
    return NONE if _missing(value) else f"{100 * float(value):.1f} %"  # type: ignore[arg-type]


def money(value: Number) -> str:
    """518038.41 -> '518,038.41' (the practice bills in one currency)."""
    return NONE if _missing(value) else f"{float(value):,.2f}"  # type: ignore[arg-type]


def hours(value: Number) -> str:
    """37.35 -> '37.4 h'."""
    return NONE if _missing(value) else f"{float(value):.1f} h"  # type: ignore[arg-type]


def day(value: object) -> str:
    """A day (a report's as-of day): '2026-12-01'; '—' when there is none (an empty report)."""
    if not isinstance(value, date) or value != value:  # NaT (pandas' missing day) is a date unequal to itself
        return NONE
    return f"{value:%Y-%m-%d}"
