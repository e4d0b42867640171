"""A failed run heals itself: both jobs carry the run retry tags, the instance config enables run
retries, and the extract step has its own retry policy (exercised over HTTP in
tests/integration/test_extract_faults.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from pipelines.assets import extract_assets
from pipelines.jobs import nightly_sync_job, webhook_refresh_job
from pipelines.refresh.job import webhook_refresh_job as refresh_job_as_defined
from pipelines.retries import EXTRACT_RETRY_POLICY, RUN_MAX_RETRIES, RUN_RETRY_TAGS

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_both_jobs_are_re_executed_from_failure() -> None:
    expected = {"dagster/max_retries": str(RUN_MAX_RETRIES), "dagster/retry_strategy": "FROM_FAILURE"}
    assert expected == RUN_RETRY_TAGS
    assert nightly_sync_job.run_tags == expected
    assert webhook_refresh_job.run_tags == expected


def test_the_refresh_job_keeps_its_name_graph_and_description() -> None:
    assert webhook_refresh_job.name == refresh_job_as_defined.name == "webhook_refresh"
    assert webhook_refresh_job.graph is refresh_job_as_defined.graph
    assert webhook_refresh_job.description == refresh_job_as_defined.description


def test_the_refresh_runs_both_steps_in_the_run_process() -> None:
    """No step process to start (each would import the definitions again) between a change and its marts."""
    assert webhook_refresh_job.executor_def is dg.in_process_executor


def test_the_extract_step_retries_with_jittered_backoff() -> None:
    (assets,) = extract_assets
    policy = assets.op.retry_policy
    assert policy == EXTRACT_RETRY_POLICY
    assert policy is not None and policy.max_retries >= 1 and policy.delay
    assert policy.backoff is dg.Backoff.EXPONENTIAL and policy.jitter is dg.Jitter.PLUS_MINUS


def test_the_shipped_instance_config_enables_run_retries(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_retries_enabled
        assert instance.run_retries_retry_on_asset_or_op_failure
