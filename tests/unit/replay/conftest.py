"""The replay tests' shared fixture: the shipped config with its data dir in tmp."""
from __future__ import annotations

import os

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


@pytest.fixture
def config(tmp_path):
    """etc/riskd.toml as shipped (every default rule on), its data dir in tmp."""
    text = open(os.path.join(REPO, "etc", "riskd.toml"), encoding="utf-8").read()
    text = text.replace('data_dir = "../var"', f'data_dir = "{tmp_path / "var"}"')
    path = tmp_path / "riskd.toml"
    path.write_text(text)
    return str(path)
