"""The source system: HTTP client, stream specs, GraphQL documents and the generic pager.

Public surface for other layers: `HealthieResource` / `build_healthie_resource()` (Dagster wiring,
`fetch_by_ids` for the webhook refresh), the stream specs in `streams`, and the sync engine in `sync`.
"""

from pipelines.healthie.resource import HealthieResource, build_healthie_resource

__all__ = ["HealthieResource", "build_healthie_resource"]
