"""A worker that hangs (its loop blocks forever) one second after start: drives the hang tests."""
import sys
import threading

from shared.worker import Worker, main


class HangingWorker(Worker):
    name = "notify"          # runs in the notify slot of a test config

    def setup(self) -> None:
        self.every(1.0, self._hang, first=1.0)

    def _hang(self) -> None:
        threading.Event().wait()     # never set: the loop stops, heartbeats stop


if __name__ == "__main__":
    sys.exit(main(HangingWorker))
