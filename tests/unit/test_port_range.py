"""Ports inside the OS's ephemeral range (shared/portrange.py) and what holds a taken port
(shared/portholder.py). Fresh-user trial 21b: riskd on 47400-47435 (inside Linux's
32768-60999) failed 2 of 3 starts: market crash-looped on 47422, held by a TCP connection of
the machine to itself, and the alert blamed "another riskd on this machine, or another
program"; nothing had warned of the range."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
import zmq

from shared import portholder, portrange
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.config.load import validate_text
from shared.porttaken import BindFailed, explain
from tests.support.env import make_config
from tests.support.ports import free_port, port_pool

LINUX = (32768, 60999)
WINDOWS = (49152, 65535)
TRIAL = """
[bus]
control = "tcp://127.0.0.1:47420"
events = "tcp://127.0.0.1:47421"
market_pub = "tcp://127.0.0.1:47422"
[broker]
kind = "sim"
[broker.sim]
port = 47400
hub_port = 47401
"""


def test_a_config_on_the_trials_ports_is_warned_at_validate_and_config_set(tmp_path):
    path = str(tmp_path / "riskd.toml")
    _config, warnings = validate_text(TRIAL, path)
    on_ports = [w for w in warnings if portrange.MARK in w.message]
    low, high = portrange.ephemeral_range()
    if low <= 47400 <= high:        # Linux's default, and Windows' none of these
        assert len(on_ports) == 1, warnings
        text = str(on_ports[0])
        assert text.startswith("bus.control: warning: 5 ports of riskd's lie inside this "
                               f"machine's ephemeral port range {low}-{high} (bus.control "
                               "47420, bus.events 47421, bus.market_pub 47422, broker.sim."
                               "port 47400 and 1 more)"), text
        assert f"use ports below {low}" in text and portrange.DOC in text
    config = validate_text(TRIAL, path)[0]
    assert len(portrange.config_warnings(config, LINUX)) == 1
    assert portrange.config_warnings(config, WINDOWS) == []     # all below 49152


def test_the_shipped_defaults_lie_below_every_range():
    shipped = Path(__file__).resolve().parents[2] / "etc" / "riskd.toml"
    for text in (shipped.read_text(encoding="utf-8"), ""):
        config = validate_text(text, "/nonexistent/riskd.toml")[0]
        ports = [p for _k, p in portrange.bound_ports(config)]
        assert ports and max(ports) < LINUX[0]
        for os_range in (LINUX, WINDOWS, portrange.ephemeral_range()):
            assert portrange.config_warnings(config, os_range) == []


def test_the_test_ports_lie_outside_the_range_riskd_warns_of():
    low, high = portrange.ephemeral_range()
    assert not any(low <= p <= high for p in port_pool())
    assert not portrange.inside(free_port())


def test_a_port_held_by_a_connection_to_itself_is_said_so_not_another_riskd(tmp_path):
    loaded = load_config(make_config(tmp_path))
    address = loaded.config.bus.market_pub
    port = portrange.port_of(address)
    # what the trial's ss showed: 127.0.0.1:P connected to 127.0.0.1:P (a connect that got
    # its own destination as its local port; here bound so, the port being outside the range)
    looped = socket.socket()
    looped.bind(("127.0.0.1", port))
    looped.connect(("127.0.0.1", port))
    try:
        with pytest.raises(BindFailed) as caught:
            make_socket(zmq.Context.instance(), zmq.XPUB, bind=address)
        text = explain(caught.value, loaded.config, loaded.path)
    finally:
        looped.close()
    assert "Another riskd" not in text, text
    assert text.startswith(f"cannot bind {address} ([bus] market_pub in {loaded.path}): "
                           "Address already in use. It is held by a TCP connection of this "
                           "machine to itself (established)"), text
    assert "a process of this riskd's own) holds it" in text and text.endswith(f"({portrange.DOC})")


def test_the_holders_words_inside_the_range_and_in_time_wait():
    def entry(local, remote, state, inode=0):
        return portholder.Entry(f"0100007F:{local:04X}", f"0100007F:{remote:04X}", state, inode)
    tw = portholder.holder_words(47422, [entry(47422, 47422, "06")], LINUX)
    assert tw == ("held by a TCP connection of this machine to itself (in TIME-WAIT): "
                  "something on this machine connected to port 47422 while nothing listened "
                  "there, and the OS gave that connection port 47422 as its own end, as it "
                  "lies inside this machine's ephemeral port range 32768-60999 (riskd's own "
                  "workers connect to riskd's ports); no process holds it any more; the OS "
                  "frees it within 60 s of its close")
    out = portholder.holder_words(47422, [entry(47422, 5570, "01")], LINUX)
    assert out.startswith("held as the local end of a connection to port 5570 (established): "
                          "the OS gave that connection this port, as it lies inside"), out
    assert portholder.holder_words(47422, [entry(47423, 47423, "06")], LINUX) == ""


def test_a_process_is_riskds_own_only_as_its_child_or_a_workers_sibling(tmp_path):
    # a fake /proc: this process, and pid 999999 whose parent is this process's parent
    import os

    def proc(pid, ppid, module):
        folder = tmp_path / str(pid)
        folder.mkdir(exist_ok=True)
        (folder / "stat").write_text(f"{pid} (python) S {ppid} 1 1")
        (folder / "cmdline").write_bytes(b"\0".join([b"python", b"-m", module.encode(),
                                                     b"--config", b"x"]) + b"\0")
    proc(999999, os.getppid(), "services.risk")
    proc(os.getpid(), os.getppid(), "services.market")        # a worker asking: a sibling
    assert portholder.riskds_own(999999, str(tmp_path))
    # a supervisor asking: another riskd started from the same shell is not its own
    proc(os.getpid(), os.getppid(), "services.supervisor")
    assert not portholder.riskds_own(999999, str(tmp_path))
    proc(999998, os.getpid(), "services.market")              # its child: its own
    assert portholder.riskds_own(999998, str(tmp_path))
