"""A worker that takes 60 s to stop (its teardown blocks): drives the shutdown deadline tests.

It runs in any slot: its name is the slot's (RISKD_WORKER_NAME, set by the supervisor).
"""
import os
import sys
import time

from shared.worker import Worker, main


class SlowStopWorker(Worker):
    name = os.environ.get("RISKD_WORKER_NAME", "notify")

    def teardown(self) -> None:
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main(SlowStopWorker))
