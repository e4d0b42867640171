"""The source system: HTTP client, stream specs, GraphQL documents and the generic pager.

Public surface for other layers: `HealthieResource` / `build_healthie_resource()` (Dagster wiring,
`fetch_by_ids` for the webhook refresh), the stream specs in `streams`, and the sync engine in `sync`.
The resource is imported lazily: the lake imports `pipelines.healthie.streams`, and the resource
imports the lake, so an eager import here would be circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.healthie.resource import HealthieResource, build_healthie_resource

__all__ = ["HealthieResource", "build_healthie_resource"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pipelines.healthie import resource

        return getattr(resource, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
