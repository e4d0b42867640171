"""Session-wide fixtures: one Healthie sandbox server for the whole test run.

`sandbox` is a real HTTP server on loopback (seeded at a small scale so start-up is a fraction of a
second); point a client at `sandbox.url` with `sandbox.api_key`. `sandbox_control` is the admin
client; after each test it clears faults, stops churn and unsets the webhook target, so one test's
fault schedule never leaks into the next.

Data changes do persist across tests (the server is shared): read the ground truth
(`sandbox_control.truth(stream)`) after making your changes rather than before, or call
`sandbox_control.reset()` to re-seed. Tests that churn heavily are better off with their own server:
`healthie_sandbox.server.start_in_thread(...)` as a context manager.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread

SANDBOX_SCALE = 0.1
SANDBOX_SEED = 42


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxHandle]:
    with start_in_thread(scale=SANDBOX_SCALE, seed=SANDBOX_SEED) as handle:
        yield handle


@pytest.fixture
def sandbox_control(sandbox: SandboxHandle) -> Iterator[SandboxControl]:
    with sandbox.control() as control:
        yield control
        control.clear_faults()
        control.stop_churn()
        control.configure_webhooks(None, "")
