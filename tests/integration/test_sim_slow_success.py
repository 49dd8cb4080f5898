"""`POST /sim/fail {"status": 200, "delay": S}` on a real sim worker (its own process and
sockets): the next call is carried out after S seconds and answered as usual (trial13a: a slow
but successful close could not be simulated: "expected an HTTP status from 400 to 599, got
200"). Status 200 with no delay is refused with what to give."""
from __future__ import annotations

import time

import requests

from cli.main import main
from shared.config import load_config
from tests.integration.test_sim_positions_cli import sim_config  # noqa: F401  (the fixture)

CLOSE = "/api/Position/closeContract"


def test_a_slow_successful_close_through_the_sims_rest_port(sim_config, capsys):  # noqa: F811
    rest = load_config(sim_config).config.broker.endpoints()[0]
    assert main(["--config", sim_config, "sim", "buy", "MNQ", "1", "--account", "1001"]) == 0
    refused = requests.post(rest + "/sim/fail", json={"endpoint": CLOSE, "status": 200},
                            timeout=5).json()
    assert refused["success"] is False and "give its delay" in str(refused), refused
    armed = requests.post(rest + "/sim/fail", json={"endpoint": CLOSE, "status": 200,
                                                    "delay": 1.0}, timeout=5).json()
    assert armed["success"] is True, armed
    capsys.readouterr()
    started = time.monotonic()
    assert main(["--config", sim_config, "sim", "flatten", "--account", "1001"]) == 0
    assert time.monotonic() - started >= 1.0
    assert "closed 1 position MNQ" in capsys.readouterr().out
    assert main(["--config", sim_config, "sim", "positions"]) == 0
    assert capsys.readouterr().out.startswith("no open position at the sim")
    calls = requests.get(rest + "/sim/calls", timeout=5).json()
    assert calls["failed"] == {} and calls["tookEffect"][CLOSE] == 1, calls
