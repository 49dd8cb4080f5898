"""What risk remembers survives kill -9 of the risk worker (small18 items 2 and 3; DESIGN's
state guarantee): alert mode's would-be lockout of a daily limit, and when a position stopped
being covered by its stop.

Real processes on loopback: the sim broker, market and risk (no enforcement: risk's records
and commands are what is checked), on etc/riskd.toml's default rules with the one rule each
scenario is about changed (said at each). risk is killed with SIGKILL and started again; it
rebuilds from its state file and market's snapshot.
"""
from __future__ import annotations

import signal
import time
from decimal import Decimal

import pytest
import requests

from shared.config import load_config
from shared.messages.risk import Decision
from shared.projectx.rest import ProjectXRest
from tests.integration.test_risk_worker import (ACCOUNT, BUY, MARKET, MNQ, SELL, lose,
                                                start_risk)
from tests.support.bustap import Bus, wait_connected
from tests.support.env import make_config
from tests.support.sim import wait_sim_up

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]
STOP = 4
GRACE = 15


def environment(tmp_path, procs, rules: dict) -> dict:
    config = make_config(tmp_path, broker={"sim": {"tick_interval": 0}},
                         profiles={"default": {"rules": rules}})
    loaded = load_config(config).config
    rest_url = loaded.broker.endpoints()[0]
    procs.worker("services.simbroker", config)
    wait_sim_up(rest_url)
    market_bus = Bus(loaded.bus.market_pub)
    market = procs.worker("services.market", config)
    client = ProjectXRest(rest_url, loaded.broker.user_name, loaded.broker.api_key, timeout=5)
    wait_connected(market_bus, "user", market)
    market_bus.close()
    return {"config": config, "loaded": loaded, "rest": rest_url,
            "bus": Bus(loaded.bus.risk_pub), "client": client, "procs": procs}


def close(env: dict) -> None:
    env["bus"].close()
    env["client"].close()


def kill_and_start(env: dict, risk):
    risk.signal(signal.SIGKILL)
    risk.wait(10)
    return start_risk(env)


def test_alert_modes_would_be_lockout_of_a_daily_limit_survives_kill_9(tmp_path, procs):
    # daily_realized_loss in alert mode with a 30 limit: one small MNQ loss (about -40) is past
    # it; cooldown_after_loss off (its enforce-mode cooldown would lock the next trade)
    env = environment(tmp_path, procs, {
        "daily_realized_loss": {"limit": 30, "mode": "alert"},
        "cooldown_after_loss": {"enabled": False}})
    try:
        bus = env["bus"]
        risk = start_risk(env)
        lose(env, 20)
        bus.wait(lambda: [d for d in bus.of(Decision) if d.rule == "daily_realized_loss"], 20,
                 "alert mode's record of the daily loss limit")
        [first] = [d for d in bus.of(Decision) if d.rule == "daily_realized_loss"]
        assert first.mode == "alert" and "would have locked the account" in first.what, first
        time.sleep(1.5)             # the every-second save (the step itself committed it too)
        kill_and_start(env, risk)
        lose(env, 1)                # the next trades, the daily limit still past
        bus.pump(3.0)
        again = [d for d in bus.of(Decision) if d.rule == "daily_realized_loss"]
        assert again == [], [d.what for d in again]
    finally:
        close(env)


def test_a_stop_cancelled_before_kill_9_keeps_the_grace_it_had_left(tmp_path, procs):
    # no_stop_loss_grace on (it ships off; the scenario is about it), a 15 s grace so that the
    # kill and the restart fit inside it
    env = environment(tmp_path, procs, {"no_stop_loss_grace": {"enabled": True,
                                                               "grace_seconds": GRACE}})
    try:
        bus, client = env["bus"], env["client"]
        risk = start_risk(env)
        answer = requests.post(env["rest"] + "/sim/quote",
                               json={"contractId": MNQ, "lastPrice": 21000}, timeout=5)
        assert answer.ok, answer.text
        client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)
        stop = client.place_order(ACCOUNT, MNQ, STOP, SELL, 1, stop_price=Decimal(20900))
        time.sleep(GRACE + 3)                       # covered all along: past a grace from open
        assert not [d for d in bus.of(Decision) if d.rule == "no_stop_loss_grace"]
        client.cancel_order(ACCOUNT, stop)          # uncovered from here
        cancelled = time.time()
        time.sleep(2)
        kill_and_start(env, risk)
        assert time.time() - cancelled < GRACE - 2, "the restart took too long for the test"
        closes = [d for d in bus.of(Decision) if d.rule == "no_stop_loss_grace"]
        assert closes == [], f"closed at the restart: {closes[0].reason}"
        bus.wait(lambda: [d for d in bus.of(Decision) if d.rule == "no_stop_loss_grace"],
                 GRACE + 5, "the close at the end of the grace")
        [d] = [d for d in bus.of(Decision) if d.rule == "no_stop_loss_grace"]
        assert d.value == Decimal(GRACE), d.reason      # judged from the cancel, not the open
        assert d.reason == f"MNQ long 1 without a stop order for {GRACE}s (grace {GRACE}s)", \
            d.reason
    finally:
        close(env)
