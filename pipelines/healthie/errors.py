"""What can go wrong talking to Healthie, split by what the caller should do about it.

Retryable errors (rate limits, 5xx, transport failures, GraphQL errors that report a server-side
failure) are retried with backoff by the client; a too-complex query makes the pager shrink its page
size; a request that can never succeed (an invalid query, a refused key) fails at once; everything
fails the sync with a message that names the stream and the page or window but never the API key or a
record's contents (this is health data), so logs and Dagster's event log stay free of PHI.
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
        self.attempts: int | None = None
        """Set once the client gave up: how many attempts the request had."""

    def gave_up(self, attempts: int) -> RetryableError:
        """The same error (same class, so callers can still tell a 5xx from a dropped connection),
        saying how many attempts were made before the client stopped retrying."""
        error = type(self)(f"{self} (gave up after {attempts} attempts)", self.retry_after)
        error.attempts = attempts
        return error


class RateLimitedError(RetryableError):
    """HTTP 429 or a `TOO_MANY_REQUESTS` GraphQL error."""


class ServerError(RetryableError):
    """HTTP 5xx."""


class TransportError(RetryableError):
    """Timeout, refused or dropped connection, truncated response."""


class TransientGraphQLError(RetryableError):
    """HTTP 200 whose `errors` report a failure on the server's side ("Internal server error", a
    timeout, a message we do not know): retried like a 5xx."""


class QueryTooComplexError(HealthieError):
    """The server refused the query's complexity: ask again with a smaller page."""

    def __init__(self, message: str, complexity: int | None, max_complexity: int | None) -> None:
        super().__init__(message)
        self.complexity = complexity
        self.max_complexity = max_complexity


class RequestRejectedError(HealthieError):
    """A non-retryable HTTP status (401, 403, 404, other 4xx)."""


class GraphQLRequestError(HealthieError):
    """GraphQL errors that can never succeed on a retry: the query does not validate (unknown field,
    invalid argument or variable) or the key is not allowed. Fails fast."""


class MalformedResponseError(HealthieError):
    """The response is not what the query asked for: invalid JSON, missing `data.items`, wrong types."""


class RunawayPaginationError(HealthieError):
    """Paging does not converge: a cursor repeats or there are more pages than the count allows."""


class ExtractionError(HealthieError):
    """A failure with its place in the sync attached (stream, window, page), raised to the asset."""


def retry_may_help(error: BaseException) -> bool:
    """Whether running the failed work again later could succeed.

    Yes for a transient failure the client gave up on (a `RetryableError` anywhere in the cause
    chain: an outage outlasted its attempts) and for an unexpected error (a disk hiccup); no for a
    request that can never succeed (an invalid query, a refused key), a malformed answer or a
    runaway pagination, which would fail the same way again."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, RetryableError):
            return True
        current = current.__cause__
    return not isinstance(error, HealthieError)
