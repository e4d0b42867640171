"""The webhook refresh, in one package: what happens after the receiver queued an event.

- `drain`: claim inbox events, re-read their records by id, MERGE one change set per stream (no Dagster).
- `recovery`: enqueue the webhooks Healthie sent that never reached the inbox (`sentWebhooks`).
- `config`: the run config the sensors hand to the job (the job name, the drain op's config).
- `job`: the `webhook_refresh` job: the drain op, then dbt build and publish of what changed.
- `sensors`: `webhook_inbox_sensor` and `sent_webhooks_sensor`, which launch it.
"""
