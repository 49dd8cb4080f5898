"""A buy outside the trading session is closed once, and riskd's own close is never blamed on
the trader (trial 2026-12-05; unit level, every event order:
tests/unit/risk/test_riskd_close_not_the_traders_order.py).

The trial, a Saturday against `make run`'s sim: `riskctl rules enable 1002
session_block_outside`, `riskctl unlock 1002`, `riskctl sim buy MES 1 --account 1002`. riskd
closed the MES position, then a second breach reached the phone: "⚠️ Breach
session_block_outside on Demo 2 (strict) / action: cancel working orders MES / ... / MES order
9000210 outside its trading session", and history read "order 9000210: cancel order 9000210
(already done)": 9000210 was riskd's own close. The trader's market buy was "cancelled" (already
filled) as well: three actions for one buy.

Real processes on loopback: the sim broker and riskd from etc/riskd.toml (the shipped rules and
its account 1002, "Demo 2 (strict)", with its overrides) with its guard workers; notify sends to
a fake Telegram. Changed for the scenario: the session's days leave out today and tomorrow
(Chicago), so that the test is outside the session whatever day it runs (the trial's Saturday);
the rule itself starts off, as shipped, and the test enables it as the trial did. The trial's
three commands, then a second buy while MES is locked, with the sim sending each fill's events
as TopstepX does and in a random order with duplicates. Each buy: exactly one action, a close
of MES; no decision about riskd's orders; one breach alert, which says the position was closed.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.harness import EVENT_ORDERS, NO_QUIRKS, SimDesk
from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for
from tests.support.fake_telegram import FakeTelegram, phone_notify

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150),
              pytest.mark.riskctl_in_process]                # riskctl: incli.completed

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
GUARDS = ["logging", "notify", "market", "risk", "enforcement"]
ACCOUNT = 1002
NAME = "Demo 2 (strict)"
CALLED = "Demo 2 (strict, id 1002)"       # as riskd names it (shared/accountname.called)
MES = "CON.F.US.MES.Z26"
CHI = ZoneInfo("America/Chicago")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def away_days() -> list[str]:
    """Every weekday but today and tomorrow in Chicago: now is outside the session."""
    today = dt.datetime.now(CHI).weekday()
    return [d for i, d in enumerate(DAYS) if i not in (today, (today + 1) % 7)]


@pytest.fixture
def sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def riskd_config(tmp_path, telegram: FakeTelegram) -> str:
    return config_with_passwords(
        tmp_path, workers=GUARDS,
        # the random walk off: nothing moves but the trader's buys
        broker={"sim": {"tick_interval": 0,
                        "accounts": [{"id": ACCOUNT, "name": "SIM-DEMO-2",
                                      "balance": 50000.0}]}},
        # etc/riskd.toml's account 1002 with its overrides
        accounts=[{"id": ACCOUNT, "name": "SIM-DEMO-2", "display_name": NAME,
                   "profile": "default",
                   "rules": {"daily_realized_loss": {"limit": 300},
                             "max_contracts": {"limit": 2}}}],
        # the shipped session (08:30-15:00 Chicago) on days that leave out today and tomorrow
        # (the trial's Saturday, any day); the rule stays off as shipped until enabled
        profiles={"default": {"rules": {"session_block_outside": {"default": {
            "start": "08:30", "end": "15:00", "timezone": "America/Chicago",
            "days": away_days()}}}}},
        # the phone: a fake Telegram, retried quickly
        notify=phone_notify(telegram),
        supervisor={"workers": GUARDS})


def history(procs, config: str) -> list[dict]:
    done = procs.riskctl(config, "history", "--account", str(ACCOUNT), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["decisions"]


def buy_and_wait_closed(procs, config: str, desk: SimDesk) -> int:
    """`riskctl sim buy MES 1 --account 1002`: its order id, once riskd has closed it."""
    done = procs.riskctl(config, "sim", "buy", "MES", "1", "--account", str(ACCOUNT),
                         "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    order_id = json.loads(done.stdout)["orderId"]
    wait_for(lambda: not desk.positions(ACCOUNT), 20, interval=0.05,
             what="riskd closing the MES bought outside the session")
    return order_id


# the sim's order of each fill's events: as TopstepX sends them (the trial's), and a seeded
# random order with every event twice (services/simbroker/ordering.py)
@pytest.mark.parametrize("event_order", ["trade_first", "random_twice"])
def test_a_buy_outside_the_session_is_closed_once_and_riskds_close_is_not_the_traders(
        procs, tmp_path, sessions, event_order):
    telegram = FakeTelegram(TOKEN)
    try:
        config = riskd_config(tmp_path, telegram)
        procs.worker("services.simbroker", config)
        desk = SimDesk(config)
        desk.wait_up()
        desk.sim("/sim/quirks", {**NO_QUIRKS, **EVENT_ORDERS[event_order]})
        start_ns = time.time_ns()
        procs.riskd(config, timeout=40)
        procs.wait_running(config, GUARDS, timeout=40)
        login(procs, config, "admin")
        wait_for(lambda: procs.riskctl(config, "rules", "enable", str(ACCOUNT),
                                       "session_block_outside").returncode == 0,
                 20, interval=0.2, what="riskctl rules enable 1002 session_block_outside")
        unlock = procs.riskctl(config, "unlock", str(ACCOUNT), "--reason", "trial")
        assert "not locked" in unlock.stderr or unlock.returncode == 0, unlock.stderr

        bought = [buy_and_wait_closed(procs, config, desk)]
        telegram.wait_sent(lambda c: f"Breach session_block_outside on {CALLED}" in c.text,
                           20, what="the breach alert")
        # MES is locked now: a second buy is closed by lockout enforcement
        bought.append(buy_and_wait_closed(procs, config, desk))
        time.sleep(1.5)             # the clock's sweeps (every 0.1 s) and late events

        orders = desk.client.search_orders(ACCOUNT, start_ns)
        riskds = sorted(o.id for o in orders if o.id not in bought)
        assert len(riskds) == 2, [(o.id, o.side, o.type) for o in orders]
        decisions = history(procs, config)
        acted = [(d["rule"], d["action"], d["contract_id"]) for d in decisions
                 if not d["suppressed"]]
        # one action per buy: the rule closes the first (and locks MES), the lockout the second
        assert acted == [("session_block_outside", "close_position", MES),
                         ("lockout", "close_position", MES)], decisions
        blamed = [d for d in decisions if d["order_id"] in riskds + bought
                  or any(str(i) in d["reason"] for i in riskds)]
        assert not blamed, blamed
        [breach] = [d for d in decisions if d["rule"] == "session_block_outside"]
        assert breach["reason"] == "MES position outside its trading session"
        assert breach["lock"]["symbol"] == "MES" and breach["lock"]["kind"] == "until_session"

        # the phone: one breach alert, saying what riskd did; none names riskd's orders
        texts = [c.text for c in telegram.sent()]
        breaches = [t for t in texts if "Breach session_block_outside" in t]
        assert len(breaches) == 1, texts
        assert "MES position outside its trading session" in breaches[0], breaches[0]
        assert "close" in breaches[0] and "cancel" not in breaches[0], breaches[0]
        assert not [t for t in texts if any(str(i) in t for i in riskds)], texts
        # the second buy, from flat, opened the position (its Trade first read "added to")
        [enforced] = [t for t in texts if "Lockout enforced" in t]
        assert "MES position opened while MES on account Demo 2 (strict, id 1002) locked" in enforced, \
            enforced

        # history as riskctl prints it
        shown = procs.riskctl(config, "history", "--account", str(ACCOUNT)).stdout
        assert "cancel" not in shown, shown
        assert not any(str(i) in shown for i in riskds), shown
    finally:
        telegram.close()
