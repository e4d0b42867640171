"""Cursor pagination is stable under concurrent writes; offset pagination is not (as in Healthie)."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl

STREAMS = ["appointments", "billing_items", "entries", "form_answer_groups", "patients"]


CASES = [
    ("appointments", "CREATED_AT_ASC"),
    ("appointments", "DATE_ASC"),
    ("entries", "CREATED_AT_DESC"),
    ("billing_items", "CREATED_AT_ASC"),
]
PULL = {
    "appointments": (
        "Appointments",
        {"filter": "all", "is_org": True, "with_all_statuses": True, "should_paginate": True},
    ),
    "entries": ("Entries", {"is_org": True}),
    "billing_items": ("BillingItems", {}),
}


@pytest.mark.parametrize(("stream", "order_by"), CASES)
def test_rows_present_throughout_are_seen_exactly_once_under_churn(
    stream: str, order_by: str, private_gql: Gql, private_control: SandboxControl
) -> None:
    before = {r["id"] for r in private_control.truth(stream)}
    changes_before = sum(private_control.stats()["changes"].values())
    private_control.start_churn(300, streams=STREAMS)
    seen: list[str] = []
    after = None
    operation, spec_args = PULL[stream]
    backdated = 0
    while True:
        page = private_gql.op(stream, operation, **spec_args, page_size=15, order_by=order_by, after=after)
        seen += [r["id"] for r in page]
        if len(page) < 15:
            break
        after = page[-1]["cursor"]
        if stream == "billing_items" and backdated < 5:
            # Inserts behind the cursor's position, too (backdated rows).
            private_control.create(stream, created_at="2001-01-01 00:00:00 UTC")
            backdated += 1
        time.sleep(0.02)
    private_control.stop_churn()
    throughout = before & {r["id"] for r in private_control.truth(stream)}
    counts = Counter(seen)
    assert all(counts[i] == 1 for i in throughout), "a row that existed throughout was skipped or repeated"
    assert all(n == 1 for n in counts.values()), "a row was returned twice"
    assert sum(private_control.stats()["changes"].values()) - changes_before >= 10, "churn ran while paging"


def test_offset_pagination_skips_a_row_when_one_ahead_is_deleted(
    private_gql: Gql, private_control: SandboxControl
) -> None:
    first = private_gql.offset_page("billing_items", 0, page_size=10, order_by="CREATED_AT_ASC")
    private_control.delete("billing_items", first[0]["id"])
    second = private_gql.offset_page("billing_items", 10, page_size=10, order_by="CREATED_AT_ASC")
    cursor_page = private_gql.op("billing_items", "BillingItems", page_size=1, order_by="CREATED_AT_ASC",
                                 after=first[-1]["cursor"])  # fmt: skip
    assert cursor_page[0]["id"] not in {r["id"] for r in second}, (
        "offset drifted past a row; the cursor did not"
    )
