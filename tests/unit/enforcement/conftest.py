"""The enforcement unit tests' shared fixtures: a fake clock, and a journal on it in tmp_path."""
from __future__ import annotations

import pytest

from services.enforcement.journal import Journal
from shared.clock import FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def journal(tmp_path, clock):
    return Journal(str(tmp_path / "journal.sqlite"), clock.now_ns())
