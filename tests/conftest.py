"""Fixtures shared by every test: real processes that are always cleaned up."""
from __future__ import annotations

import pytest

from tests.support.procs import Procs


@pytest.fixture
def procs(tmp_path):
    """Start riskd / workers for this test; everything is ended afterwards, pass or fail, and
    the test fails if a process outlived its parent (an orphan)."""
    p = Procs(tmp_path)
    try:
        yield p
    finally:
        p.end()
