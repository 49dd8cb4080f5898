"""The risk worker with a disk that fills up on demand: after SIGUSR1 every write that grows a
file fails (RLIMIT_FSIZE; Python ignores SIGXFSZ, so the write raises EFBIG), as on a full disk."""
import resource
import signal
import sys

from services.risk.app import RiskWorker
from shared.worker import main


def _disk_full(*_args) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _disk_full)
    sys.exit(main(RiskWorker))
