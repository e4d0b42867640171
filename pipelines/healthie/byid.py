"""Re-read resources by id (webhook refresh, reconciliation): concurrent under the client's limiter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipelines.healthie.client import HealthieClient
from pipelines.healthie.concurrency import gather_all
from pipelines.healthie.errors import ExtractionError, HealthieError
from pipelines.healthie.responses import optional_object
from pipelines.healthie.streams import StreamSpec


async def fetch_by_ids(
    client: HealthieClient, spec: StreamSpec, ids: Iterable[str]
) -> dict[str, dict[str, Any] | None]:
    """`{id: row}` for each distinct id; `None` means Healthie returned null (deleted or gone: tombstone)."""
    if spec.by_id_operation is None:
        raise ValueError(f"stream {spec.name} has no by-id query")
    operation = spec.by_id_operation
    unique = list(dict.fromkeys(str(i) for i in ids))

    async def one(resource_id: str) -> dict[str, Any] | None:
        data = await client.execute(
            spec.query_text, operation, {"id": resource_id}, label=f"{spec.name}:by_id"
        )
        return optional_object(data, "item")

    try:
        rows = await gather_all(one(i) for i in unique)
    except HealthieError as exc:
        raise ExtractionError(f"{spec.name}: re-reading {len(unique)} id(s) by id failed: {exc}") from exc
    return dict(zip(unique, rows, strict=True))
