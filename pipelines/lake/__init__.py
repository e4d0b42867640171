"""The Parquet lake: layout, Arrow schemas, the atomic writer and tombstones."""
