"""Entry point: python -m services.risk --config FILE"""
import sys

from services.risk.app import RiskWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(RiskWorker))
