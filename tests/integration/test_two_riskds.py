"""A second riskd on one machine: its bind error names the setting, and its log lines never
land in the first riskd's log.

Fresh-user trial, 2026-12-06: a second clone's `make run` ended with "riskd cannot start:
cannot bind tcp://127.0.0.1:5571: Address already in use", no word of which setting, of the
riskd holding it, or of how to run two (trial 13b: then, 3 s later, "up to 1 log record may
be lost", though nothing of that riskd had run). Worse, another riskd (own control and events, the
workers' ports left as the first one's) started workers that failed on the first one's ports,
and their lines, and its supervisor's "riskd is stopping ... SIGTERM", went into the FIRST
riskd's system.log through its logging intake (bus.logging_in, which senders connect to).
Since trial 14b such a riskd is refused at start (services/supervisor/portcheck.py); its
supervisor's lines still reach the first one's intake, and stay out of its log.

Both riskds start from etc/riskd.toml's rules (tests/support/env.make_config) with only the
logging worker: the scenario is about the log intake and the supervisor's binds; riskd B
shares riskd A's worker addresses (as the trial's second clone did), its own data dir.
"""
from __future__ import annotations

import json
import os

import pytest

from shared.config import load_config
from shared.config.sections import BusConfig
from tests.support.env import REPO, make_config, wait_for

pytestmark = pytest.mark.slow

IGNORED = "records from another riskd on this machine were ignored: check its ports"


def system_lines(config: str) -> list[dict]:
    path = os.path.join(load_config(config).log_dir, "system.log")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def second_config(tmp_path, first: str, keep_own: tuple[str, ...]) -> str:
    """riskd B: riskd A's bus addresses but those in keep_own, its own data dir."""
    bus_a = load_config(first).config.bus
    (tmp_path / "own").mkdir()
    own = load_config(make_config(tmp_path / "own", workers=["logging"])).config.bus
    bus = {k: getattr(own if k in keep_own else bus_a, k) for k in BusConfig.address_keys()}
    (tmp_path / "b").mkdir()
    return make_config(tmp_path / "b", workers=["logging"], bus=bus)


def test_a_second_riskd_on_taken_ports_names_the_setting_and_the_way_out(procs, tmp_path):
    first = make_config(tmp_path, workers=["logging"])
    procs.riskd(first)
    second = second_config(tmp_path, first, keep_own=("control",))   # events: A's
    b = procs.riskd(second, wait_up=False)
    assert b.wait(20) == 1
    out = b.output()
    assert "riskd cannot start: cannot bind " + load_config(first).config.bus.events in out, out
    # nothing of B ran: no record of its own is said lost, and it does not wait 3 s on A's
    # logging worker (reached through the shared logging port) to say so (trial 13b)
    assert "may be lost" not in out, out
    assert f"([bus] events in {second})" in out, out
    assert "Another riskd on this machine (or another program) may hold that port" in out
    assert "riskctl --config ITS_CONFIG status" in out
    assert 'docs/operations.md, "Two riskd on one machine"' in out
    # its last line is true: B did not start, and A still guards (trial 14b: "every worker is
    # stopped, accounts are not guarded until riskd runs again")
    assert "riskd did not start (exit 1): no worker was started" in out, out
    assert "accounts are not guarded" not in out, out
    # the section it points to exists and lists every address setting, the sim's included
    with open(os.path.join(REPO, "docs", "operations.md"), encoding="utf-8") as fh:
        docs = fh.read()
    section = docs.split("\n## Two riskd on one machine\n", 1)[1].split("\n## ", 1)[0]
    for key in BusConfig.address_keys():
        assert f"`{key}`" in section or f"`[bus] {key}`" in section, key
    assert "`[broker.sim] port`" in section and "`hub_port`" in section


def test_another_riskds_log_lines_stay_out_of_this_riskds_log(procs, tmp_path):
    first = make_config(tmp_path, workers=["logging"])
    procs.riskd(first)
    procs.wait_running(first, ["logging"], timeout=30)
    second = second_config(tmp_path, first, keep_own=("control", "events"))
    # its supervisor binds its own pair, then finds A's worker ports taken and refuses to
    # start (trial 14b: it used to start workers that failed on them); its lines go to A's
    # logging intake (logging_in, A's) all the same
    b = procs.riskd(second, wait_up=False)
    assert b.wait(30) == 1, b.output()
    assert "riskd cannot start: cannot bind" in b.output(), b.output()

    def from_b(r: dict) -> bool:
        # A's own warning quotes B's first line ("... riskd cannot start: cannot bind ..."):
        # that is A's record about B, not B's record
        if r["message"].startswith(IGNORED):
            return False
        return r["pid"] == b.pid or "cannot start" in r["message"] \
            or "riskd is stopping" in r["message"]

    wait_for(lambda: any(r["message"].startswith(IGNORED) or from_b(r)
                         for r in system_lines(first)), 10,
             what="riskd A's log to take or refuse riskd B's records")
    lines = system_lines(first)
    assert not [r for r in lines if from_b(r)], "riskd B's lines in riskd A's log"
    said = [r for r in lines if r["message"].startswith(IGNORED)]
    assert len(said) == 1, said                             # once, not once a record
    assert said[0]["process"] == "logging" and said[0]["level"] == "WARNING"
    # riskd A's own lines are written as before
    assert any(r["process"] == "supervisor" and r["pid"] != b.pid for r in lines)
