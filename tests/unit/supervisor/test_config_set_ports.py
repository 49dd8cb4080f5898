"""`riskctl config set` of a port is checked when it is set, as riskd's start checks every
port (services/supervisor/portcheck.py, fix14b1's check): one another program holds, or one
two of riskd's own endpoints would share, is refused with the start's words and the file is
left as it was (ops15: it was saved, "needs a restart", and found only at the restart). A
port this riskd's running workers hold is its own: not refused for that. The config is
etc/riskd.toml's rules with test ports (tests/support/env.make_config), the sim broker among
the workers so that its ports count."""
from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from services.supervisor import portcheck
from services.supervisor.commands import config_set
from shared.config import load_config
from shared.config.edit import set_config_value
from shared.messages.config import ConfigSet
from tests.support.env import make_config
from tests.support.ports import free_port

pytestmark = pytest.mark.timeout(30)

WORKERS = ["logging", "simbroker"]


class Refusing:
    """The running supervisor as config set sees it before an edit: its file, its running
    config and workers; any edit (run_edit reaches for more) fails the test."""

    def __init__(self, path: str):
        loaded = load_config(path)
        self.loaded = SimpleNamespace(path=path)
        self.config = loaded.config
        self.slots = {n: None for n in WORKERS}

    def __getattr__(self, name):
        raise AssertionError(f"the supervisor's {name} was used: the edit went on")


def set_key(path: str, key: str, value: str):
    got = []
    config_set.COMMAND.execute(Refusing(path), ConfigSet(key=key, value=value), got.append)
    [reply] = got
    return reply


def test_a_port_another_program_holds_is_refused_at_set_time(tmp_path):
    path = make_config(tmp_path, workers=WORKERS)
    before = open(path, encoding="utf-8").read()
    port = free_port()
    holder = socket.socket()
    holder.bind(("127.0.0.1", port))
    holder.listen(1)
    try:
        reply = set_key(path, "bus.logging_pub", f"tcp://127.0.0.1:{port}")
    finally:
        holder.close()
    assert (reply.ok, reply.code) == (False, "port_taken")
    assert reply.reason.startswith(
        f"bus.logging_pub: not saved: cannot bind tcp://127.0.0.1:{port} ([bus] logging_pub "
        f"in {path}): Address already in use. Another riskd on this machine (or another "
        f"program) may hold that port"), reply.reason
    assert 'docs/operations.md, "Two riskd on one machine"' in reply.reason
    assert open(path, encoding="utf-8").read() == before


def test_two_of_riskds_own_endpoints_on_one_port_are_refused(tmp_path):
    path = make_config(tmp_path, workers=WORKERS)
    config = load_config(path).config
    logging_pub = config.bus.logging_pub
    port = portcheck.host_port(logging_pub)[1]
    before = open(path, encoding="utf-8").read()
    reply = set_key(path, "broker.sim.port", str(port))
    assert (reply.ok, reply.code) == (False, "port_taken")
    assert reply.reason == (
        f"broker.sim.port: not saved: 127.0.0.1:{port} ([broker.sim] port) is on port {port}, "
        f"as {logging_pub} ([bus] logging_pub) is: two of riskd's own endpoints cannot share "
        f"a port; give each its own (docs/operations.md, \"Two riskd on one machine\")")
    assert open(path, encoding="utf-8").read() == before
    # a [bus] address on the sim's port: the same clash, the other way round
    bus = set_key(path, "bus.logging_control", f"tcp://127.0.0.1:{config.broker.sim.port}")
    assert bus.code == "port_taken" and "[broker.sim] port) is" in bus.reason, bus.reason
    # a wildcard host takes the port on every address
    assert portcheck.host_port("tcp://*:5600") == ("", 5600)
    with pytest.raises(portcheck.PortClash):
        portcheck.clashes(SimpleNamespace(
            bus=SimpleNamespace(control="tcp://127.0.0.1:5570", events="tcp://*:5570"),
            broker=None), [])


def test_a_free_port_or_one_this_riskd_holds_itself_passes_the_check(tmp_path):
    path = make_config(tmp_path, workers=WORKERS)
    running = load_config(path).config
    ours = portcheck.workers_of(running)

    def refusal(key, value):
        return portcheck.edit_refusal(
            path, lambda: set_config_value(path, key, value, "", dry_run=True), running, ours)
    assert refusal("broker.sim.port", str(free_port())) == ""
    # its own running sim holds its port: taking it for the hub port is a clash, not a taken
    # port; a rule's edit is not a port's, never tried
    holder = socket.socket()
    holder.bind(("127.0.0.1", running.broker.sim.port))       # the running sim, as it were
    holder.listen(1)
    try:
        assert refusal("broker.sim.host", "127.0.0.1") == ""
        assert refusal("profiles.default.rules.daily_realized_loss.limit", "400") == ""
        assert refusal("bus.logging_pub", running.bus.logging_pub) == ""
    finally:
        holder.close()


def test_the_start_refuses_two_endpoints_on_one_port_too(tmp_path):
    """Each binds alone, so the start's bind check passed them: one worker crash-looped."""
    path = make_config(tmp_path, workers=WORKERS)
    port = portcheck.host_port(load_config(path).config.bus.logging_pub)[1]
    set_config_value(path, "broker.sim.hub_port", str(port), str(tmp_path / "backups"))
    config = load_config(path).config
    with pytest.raises(portcheck.PortClash) as clash:
        portcheck.check(config, portcheck.workers_of(config))
    assert "([broker.sim] hub_port) is on port" in str(clash.value)
