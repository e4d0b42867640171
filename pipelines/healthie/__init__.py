"""The source system: HTTP client, stream specs, GraphQL documents and the generic pager."""
