"""Entry point: python -m services.notify --config FILE"""
import sys

from services.notify.app import NotifyWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(NotifyWorker))
