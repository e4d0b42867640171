"""A loopback stand-in for Healthie's GraphQL API: the schema subset the product uses, seeded data at
any scale, Healthie's defaults and pagination rules, faults and changes on demand, signed webhooks.

Tests and benchmarks run against it over real HTTP, so "passes against the sandbox" means "passes
against Healthie". It never imports the product (`pipelines`): it is the other side of the wire.
"""
