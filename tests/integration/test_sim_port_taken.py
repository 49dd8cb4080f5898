"""A second riskd whose sim ports ([broker.sim] port, hub_port) another riskd holds is refused
at start, as a [bus] clash is, and says it did not start.

Fresh-user trial 14b: a second riskd with its own [bus] ports but the first one's
[broker.sim] port started; its simbroker crash-looped on "cannot bind ... Address already in
use" ("🚨 Worker simbroker is flapping ... `riskctl start simbroker` (ops) starts it now"),
and with port and hub_port both shared its market connected to the FIRST riskd's sim and
guarded those accounts: two riskds, different rules and state, on the same accounts.

Both riskds start from etc/riskd.toml's rules (tests/support/env.make_config). riskd A runs
its sim broker only (the scenario is about the sim's ports); riskd B runs the shipped broker
pair (simbroker and market, whose connection to A's sim was the harm), its own data dir and
[bus] ports, and A's sim port, hub port, or both.
"""
from __future__ import annotations

import os

import pytest

from services.supervisor import snapshot
from shared.config import load_config
from tests.support.env import make_config
from tests.support.ports import free_ports

pytestmark = pytest.mark.slow


def test_a_riskd_on_another_riskds_sim_ports_is_refused_at_start(procs, tmp_path):
    first = make_config(tmp_path, workers=["simbroker"])
    procs.riskd(first)
    procs.wait_running(first, ["simbroker"], timeout=30)
    sim = load_config(first).config.broker.sim
    own = free_ports(2)                      # B's own sim ports, but those it shares
    for shared in (("port", "hub_port"), ("port",), ("hub_port",)):
        folder = tmp_path / ("b-" + "-".join(shared))
        folder.mkdir()
        ports = {"port": own[0], "hub_port": own[1]}
        ports.update({k: getattr(sim, k) for k in shared})
        second = make_config(folder, workers=["simbroker", "market"],
                             broker={"sim": ports})
        b = procs.riskd(second, wait_up=False)
        assert b.wait(20) == 1, b.output()
        out = b.output()
        key = shared[0]
        taken = f"{sim.host}:{getattr(sim, key)}"
        assert (f"riskd cannot start: cannot bind {taken} ([broker.sim] {key} in {second}): "
                f"Address already in use") in out, out
        assert "Another riskd on this machine (or another program) may hold that port" in out
        assert 'docs/operations.md, "Two riskd on one machine"' in out
        # no worker of B ran: its market never reached A's sim
        assert "started simbroker" not in out and "started market" not in out, out
        assert "watching accounts" not in out, out
        # its last line is true: it did not start; A still guards (trial 14b: "accounts are
        # not guarded until riskd runs again")
        assert "riskd did not start (exit 1)" in out, out
        assert "accounts are not guarded" not in out, out
        assert not os.path.exists(os.path.join(str(folder), "data", "run", snapshot.NAME)), \
            os.listdir(os.path.join(str(folder), "data", "run"))
    # A's sim broker kept running throughout
    assert procs.workers(first)["simbroker"].state == "running"
