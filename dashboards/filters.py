"""The sidebar filters shared by the pages: a date range and providers, as query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboards import data


@dataclass(frozen=True)
class Filters:
    """Days `start`..`end` (inclusive, UTC) and the providers picked (none picked: every provider)."""

    start: date
    end: date
    provider_ids: tuple[str, ...] = ()

    def params(self) -> dict[str, object]:
        """The named parameters every filtered query takes."""
        return {
            "start": self.start,
            "end_excl": self.end + timedelta(days=1),
            "all_providers": not self.provider_ids,
            "providers": list(self.provider_ids),
        }


def data_range(bounds_query: str = "date_bounds") -> tuple[date, date]:
    """The first and last day the marts cover (today when they hold no dated rows): by default the
    days of appointments, payments, entries and forms; a page over other marts names its own query."""
    bounds = data.query(bounds_query).iloc[0]
    today = date.today()
    first, last = (
        today if pd.isna(bounds[column]) else pd.Timestamp(bounds[column]).date()
        for column in ("first_day", "last_day")
    )
    return first, last


def sidebar(*, providers: bool = True, dates: bool = True, bounds_query: str = "date_bounds") -> Filters:
    """Render the filters (defaults: every day the marts cover, every provider) and return them.

    A page whose marts have no dates to filter by (reports as of one day) leaves the date range out;
    its `Filters` then span the whole range of `bounds_query`."""
    first, last = data_range(bounds_query)
    st.sidebar.header("Filters")
    start, end = first, last
    if dates:
        picked = st.sidebar.date_input(
            "Dates (UTC)", value=(first, last), min_value=first, max_value=last, key="filter_dates"
        )
        start, end = _date_pair(picked, first, last)
    chosen: tuple[str, ...] = ()
    if providers:
        names = data.query("providers")
        labels = dict(zip(names["provider_id"], names["provider_name"], strict=True))
        chosen = tuple(
            st.sidebar.multiselect(
                "Providers",
                options=list(labels),
                format_func=lambda provider_id: labels.get(provider_id, provider_id),
                placeholder="All providers",
                key="filter_providers",
            )
        )
    return Filters(start, end, chosen)


def _date_pair(picked: object, first: date, last: date) -> tuple[date, date]:
    """The widget's value as (start, end): a half-picked range (one day so far) is that one day."""
    if isinstance(picked, date):
        return picked, picked
    days = [day for day in picked if isinstance(day, date)] if isinstance(picked, (tuple, list)) else []
    if not days:
        return first, last
    return days[0], days[-1]
