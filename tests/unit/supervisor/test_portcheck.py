"""The start's port check (services/supervisor/portcheck.py): every port riskd's workers will
bind, the sim's included, is tried before any worker starts (trial 14b: a riskd on another
riskd's sim ports started and its market guarded that riskd's accounts)."""
from __future__ import annotations

import socket

import pytest

from services.supervisor import portcheck
from shared.config import load_config
from shared.porttaken import BindFailed
from tests.support.env import make_config

WORKERS = ["simbroker", "logging", "market", "risk", "enforcement", "notify"]


def test_every_workers_port_and_the_sims_are_planned_with_their_setting(tmp_path):
    config = load_config(make_config(tmp_path, workers=WORKERS)).config
    planned = dict(portcheck.planned(config, WORKERS))
    bus, sim = config.bus, config.broker.sim
    for name in WORKERS:
        assert planned[bus.pub(name)] == f"[bus] {name}_pub"
        assert planned[bus.control_of(name)] == f"[bus] {name}_control"
    assert planned[bus.logging_in] == "[bus] logging_in"
    assert planned[f"{sim.host}:{sim.port}"] == "[broker.sim] port"
    assert planned[f"{sim.host}:{sim.hub_port}"] == "[broker.sim] hub_port"
    assert bus.control not in planned and bus.events not in planned   # the supervisor's own
    portcheck.check(config, WORKERS)                                  # all free: no error


def test_a_taken_sim_port_is_refused_with_its_setting(tmp_path):
    config = load_config(make_config(tmp_path, workers=WORKERS)).config
    sim = config.broker.sim
    holder = socket.socket()
    holder.bind((sim.host, sim.hub_port))
    holder.listen(1)
    try:
        with pytest.raises(BindFailed) as taken:
            portcheck.check(config, WORKERS)
    finally:
        holder.close()
    assert taken.value.address == f"{sim.host}:{sim.hub_port}"
    assert taken.value.setting == "[broker.sim] hub_port" and taken.value.in_use


def test_addresses_without_a_port_are_not_tried():
    assert portcheck.host_port("ipc:///tmp/riskd-events") is None
    assert portcheck.host_port("tcp://127.0.0.1:5572") == ("127.0.0.1", 5572)
    assert portcheck.host_port("127.0.0.1:5600") == ("127.0.0.1", 5600)
    assert portcheck.host_port("tcp://*:5572") == ("", 5572)
