"""Dagster assets: the extract multi-asset (one asset per stream, with its checks) and the dbt assets.

Exports for `pipelines.definitions`: `extract_assets` (a list), wired with resources `healthie`
(`pipelines.resources.build_healthie_resource()`) and `warehouse`
(`pipelines.settings.build_warehouse_config()`).
"""

from pipelines.assets.extract import build_extract_assets

extract_assets = [build_extract_assets()]

__all__ = ["extract_assets"]
