"""Fresh-user trial 2026-12-06: riskctl run outside the repo folder said "cannot read the config
etc/riskd.toml", while `make run` runs riskd on etc/riskd.local.toml (README). The error names
the file riskctl looked for, where, and how to point it at riskd's (--config)."""
from __future__ import annotations

import os

import pytest

from cli.context import Context
from cli.errors import CliError


def test_outside_the_repo_the_error_says_where_it_looked_and_how_to_name_the_config(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKD_CONFIG", raising=False)
    with pytest.raises(CliError) as err:
        Context(None).control_address
    text = str(err.value)
    assert f"looked in the current folder {tmp_path} for etc/riskd.local.toml" in text, text
    assert os.path.join(str(tmp_path), "etc", "riskd.toml") in text
    assert "riskctl --config /path/to/riskd/etc/riskd.local.toml" in text
    assert "cannot read the config etc/riskd.toml" not in text


def test_a_named_config_that_is_missing_is_named_in_full(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CliError) as err:
        Context("nothere.toml").control_address
    text = str(err.value)
    assert text.startswith(f"cannot read the config {tmp_path / 'nothere.toml'}: "), text
    assert "--config FILE" in text
