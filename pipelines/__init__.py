"""healthie-warehouse: Healthie GraphQL → Parquet lake → dbt marts in DuckDB, kept fresh by webhooks."""
