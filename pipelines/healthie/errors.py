"""What can go wrong talking to Healthie, split by what the caller should do about it.

Retryable errors (rate limits, 5xx, transport failures) are retried with backoff by the client; a
too-complex query makes the pager shrink its page size; everything else fails the sync with a message
that names the stream and the page or window but never the API key or a record's contents (this is
health data), so logs and Dagster's event log stay free of PHI.
"""

from __future__ import annotations


class HealthieError(Exception):
    """Base of every error raised while extracting from Healthie."""


class MissingApiKeyError(HealthieError):
    """No API key configured."""


class RetryableError(HealthieError):
    """A transient failure: try the same request again after `retry_after` seconds (or a backoff)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimitedError(RetryableError):
    """HTTP 429 or a `TOO_MANY_REQUESTS` GraphQL error."""


class ServerError(RetryableError):
    """HTTP 5xx."""


class TransportError(RetryableError):
    """Timeout, refused or dropped connection, truncated response."""


class QueryTooComplexError(HealthieError):
    """The server refused the query's complexity: ask again with a smaller page."""

    def __init__(self, message: str, complexity: int | None, max_complexity: int | None) -> None:
        super().__init__(message)
        self.complexity = complexity
        self.max_complexity = max_complexity


class RequestRejectedError(HealthieError):
    """A non-retryable HTTP status (401, 403, 404, other 4xx)."""


class GraphQLRequestError(HealthieError):
    """The server answered with GraphQL errors we cannot recover from (bad arguments, permissions)."""


class MalformedResponseError(HealthieError):
    """The response is not what the query asked for: invalid JSON, missing `data.items`, wrong types."""


class RunawayPaginationError(HealthieError):
    """Paging does not converge: a cursor repeats or there are more pages than the count allows."""


class ExtractionError(HealthieError):
    """A failure with its place in the sync attached (stream, window, page), raised to the asset."""
