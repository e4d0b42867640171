"""The source system: settings, the HTTP client, stream specs, GraphQL documents, the generic pager.

Knows Healthie and nothing of storage or orchestration: no imports of `pipelines.lake`, of the sync
engine (`pipelines.extract`) or of Dagster (tests/unit/test_layering.py keeps it so).
"""
