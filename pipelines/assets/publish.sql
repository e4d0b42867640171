-- Publishing the marts: the build database (dbt's, private) attached read-only as `build`, a new file
-- in the DuckDB 1.4 storage format attached as `pub`. Statements are named by `-- name:` lines and
-- loaded by pipelines/assets/publish.py; values are bound parameters. Table and column names cannot
-- be parameters: the statements with `{table}` / `{column}` / `{comment}` take them quoted by
-- publish.py (`quote_identifier`, `quote_literal`), names read from the build database's own catalog.

-- name: attach_build
ATTACH ? AS build (READ_ONLY);

-- name: attach_published
-- DuckDB 1.4 reads storage versions 64..67; 'v1.4.0' writes 67, what BI drivers embedding 1.4 open.
ATTACH ? AS pub (STORAGE_VERSION 'v1.4.0');

-- name: build_marts
SELECT table_name, comment
FROM duckdb_tables()
WHERE database_name = 'build' AND schema_name = 'marts'
ORDER BY table_name;

-- name: build_column_comments
SELECT table_name, column_name, comment
FROM duckdb_columns()
WHERE database_name = 'build' AND schema_name = 'marts' AND comment IS NOT NULL AND comment <> ''
ORDER BY table_name, column_index;

-- name: create_schema
CREATE SCHEMA pub.marts;

-- name: copy_table
CREATE TABLE pub.marts.{table} AS SELECT * FROM build.marts.{table};

-- name: comment_table
COMMENT ON TABLE pub.marts.{table} IS {comment};

-- name: comment_column
COMMENT ON COLUMN pub.marts.{table}.{column} IS {comment};

-- name: finish
-- Everything into the file itself (no WAL beside it), then let go of both databases.
CHECKPOINT pub;
DETACH pub;
DETACH build;
