"""End-to-end tests: the whole product (sandbox, extraction, lake, dbt, webhooks) against ground truth."""
