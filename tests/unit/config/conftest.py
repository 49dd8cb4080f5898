"""Fixtures of the config tests."""
from __future__ import annotations

import shutil

import pytest

from tests.support.env import SHIPPED_CONFIG


@pytest.fixture
def shipped(tmp_path):
    """(path, backup folder) of a copy of etc/riskd.toml as shipped, for an edit to change."""
    path = tmp_path / "riskd.toml"
    shutil.copy(SHIPPED_CONFIG, path)
    return str(path), str(tmp_path / "backups")
