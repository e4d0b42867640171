"""Streamlit dashboards over the published marts (`$WAREHOUSE_DIR/warehouse.duckdb`, read-only)."""
