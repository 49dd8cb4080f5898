"""A worker restarted while the config file is broken runs riskd's last good config (trial
finding 3): real riskd, real workers on loopback, a broken file and a kill -9.

The supervisor snapshots the text that last validated (<data_dir>/run/config-last-good.toml,
owner-only) and starts every worker on it; a worker that still refused the config (exit 78:
no snapshot could be written) starts at once when the file is valid again.
"""
from __future__ import annotations

import os
import signal
import stat

import pytest

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.control import ControlRequest, WorkersRequest
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market"]


def snapshot_path(config: str) -> str:
    return os.path.join(load_config(config).data_dir, "run", "config-last-good.toml")


def market(address: str):
    """market's WorkerInfo from riskd (the address is read while the file is still valid)."""
    with RpcClient(address, "riskd", timeout=3.0, retries=0, name="test") as client:
        reply = client.call(ControlRequest(command=WorkersRequest()))
    return {w.name: w for w in reply.body.workers}["market"]


def running_again(address: str, old_pid: int):
    def check():
        info = market(address)
        return info if info.state == "running" and info.pid not in (None, old_pid) else None
    return check


def break_file(config: str) -> str:
    """Add a TOML error by hand (an editor's half-done save); returns the good text."""
    with open(config, encoding="utf-8") as fh:
        good = fh.read()
    with open(config, "a", encoding="utf-8") as fh:
        fh.write("\n[broken\n")
    return good


def test_market_killed_while_the_file_is_broken_comes_back_on_the_last_good_config(
        procs, tmp_path):
    config = make_config(tmp_path, workers=WORKERS, broker={"sim": {"tick_interval": 0}})
    procs.riskd(config)
    before = procs.wait_running(config, WORKERS)["market"]
    address = load_config(config).config.bus.control
    snap = snapshot_path(config)
    assert stat.S_IMODE(os.stat(snap).st_mode) == 0o600        # it may hold secrets
    break_file(config)
    wait_for(lambda: "is invalid since" in procs.riskctl(config, "status").stdout, 10,
             what="riskd to see the broken file")
    os.kill(before.pid, signal.SIGKILL)
    info = wait_for(running_again(address, before.pid), 20,
                    what="market running again on the last good config")
    assert info.restarts == 1 and info.last_exit == -signal.SIGKILL
    if os.path.isdir("/proc"):                # Linux: see what the new market was started on
        with open(f"/proc/{info.pid}/cmdline", "rb") as fh:
            assert f"--config-snapshot\0{snap}".encode() in fh.read()
    # the new market's first heartbeat may come a moment after the supervisor sees it running
    shown = wait_for(lambda: (lambda out: out if "market not running" not in out else None)(
        procs.riskctl(config, "status").stdout), 10, what="status to show market running")
    assert "is invalid since" in shown and "riskd runs the config loaded at" in shown, shown


def test_a_worker_that_refused_the_config_starts_at_once_when_it_is_valid_again(
        procs, tmp_path):
    # backoff_initial 60 s: the second start after the crash would wait a minute, so market
    # running within seconds of the fix is the supervisor starting it at once, not its backoff
    config = make_config(tmp_path, workers=WORKERS, broker={"sim": {"tick_interval": 0}},
                         supervisor={"backoff_initial": 60.0, "backoff_max": 60.0})
    procs.riskd(config)
    before = procs.wait_running(config, WORKERS)["market"]
    address = load_config(config).config.bus.control
    snap = snapshot_path(config)
    good = break_file(config)
    wait_for(lambda: "is invalid since" in procs.riskctl(config, "status").stdout, 10,
             what="riskd to see the broken file")
    os.remove(snap)                      # as if it could not be written (a full disk)
    os.kill(before.pid, signal.SIGKILL)
    refused = wait_for(lambda: (lambda w: w if w.last_exit == 78 and w.state == "backoff"
                                else None)(market(address)), 20,
                       what="market refusing the broken file (exit 78), then backing off")
    assert "invalid config" in refused.reason
    with open(config + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(good)
    os.replace(config + ".tmp", config)
    wait_for(running_again(address, before.pid), 20,
             what="market started at once when the config is valid again")
    assert os.path.exists(snap)                          # the good file is snapshot again
