"""Dagster assets: the extract multi-asset (one asset per stream), dbt assets and asset checks.

Exports for `pipelines.definitions`: `extract_assets` and `extract_asset_checks` (lists), wired with
resources `healthie` (`pipelines.healthie.build_healthie_resource()`) and `warehouse`
(`pipelines.settings.build_warehouse_config()`).
"""

from pipelines.assets.checks import build_completeness_checks
from pipelines.assets.extract import build_extract_assets

extract_assets = [build_extract_assets()]
extract_asset_checks = build_completeness_checks()

__all__ = ["extract_asset_checks", "extract_assets"]
