"""One dbt invocation as a Dagster step runs it, timed: `python -m bench.dbt_step <target> <dbt args...>`.

A fresh process imports what a Dagster run process has imported when its dbt step starts (the
definitions' dbt module: dagster-dbt and dbt), then times `dbt.cli(args).wait()` on the product's dbt
resource (dbt in this process, `pipelines.assets.dbt_in_process`) and prints the seconds as its last
line. The first invocation in a process is what a run pays (dbt's per-process caches start cold), so
each figure comes from a new process. The console lines dagster-dbt re-emits are not printed.
"""

import contextlib
import io
import sys
import time
from pathlib import Path

from pipelines.assets.dbt import dbt_resource


def main(argv: list[str]) -> None:
    target, args = Path(argv[0]), argv[1:]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        dbt_resource().cli(args, target_path=target).wait()
    print(f"{time.perf_counter() - started:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
