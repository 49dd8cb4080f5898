"""A standard user's riskctl (on Windows: a config with the bus addresses only, the log folder
closed to them) still shows the log history, through the logging worker."""
from __future__ import annotations

import json

import pytest

from shared.config import load_config
from tests.support.env import make_config, wait_for
from winservice.install import client_config_text

pytestmark = pytest.mark.slow


def test_riskctl_logs_with_a_bus_only_config_gets_the_history_from_the_logging_worker(
        procs, tmp_path):
    config = make_config(tmp_path, workers=["logging", "notify"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "notify"])
    log_dir = load_config(config).log_dir
    wait_for(lambda: "notify running" in open(f"{log_dir}/system.log").read(), timeout=10,
             what="notify's start in system.log")
    client_dir = tmp_path / "client"               # what winservice/install.py writes for users
    client_dir.mkdir()
    client = client_dir / "riskctl.toml"
    client.write_text(client_config_text(open(config).read(), config))
    assert not (client_dir / "data").exists()      # no log folder this user could read

    done = procs.riskctl(str(client), "logs", "-n", "5", "--process", "notify", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert 0 < len(lines) <= 5 and all(rec["process"] == "notify" for rec in lines)
    assert any("notify running" in rec["message"] for rec in lines)
    assert "no logs yet" not in done.stderr
    status = procs.riskctl(str(client), "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["config_path"] == config      # riskd's own, not the client's
