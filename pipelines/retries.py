"""How a failed run heals itself: the retry settings of `nightly_sync` and `webhook_refresh`.

Three layers, innermost first (README, "Unattended operation"):

1. **Requests.** The client retries each transient failure (429 / TOO_MANY_REQUESTS, 5xx, timeouts,
   dropped connections, GraphQL errors that report a server-side failure) up to `max_attempts` times
   with jittered exponential backoff under the run's one rate limiter (`healthie/client.py`).
2. **The extract step** (`EXTRACT_RETRY_POLICY`, a Dagster op retry policy). When a stream still
   failed for a reason a later attempt could fix (an outage that outlasted the client's attempts),
   the step runs again after a jittered, growing delay: each unfinished stream resumes from its
   per-window checkpoint, and streams this run already materialized are not pulled again. A request
   that can never succeed (an invalid query, a refused key, a malformed answer) fails the step at
   once, without these retries.
3. **The run** (`RUN_RETRY_TAGS`). A run that still fails (or whose process died: a deploy, an
   out-of-memory kill) is re-executed from its failed step by the Dagster daemon, up to
   `RUN_MAX_RETRIES` times. The instance must enable run retries (`run_retries: {enabled: true}`
   in deploy/dagster.yaml); the tags give each job its own count.
"""

from __future__ import annotations

import dagster as dg

#: Re-executions of a failed run by the daemon (run tag `dagster/max_retries`).
RUN_MAX_RETRIES = 2
#: Run tags of both jobs: re-execute a failed run from its failed step (the steps that succeeded are
#: not run again; the extract step skips the streams its lineage already materialized).
RUN_RETRY_TAGS: dict[str, str] = {
    "dagster/max_retries": str(RUN_MAX_RETRIES),
    "dagster/retry_strategy": "FROM_FAILURE",
}
#: The extract step's own retries: about 30 s, 90 s and 210 s (each +/- up to the delay) after a
#: transient failure, so an upstream outage of a few minutes heals within the run.
EXTRACT_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
