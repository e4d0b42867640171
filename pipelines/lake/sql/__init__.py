"""SQL the lake helpers run through DuckDB over Parquet files (loaded with importlib.resources)."""
