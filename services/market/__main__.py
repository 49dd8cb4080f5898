"""Entry point: python -m services.market --config FILE"""
import sys

from services.market.app import MarketWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(MarketWorker))
