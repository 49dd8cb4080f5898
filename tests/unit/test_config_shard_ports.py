"""The test configs' risk shard ports (tests/support/env.py make_config) are free, and none lies
in the range the OS takes connect()'s local ports from.

test_restart_stop_start_risk_act_on_every_shard failed about 1 run in 15: risk-1 could not bind
risk_shards_from + 1 ("Address already in use"), crashed until the port was let go, and the test
saw workers not running after 20 s, or a "back" alert for that crash among the ones it counts.
make_config took risk_shards_from from bind(0) (an odd port, on Linux) and left the next one,
an even port, where any process's next connect() may sit.
"""
from __future__ import annotations

import socket

import pytest

from shared import shards
from shared.config import load_config
from tests.support.env import make_config
from tests.support.ports import local_port_range


@pytest.mark.parametrize("n", [2, 3, 16])
def test_every_port_a_risk_shard_binds_is_free_and_outside_the_os_range(tmp_path, n):
    loaded = load_config(make_config(tmp_path, workers=[], supervisor={"risk_shards": n}))
    ports = [shards.port_of(address)[1] for k in range(1, n)
             for address in shards.addresses(loaded.config.bus, k)]
    assert len(ports) == 2 * (n - 1)
    low, high = local_port_range()
    assert [p for p in ports if low <= p <= high] == [], (low, high, ports)
    socks = []
    try:
        for port in ports:                      # each one free now
            s = socket.socket()
            socks.append(s)
            s.bind(("127.0.0.1", port))
    finally:
        for s in socks:
            s.close()


def test_several_configs_of_one_test_process_share_no_port_and_none_is_in_the_os_range(tmp_path):
    """Several riskds in one test (and the tests of one process after another): every port of
    every config its own. make_config took ports from bind(0), in the OS's range, where the
    other xdist process picks too (`make test` lost test_supervisor's kill-hard test to
    "cannot bind ... Address already in use"); a first fix drew single ports and shard
    blocks at random from one slice, apart, and a config got one port twice."""
    low, high = local_port_range()
    seen: dict[int, str] = {}
    for i in range(12):
        folder = tmp_path / str(i)
        folder.mkdir()
        config = load_config(make_config(folder, workers=[], supervisor={"risk_shards": 16})).config
        bus = config.bus                  # risk_shards_from: the first shard's, counted below
        ports = [shards.port_of(getattr(bus, k))[1] for k in bus.address_keys()
                 if k != "risk_shards_from"]
        ports += [config.broker.sim.port, config.broker.sim.hub_port]
        ports += [shards.port_of(a)[1] for k in range(1, 16) for a in shards.addresses(bus, k)]
        for port in ports:
            assert port not in seen, f"config {i} has port {port} of {seen[port]}"
            assert not low <= port <= high, (port, low, high)
            seen[port] = f"config {i}"
