"""Entry point: python -m services.enforcement --config FILE"""
import sys

from services.enforcement.app import EnforcementWorker
from shared.worker import main

if __name__ == "__main__":
    sys.exit(main(EnforcementWorker))
