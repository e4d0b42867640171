"""One `webhook_refresh` run in a new process, as Dagster's run launcher starts one when deployed.

`python -m bench.refresh_run '<run config as JSON>'`: imports the product's definitions (what a run
process does before its first step), executes the run in this process on an ephemeral instance, and
prints, as its last line, its `RunTimes` as JSON (step start and end, phase seconds).
The freshness bench (`bench.freshness_bench`, setting `deployed`) runs it; the environment (Healthie
URL and key, webhook secret, WAREHOUSE_DIR) is the bench's.
"""

import dataclasses
import json
import sys

import dagster as dg

from bench.refresh_timing import Probes, run_refresh


def main(argv: list[str]) -> None:
    from pipelines.definitions import defs

    run_config = json.loads(argv[0])
    with dg.DagsterInstance.ephemeral() as instance:
        times = run_refresh(defs.resolve_job_def("webhook_refresh"), instance, run_config, Probes())
    print(json.dumps(dataclasses.asdict(times)))


if __name__ == "__main__":
    main(sys.argv[1:])
