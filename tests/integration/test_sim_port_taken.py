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

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed


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




def test_config_set_of_a_taken_port_is_refused_when_set_not_at_the_restart(procs, tmp_path,
                                                                          monkeypatch):
    """ops15: `riskctl config set` of a port another program holds was saved ("needs a
    restart") and refused only by the next start. Offline (riskd stopped), then through a
    running riskd (its sim broker): refused at once with the start's words, the file
    unchanged; the sim's port on one of riskd's own [bus] ports too; a free port is saved."""
    import socket

    from tests.support.auth import config_with_passwords, login
    from tests.support.ports import free_port
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=["simbroker"])    # config set: admin
    with open(config, encoding="utf-8") as fh:
        before = fh.read()
    port = free_port()
    holder = socket.socket()
    holder.bind(("127.0.0.1", port))
    holder.listen(1)
    words = (f"bus.simbroker_pub: not saved: cannot bind tcp://127.0.0.1:{port} ([bus] "
             f"simbroker_pub in {config}): Address already in use. Another riskd on this "
             f"machine (or another program) may hold that port")
    try:
        offline = procs.riskctl(config, "config", "set", "--offline", "bus.simbroker_pub",
                                f"tcp://127.0.0.1:{port}")
        assert offline.returncode == 1 and words in offline.stderr, \
            offline.stdout + offline.stderr
        procs.riskd(config)
        procs.wait_running(config, ["simbroker"], timeout=30)
        login(procs, config)
        online = procs.riskctl(config, "config", "set", "bus.simbroker_pub",
                               f"tcp://127.0.0.1:{port}")
        assert online.returncode == 1 and words in online.stderr, online.stdout + online.stderr
    finally:
        holder.close()
    control = load_config(config).config.bus.simbroker_control
    own = control.rsplit(":", 1)[1]
    clash = procs.riskctl(config, "config", "set", "broker.sim.hub_port", own)
    assert clash.returncode == 1, clash.stdout + clash.stderr
    assert (f"broker.sim.hub_port: not saved: 127.0.0.1:{own} ([broker.sim] hub_port) is on "
            f"port {own}, as {control} ([bus] simbroker_control) is") in clash.stderr, \
        clash.stderr
    with open(config, encoding="utf-8") as fh:
        assert fh.read() == before
    saved = procs.riskctl_ok(config, "config", "set", "broker.sim.hub_port", str(free_port()))
    # named for this edit, with the worker that reads it (trial 15b: "needs a restart to
    # take effect: broker", a table, not a worker)
    assert "NOT in force yet: restart simbroker for broker.sim.hub_port to take effect" \
        in saved, saved
