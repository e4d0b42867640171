"""Altair charts the pages share: the data each gets is already an aggregate from a mart query."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

STATUS_ORDER = ["occurred", "scheduled", "no_show", "cancelled", "re_scheduled"]


def show(
    chart: alt.Chart | alt.LayerChart, frame: pd.DataFrame, empty: str, *, height: int | None = None
) -> None:
    """Draw `chart` (`height` pixels, else its own), or say `empty` when its data has no rows (a
    filter that matches nothing)."""
    if frame.empty:
        st.info(empty)
    else:
        st.altair_chart(chart, width="stretch", height=height if height is not None else "content")


def bars_height(frame: pd.DataFrame) -> int:
    """Pixels for a horizontal bar chart of `frame`: a readable band per bar plus the axis."""
    return 28 * max(len(frame), 2) + 60


def stacked_bars(frame: pd.DataFrame, *, x: str, x_title: str, y: str, y_title: str, color: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:T", title=x_title),
            y=alt.Y(f"sum({y}):Q", title=y_title),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=[alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{y}:Q")],
        )
        .properties(height=300)
    )


def lines(
    frame: pd.DataFrame, *, x: str, x_title: str, y: str, y_title: str, color: str, y_format: str = ""
) -> alt.Chart:
    axis = alt.Axis(format=y_format) if y_format else alt.Axis()
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:T", title=x_title),
            y=alt.Y(f"{y}:Q", title=y_title, axis=axis),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{x}:T"),
                alt.Tooltip(f"{color}:N"),
                alt.Tooltip(f"{y}:Q", format=y_format),
            ],
        )
        .properties(height=300)
    )


def grouped_bars(frame: pd.DataFrame, *, x: str, x_title: str, y: str, y_title: str, color: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"yearmonth({x}):O", title=x_title),
            xOffset=alt.XOffset(f"{color}:N"),
            y=alt.Y(f"{y}:Q", title=y_title),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=[alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{color}:N"), alt.Tooltip(f"{y}:Q", format=",.2f")],
        )
        .properties(height=300)
    )


def horizontal_bars(
    frame: pd.DataFrame, *, category: str, value: str, title: str, value_format: str
) -> alt.LayerChart:
    """One bar per category, largest first, each labelled with its value."""
    order = [str(name) for name in frame.sort_values(value, ascending=False)[category]]
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=240, labelOverlap=False)),
        x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=value_format)),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=value_format)],
    )
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{value}:Q", format=value_format))
    return base.mark_bar() + labels


def long_format(
    frame: pd.DataFrame, *, index: str, columns: dict[str, str], var: str, value: str
) -> pd.DataFrame:
    """Wide columns to (index, var, value) rows, renamed to the labels a legend shows."""
    return frame.rename(columns=columns).melt(
        id_vars=[index], value_vars=list(columns.values()), var_name=var, value_name=value
    )


def bucket_order(frame: pd.DataFrame) -> list[str]:
    """The age buckets (`age_bucket`) in the frame, youngest first (by `age_bucket_start_days`)."""
    firsts = frame.groupby("age_bucket")["age_bucket_start_days"].min().sort_values()
    return [str(bucket) for bucket in firsts.index]


def bucket_bars(
    frame: pd.DataFrame,
    *,
    bucket: str,
    order: list[str],
    x_title: str,
    y: str,
    y_title: str,
    color: str,
    y_format: str = ",d",
) -> alt.Chart:
    """Age buckets left to right (youngest first), each bar stacked by `color` (payer, assignee)."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{bucket}:N", sort=order, title=x_title, axis=alt.Axis(labelAngle=0, labelOverlap=False)
            ),
            y=alt.Y(f"sum({y}):Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(f"{color}:N", title=None),
            tooltip=[
                alt.Tooltip(f"{bucket}:N"),
                alt.Tooltip(f"{color}:N"),
                alt.Tooltip(f"{y}:Q", format=y_format),
            ],
        )
        .properties(height=300)
    )
