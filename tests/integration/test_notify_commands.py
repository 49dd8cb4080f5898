"""Telegram commands end to end: a local fake of the Bot API, the real notify worker and the
rest of riskd (sim broker, market, risk, enforcement) under the real supervisor.

The config starts from etc/riskd.toml (its accounts, profiles with the default rules on, and
trading day); each test changes only what its scenario needs and says why.
"""
from __future__ import annotations

import json
import os
import signal
import time
from decimal import Decimal

import pytest
import tomlkit

from shared.config import load_config
from tests.e2e.harness import MNQ, SimDesk
from tests.support.env import REPO, make_config, wait_for
from tests.support.fake_telegram import FakeTelegram

pytestmark = pytest.mark.slow

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
ME = "111"                 # a private chat: the trader (user 111)
GROUP = "-222"             # a group that sees Demo 2 only; user 333 may command in it
WORKERS = ["simbroker", "market", "risk", "enforcement", "notify"]


@pytest.fixture
def telegram():
    fake = FakeTelegram(TOKEN)
    yield fake
    fake.close()


def riskd_config(tmp_path, telegram, token: str = TOKEN, **notify) -> str:
    base = tomlkit.parse(open(os.path.join(REPO, "etc", "riskd.toml")).read()).unwrap()
    section = {
        "telegram": {"bot_token": token, "chat_ids": [ME, GROUP], "api_base": telegram.url,
                     # short long polls: a test's outage is noticed in seconds, not 25 s
                     "poll_timeout_s": 2,
                     "chats": {GROUP: {"accounts": ["SIM-DEMO-2"], "users": [333]}}},
        "retry_initial_s": 0.05, "failed_retry_s": 0.5,
        # the commands of one test would otherwise wait for the default 10 tokens a minute
        "rate_per_minute": 120,
        **notify}
    return make_config(tmp_path, workers=WORKERS, accounts=base["accounts"],
                       profiles=base["profiles"], trading_day=base["trading_day"],
                       # prices move only when a test says so: answers can be compared
                       broker={"sim": {"tick_interval": 0}}, notify=section)


def start(procs, config: str) -> SimDesk:
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=40)
    desk = SimDesk(config)
    desk.wait_up()
    wait_for(lambda: len(status_json(procs, config)["accounts"]) == 2, 30,
             what="risk to know both accounts")
    return desk


