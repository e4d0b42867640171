"""Assertions shared by the end-to-end modules: marts against ground truth, and what a run reports."""

from __future__ import annotations

from collections import Counter

import dagster as dg

from . import truth
from .product import Product

#: (lake stream, query of queries.sql listing the mart's primary keys), facts first.
MART_KEYS = [
    ("appointments", "appointment_ids"),
    ("billing_items", "billing_item_ids"),
    ("entries", "entry_ids"),
    ("form_answer_groups", "form_answer_group_ids"),
    ("patients", "patient_ids"),
    ("providers", "provider_ids"),
    ("appointment_types", "appointment_type_ids"),
]
FACT_KEYS = MART_KEYS[:4]


def assert_keys_equal_truth(product: Product, stream: str, query: str) -> None:
    """One mart row per live record of `stream`: no duplicate key, none missing, none extra."""
    keys = Counter(str(row[0]) for row in product.query(query))
    assert [key for key, n in keys.items() if n > 1] == [], f"{query}: duplicated keys"
    expected = truth.ids(product.control.truth(stream))
    assert set(keys) == expected, (
        f"{query}: {len(set(keys) - expected)} extra, {len(expected - set(keys))} missing"
    )


def assert_facts_equal_truth(product: Product) -> None:
    for stream, query in FACT_KEYS:
        assert_keys_equal_truth(product, stream, query)


def failed_steps(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Step key -> what its error says (message and causes, no stack) for every failed step of a run."""
    failures = {}
    for event in result.all_events:
        if not event.is_step_failure or event.step_key is None:
            continue
        error, messages = event.step_failure_data.error, []
        while error is not None:
            messages.append(error.message)
            error = error.cause
        failures[event.step_key] = "\n".join(messages)
    return failures


def assert_succeeded(result: dg.ExecuteInProcessResult) -> None:
    assert result.success, failed_steps(result)
