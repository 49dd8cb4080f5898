"""Entry point: python -m services.logsink --config FILE"""
import sys

from services.logsink.app import LoggingWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(LoggingWorker))
