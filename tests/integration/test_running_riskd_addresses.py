"""riskctl's commands that connect past riskd's control socket use what the running riskd
runs, not the file's addresses after an edit that waits for a restart (round 15's note):
`riskctl sim` acts on the sim riskd runs (and is refused against another config's riskd),
`riskctl watch`'s streams and `logs --follow` are the running riskd's.

Real riskd on etc/riskd.toml's rules (tests/support/env.make_config: the sim broker, its two
accounts), the sim, market, risk and logging workers; an admin password for the edits.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from cli.commands.watch import running_source
from cli.context import Context
from shared.messages.control import WorkerEvent
from tests.integration.test_riskctl_other_riskd import with_data_dir
from tests.support import env as support
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for
from tests.support.ports import free_ports

pytestmark = pytest.mark.slow

WORKERS = ["logging", "simbroker", "market", "risk"]


@pytest.fixture
def riskd(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}})
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    login(procs, config)
    return config


def test_sim_acts_on_the_sim_riskd_runs_after_its_port_was_edited(procs, riskd, tmp_path):
    config = riskd
    running_url = json.loads(procs.riskctl(config, "sim", "info", "--json").stdout)["rest_url"]
    new_port = free_ports(1)[0]
    edited = procs.riskctl(config, "config", "set", "broker.sim.port", str(new_port),
                           "--reason", "test")
    assert edited.returncode == 0 and "restart simbroker" in edited.stdout, \
        edited.stdout + edited.stderr
    bought = procs.riskctl(config, "sim", "buy", "MNQ", "1", "--account", "1001")
    # the old code posted to the file's new port, where nothing listens: "the sim broker is
    # not answering at http://127.0.0.1:<new>"
    assert bought.returncode == 0, bought.stdout + bought.stderr
    assert "market on SIM-DEMO-1 (id 1001): order" in bought.stdout, bought.stdout
    assert f"the sim riskd runs is at {running_url}" in bought.stderr, bought.stderr
    assert f":{new_port}, which the sim takes only when it restarts" in bought.stderr
    held = procs.riskctl(config, "sim", "positions", "--account", "1001")
    assert held.returncode == 0 and "MNQ" in held.stdout, held.stdout + held.stderr
    info = procs.riskctl(config, "sim", "info")
    assert f"running     {running_url} (the sim riskd runs now" in info.stdout, info.stdout

    # another config's riskd on these ports (a second clone: its own data dir): its sim is
    # another desk's; a trade is refused, naming both configs
    other = with_data_dir(tmp_path, "clone", config, str(tmp_path / "clone-data"))
    refused = procs.riskctl(other, "sim", "buy", "MNQ", "1", "--account", "1001")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "refused, nothing was done: the riskd answering at" in refused.stderr
    assert "`riskctl sim buy` would act on that other riskd" in refused.stderr, refused.stderr
    still = procs.riskctl(config, "sim", "positions", "--account", "1001")
    assert "MNQ" in still.stdout and " 1 " in still.stdout, still.stdout     # no second buy


def test_watch_and_logs_follow_read_the_streams_riskd_runs_after_a_bus_edit(procs, riskd):
    config = riskd
    moved = {key: f"tcp://127.0.0.1:{port}"
             for key, port in zip(("events", "logging_pub"), free_ports(2))}
    for key, address in moved.items():
        edited = procs.riskctl(config, "config", "set", f"bus.{key}", address, "--reason", "t")
        assert edited.returncode == 0 and "riskd itself restarts" in edited.stdout, \
            edited.stdout + edited.stderr

    # the watch's live streams: a worker's stop comes on riskd's events PUB (the old code
    # subscribed to the file's new address, where nothing publishes)
    source = running_source(Context(config)).start()
    try:
        time.sleep(1.5)                     # its subscription reaches riskd
        procs.riskctl_ok(config, "stop", "risk", "--reason", "test")
        seen = wait_for(lambda: [m for m in source.drain() if isinstance(m, WorkerEvent)
                                 and m.name == "risk"], 10, what="risk's worker event")
        assert seen
    finally:
        source.stop()
        procs.riskctl_ok(config, "start", "risk")

    follow = subprocess.Popen([sys.executable, "-m", "cli.main", "--config", config, "logs",
                               "-f", "-n", "0", "--grep", "follow-marker"],
                              cwd=support.REPO, env=support.test_env(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(2.0)                     # riskctl subscribed
        procs.riskctl(config, "config", "set", "logging.level", "INFO", "--reason",
                      "follow-marker")
        time.sleep(2.0)
    finally:
        follow.terminate()
        out, err = follow.communicate(timeout=10)
    assert "follow-marker" in out, out + err
