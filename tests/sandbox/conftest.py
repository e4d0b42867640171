"""Fixtures of the sandbox's own tests: a GraphQL client for the shared server, and private servers
for tests that change data (so the shared server keeps its seeded state for everyone else)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_gql import Gql

from healthie_sandbox.control import SandboxControl
from healthie_sandbox.server import SandboxHandle, start_in_thread


@pytest.fixture
def gql(sandbox: SandboxHandle) -> Iterator[Gql]:
    client = Gql(sandbox.url, sandbox.api_key)
    yield client
    client.close()


@pytest.fixture(scope="module")
def private_sandbox() -> Iterator[SandboxHandle]:
    with start_in_thread(scale=0.05, seed=7) as handle:
        yield handle


@pytest.fixture
def private_control(private_sandbox: SandboxHandle) -> Iterator[SandboxControl]:
    with private_sandbox.control() as control:
        yield control
        control.clear_faults()
        control.stop_churn()
        control.configure_webhooks(None, "")


@pytest.fixture
def private_gql(private_sandbox: SandboxHandle) -> Iterator[Gql]:
    client = Gql(private_sandbox.url, private_sandbox.api_key)
    yield client
    client.close()
