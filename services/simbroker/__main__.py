"""Entry point: python -m services.simbroker --config FILE"""
import sys

from services.simbroker.app import SimBrokerWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(SimBrokerWorker))
