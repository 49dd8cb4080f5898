"""Logging set-up shared by every process: records go to stderr with the process name."""
from __future__ import annotations

import logging
import sys


def setup_logging(process: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s %(levelname)-7s {process}[%(process)d] %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