def status_json(procs, config: str) -> dict:
    done = procs.riskctl(config, "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def notify_status(procs, config: str) -> dict:
    done = procs.riskctl(config, "notify", "status", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def ask(telegram: FakeTelegram, chat: str, user: int, text: str, timeout: float = 15.0,
        **kw) -> str:
    """Send a command and return the answer's text."""
    before = len(telegram.sent(chat))
    telegram.say(chat, user, text, **kw)
    wait_for(lambda: len(telegram.sent(chat)) > before, timeout, what=f"an answer to {text!r}")
    return telegram.sent(chat)[before].text


def money(value) -> str:
    return f"{Decimal(value):+,.2f}"


def account(doc: dict, account_id: int) -> dict:
    return next(a for a in doc["accounts"] if a["account_id"] == account_id)


def test_each_command_answers_what_riskctl_status_says(procs, tmp_path, telegram):
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.quote(MNQ)
    desk.buy(1001, MNQ, 1)
    order_id = desk.resting_buy(1001, MNQ)
    wait_for(lambda: account(status_json(procs, config), 1001)["positions"]
             and account(status_json(procs, config), 1001)["open_orders"] == 1, 20,
             what="risk to see the position and the order")

    status = ask(telegram, ME, 111, "/status")
    doc = status_json(procs, config)
    for a in doc["accounts"]:
        realized, unrealized = Decimal(a["realized"]), Decimal(a["unrealized"])
        assert (f"balance {Decimal(a['balance']):,.2f} · realized {money(realized)} · open "
                f"{money(unrealized)} · net {money(realized + unrealized)}") in status
    assert "Demo 1 (1001)" in status and "Demo 2 (strict) (1002)" in status
    assert "daily_realized_loss ░░░░░░░░░░   0%" in status
    assert status.count("🔓 not locked") == 2
    guard = "🟢 guarded now" if not doc["unguarded_now"] else "🔴 NOT GUARDED now"
    assert status.startswith(guard)

    positions = ask(telegram, ME, 111, "/positions")
    p = account(status_json(procs, config), 1001)["positions"][0]
    assert f"{p['symbol']} long 1 @ {p['average_price']}" in positions
    assert "Demo 2 (strict) (1002): flat" in positions

    orders = ask(telegram, ME, 111, "/orders")
    assert f"#{order_id} MNQ" in orders and "1 working order(s)" in orders

    assert ask(telegram, ME, 111, "/lockouts") == "Demo 1 (1001): not locked\n" \
                                                  "Demo 2 (strict) (1002): not locked"
    unguarded = ask(telegram, ME, 111, "/unguarded")
    assert unguarded.startswith(f"🛡 trading day {status_json(procs, config)['trading_day']}:")
    history = ask(telegram, ME, 111, "/history 50")
    done = procs.riskctl(config, "history", "--json")
    recorded = json.loads(done.stdout)
    rows = [(d["rule"], d["account_id"]) for d in recorded["decisions"] + recorded["warnings"]]
    if not rows:
        assert history.startswith("nothing recorded today")
    else:
        assert f"newest first: {len(rows)} of {len(rows)}" in history
        for rule, account_id in rows:
            label = {1001: "Demo 1", 1002: "Demo 2 (strict)"}[account_id]
            assert f"{label} {rule}" in history
    assert "/lockout ACCOUNT 30m|2h|15:30|session" in ask(telegram, ME, 111, "/help")

    # the group sees Demo 2 only, and only user 333 may command in it
    group = ask(telegram, GROUP, 333, "/status")
    assert "Demo 2 (strict) (1002)" in group and "1001" not in group
    telegram.say(GROUP, 444, "/status")           # in the group, but not listed
    telegram.say("999", 999, "/status")           # a chat that is not configured
    telegram.say(GROUP, 444, "/lockout SIM-DEMO-2 session")
    wait_for(lambda: notify_status(procs, config)["commands"]["ignored"] == 3, 10,
             what="notify to count the three updates it ignored")
    answers = [c.text for c in telegram.sent(GROUP) if c.text.startswith(("🟢", "🔴", "🔒 Lock"))]
    assert telegram.sent("999") == [] and len(answers) == 1       # alerts go to every chat
    assert status_json(procs, config)["accounts"][1]["lockouts"] == []
    shown = procs.riskctl(config, "notify", "status")
    assert "3 ignored (chat or user not allowed)" in shown.stdout, shown.stdout


def self_lockouts(procs, config: str, account_id: int) -> list[dict]:
    done = procs.riskctl(config, "history", "--account", str(account_id), "--json")
    assert done.returncode == 0, done.stderr
    return [d for d in json.loads(done.stdout)["decisions"] if d["rule"] == "self_lockout"]


def button(call, prefix: str) -> str:
    return next(b["callback_data"] for b in call.buttons if b["callback_data"].startswith(prefix))


def test_lockout_by_command_and_by_button_locks_and_flattens_once(procs, tmp_path, telegram):
    config = riskd_config(tmp_path, telegram)
    desk = start(procs, config)
    desk.quote(MNQ)
    desk.buy(1001, MNQ, 1)
    desk.resting_buy(1001, MNQ)
    wait_for(lambda: account(status_json(procs, config), 1001)["open_orders"] == 1, 20,
             what="risk to see Demo 1's position and order")

    # /lockout, confirmed, and notify killed after acting but before the update is
    # acknowledged: Telegram gives the press again to the restarted notify, which must not
    # lock or flatten a second time
    question = ask(telegram, ME, 111, "/lockout Demo 1 30m tilted after two losers")
    assert question.startswith("🔒 Lock Demo 1 (1001) until ") and "(in 30m00s)?" in question
    confirm = telegram.sent(ME)[-1]
    assert [b["text"] for b in confirm.buttons] == ["✅ Yes, lock me out", "✖ Cancel"]
    assert self_lockouts(procs, config, 1001) == []            # nothing before the press
    telegram.hold("editMessageReplyMarkup")
    telegram.press(ME, 111, button(confirm, "lk:y:"))
    wait_for(lambda: telegram.held_requests("editMessageReplyMarkup") == 1, 15,
             what="notify to act and then remove the buttons")
    old_pid = procs.workers(config)["notify"].pid
    os.kill(old_pid, signal.SIGKILL)
    telegram.release("editMessageReplyMarkup")
    wait_for(lambda: (lambda w: w.state == "running" and w.pid != old_pid)(
        procs.workers(config)["notify"]), 30, what="the supervisor to restart notify")
    locked = telegram.wait_sent(lambda c: "is locked out" in c.text, 20, chat=ME,
                                what="the lockout's result after the restart")
    assert "Demo 1 (1001) is locked out" in locked.text and "by trader" in locked.text
    wait_for(lambda: desk.flat(1001), 20, what="Demo 1 flattened")
    time.sleep(1.0)                  # room for a second lockout or flatten, were there one
    assert len(self_lockouts(procs, config, 1001)) == 1
    assert desk.succeeded("/api/Position/closeContract") == 1
    assert len([c for c in telegram.sent(ME) if "is locked out" in c.text]) == 1
    lockouts = account(status_json(procs, config), 1001)["lockouts"]
    assert [(lk["kind"], lk["rule"]) for lk in lockouts] == [("timer", "self_lockout")]
    assert lockouts[0]["reason"] == "tilted after two losers"

    # the button on a warning: Demo 2 reaches 80% of its 2-contract limit
    def already():
        return [c for c in telegram.sent(None, "answerCallbackQuery")
                if c.body.get("text") == "Already locked."]
    assert len(already()) == 1               # the press Telegram gave again after the kill
    desk.buy(1002, MNQ, 2)
    alert = telegram.wait_sent(lambda c: "max_contracts at 80%" in c.text and c.buttons, 20,
                               chat=GROUP, what="the warning with its button")
    assert [b["text"] for b in alert.buttons] == ["🔒 Lock me out for the rest of the day"]
    telegram.press(GROUP, 333, button(alert, "lo:1002"))
    confirm = telegram.wait_sent(lambda c: c.text.startswith("🔒 Lock Demo 2"), 15, chat=GROUP,
                                 what="the confirmation")
    assert "until the trading-day roll" in confirm.text
    yes = button(confirm, "lk:y:")
    telegram.press(GROUP, 333, yes)
    telegram.press(GROUP, 333, yes)          # a double tap
    telegram.wait_sent(lambda c: "Demo 2 (strict) (1002) is locked out" in c.text, 15,
                       chat=GROUP, what="the button's lockout")
    wait_for(lambda: desk.flat(1002), 20, what="Demo 2 flattened")
    wait_for(lambda: len(already()) == 2, 10, what="the second tap answered 'Already locked.'")
    assert len(self_lockouts(procs, config, 1002)) == 1
    lockouts = account(status_json(procs, config), 1002)["lockouts"]
    assert [(lk["kind"], lk["rule"]) for lk in lockouts] == [("until_reset", "self_lockout")]
    assert notify_status(procs, config)["commands"]["lockouts"] == 1     # since the restart
