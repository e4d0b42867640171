"""The sync engine: moves Healthie streams (`pipelines.healthie`) into Delta tables (`pipelines.lake`).

It is the only package that knows both: full syncs planned in windows (`sync`), resumable from a
checkpoint (`checkpoint`), rows converted to each stream's Arrow schema (`rows`), vanished records
re-read and deleted (`reconcile`), and change sets re-read by id MERGEd (`change`). `options` holds
what a sync is told and what it reports; `cli` runs a sync without Dagster. No Dagster imports here:
the assets (`pipelines.assets`) call in.
"""
