"""Notifications end to end: a fake Telegram Bot API and a fake Discord webhook on loopback.

The fakes are small HTTP servers started by the tests; they record every request and
answer from a script (e.g. 429 with retry_after, or 500 three times), so the real
channel code, the real retries and the real notify process are what is tested.
"""
from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import attrs
import pytest
import zmq

from services.notify.channels.telegram import TelegramChannel
from services.notify.outbox import Outbox
from services.notify.sender import ChannelSender
from services.notify.templates import Alert, Context
from shared.bus.publisher import Publisher
from shared.bus.rpc import RpcClient
from shared.clock import SYSTEM_CLOCK
from shared.config import load_config
from shared.config.notify import NotifyConfig, TelegramConfig
from shared.messages.control import ConfigChanged, WorkerEvent
from shared.messages.enforce import CommandResult
from shared.messages.market import BrokerConnection
from shared.messages.notify import (DailySummary, AccountDay, NotifyEvent, NotifyStatusRequest,
                                    NotifyTest)
from shared.messages.risk import Decision, LockoutChange, LockoutState, LockSpec, RuleWarning
from shared.redact import Redactor
from tests.integration.test_logsink import start_worker
from tests.support.env import make_config, wait_for
from tests.support.fake_telegram import phone_notify

pytestmark = pytest.mark.slow

BOT_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
WEBHOOK_TOKEN = "Tq9x_LmN-abcdefGHIJKLmnopQRSTuv01"


@attrs.frozen
class Hit:
    path: str
    body: dict
    at: float

    @property
    def text(self) -> str:
        return self.body.get("text") or self.body.get("content") or ""


class FakeService:
    """A loopback HTTP server recording POSTs; answers the next scripted reply, else the default."""

    def __init__(self, default: tuple[int, dict | None]):
        self.default = default
        self.script: list[tuple[int, dict | None]] = []
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                with fake.lock:
                    fake.hits.append(Hit(self.path, body, time.monotonic()))
                    status, answer = fake.script.pop(0) if fake.script else fake.default
                payload = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self, path_part: str = "") -> list[str]:
        with self.lock:
            return [h.text for h in self.hits if path_part in h.path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


TELEGRAM_OK = (200, {"ok": True, "result": {"message_id": 1}})


@pytest.fixture
def telegram():
    fake = FakeService(TELEGRAM_OK)
    yield fake
    fake.close()


@pytest.fixture
def discord():
    fake = FakeService((204, None))
    yield fake
    fake.close()


# -- the channel and its retries, in this process ---------------------------------------------

def make_sender(tmp_path, telegram, **notify) -> ChannelSender:
    cfg = NotifyConfig(telegram=TelegramConfig(bot_token=BOT_TOKEN, chat_ids=["111"],
                                               api_base=telegram.url), **notify)
    redactor = Redactor([BOT_TOKEN])
    channel = TelegramChannel(cfg.telegram, 5.0, redactor)
    return ChannelSender(channel, Outbox(str(tmp_path / "notify.sqlite")), cfg, SYSTEM_CLOCK,
                         Context(), "info")


def queue_one(sender: ChannelSender, title: str = "⚠️ Breach daily_loss on SIM-DEMO-1") -> None:
    alert = Alert(kind="breach", severity="warning", title=title)
    sender.outbox.add(alert, alert.text, [sender.name], time.time_ns())


def test_a_429_with_retry_after_is_honoured(tmp_path, telegram):
    telegram.script = [(429, {"ok": False, "error_code": 429,
                              "description": "Too Many Requests: retry after 1",
                              "parameters": {"retry_after": 1}})]
    sender = make_sender(tmp_path, telegram, retry_initial_s=0.05)
    queue_one(sender)
    assert sender.step() == 0.0
    first, second = telegram.hits
    assert second.at - first.at >= 0.95           # waited what Telegram asked, not 0.05 s
    assert "/bot" in first.path and first.body["chat_id"] == "111"
    assert sender.status().state == "ok" and sender.outbox.count("telegram") == 0


def test_a_channel_failing_three_times_is_retried_then_reported_and_keeps_the_alert(
        tmp_path, telegram):
    telegram.script = [(500, {"ok": False, "description": "Internal Server Error"})] * 3
    sender = make_sender(tmp_path, telegram, retry_initial_s=0.05, failed_retry_s=0.5)
    queue_one(sender)
    wait = sender.step()
    assert len(telegram.hits) == 3                 # 3 tries, then give up for now
    state = sender.status()
    assert (state.state, state.failures, state.queued) == ("failing", 1, 1)
    assert "HTTP 500" in state.last_error and BOT_TOKEN not in state.last_error
    assert 0 < wait <= 0.5
    wait_for(lambda: sender.step() == 0.0, 5, what="the paused channel to deliver")
    assert len(telegram.hits) == 4 and sender.status().state == "ok"
    assert sender.outbox.count("telegram") == 0


def test_several_chat_ids_each_get_the_message_once_even_across_a_retry(tmp_path, telegram):
    sender = make_sender(tmp_path, telegram, retry_initial_s=0.05)
    sender.channel.cfg = attrs.evolve(sender.channel.cfg, chat_ids=["111", "222"])
    telegram.script = [TELEGRAM_OK, (502, {"ok": False, "description": "Bad Gateway"})]
    queue_one(sender)
    assert sender.step() == 0.0
    assert [h.body["chat_id"] for h in telegram.hits] == ["111", "222", "222"]


def test_an_unreachable_channel_reports_without_the_token(tmp_path, telegram):
    sender = make_sender(tmp_path, telegram, retry_initial_s=0.01, failed_retry_s=60)
    telegram.close()
    queue_one(sender)
    sender.step()
    state = sender.status()
    # in words, the library's detail only in the log (trial 2026-12-05: "ConnectionError:
    # HTTPSConnectionPool(...)" on every screen)
    assert state.state == "failing" and state.last_error.startswith("cannot reach 127.0.0.1:")
    assert BOT_TOKEN.split(":")[1] not in state.last_error


# -- the real notify process -----------------------------------------------------------------

def notify_config(tmp_path, telegram, discord, telegram_min: str = "", **notify) -> str:
    # alerts only: these fakes answer sendMessage; the commands (getUpdates) have their own
    # fake and tests in test_notify_commands.py
    section = phone_notify(
        telegram, ["111", "222"], token=BOT_TOKEN,
        telegram={"min_severity": telegram_min, "commands": False},
        discord={"webhook_url": f"{discord.url}/api/webhooks/42/{WEBHOOK_TOKEN}"},
        **{"failed_retry_s": 0.5, "timezone": "America/Chicago", **notify})
    return make_config(tmp_path, notify=section,
                       accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])


class Publishers:
    """Stand-ins for risk, enforcement, market and the supervisor: their PUB sockets."""

    def __init__(self, config_path: str):
        bus = load_config(config_path).config.bus
        ctx = zmq.Context.instance()
        self.pubs = {}
        for name, address in (("risk", bus.risk_pub), ("enforcement", bus.enforcement_pub),
                              ("market", bus.market_pub), ("supervisor", bus.events)):
            sock = ctx.socket(zmq.PUB)
            sock.setsockopt(zmq.LINGER, 0)
            sock.bind(address)
            self.pubs[name] = Publisher(sock, name)

    def publish(self, source: str, topic: str, msg) -> None:
        self.pubs[source].publish(topic, msg)

    def connected(self, fake: FakeService) -> None:
        """Beat the slow-joiner: probe every publisher until notify's alert for it arrives."""
        for source in self.pubs:
            def probe_seen(source=source):
                self.publish(source, "notify", NotifyEvent(kind="probe", severity="info",
                                                           title=f"probe {source}"))
                return any(f"probe {source}" in t for t in fake.texts())
            wait_for(probe_seen, 15, interval=0.3, what=f"notify to hear {source}")

    def close(self) -> None:
        for p in self.pubs.values():
            p.sock.close(0)


def start_notify(procs, config_path: str):
    return start_worker(procs, "services.notify", "notify", config_path)


def notify_call(config_path: str, request):
    address = load_config(config_path).config.bus.notify_control
    with RpcClient(address, "notify", timeout=5.0, retries=0) as client:
        return client.call(request)


def now_ns() -> int:
    return time.time_ns()


EVENTS = [
    ("risk", "decision", Decision(id="d1", ts_ns=0, rule="daily_loss", account_id=1001,
                                  action="flatten", value=Decimal("-520"), limit=Decimal("-500"),
                                  lock=LockSpec(kind="until_reset", until_ns=1_795_647_600 * 10**9)),
     "Breach daily_loss on SIM-DEMO-1 (id 1001)"),
    ("risk", "warning", RuleWarning(id="w1", ts_ns=0, rule="trade_count", account_id=1001,
                                    value=Decimal(8), limit=Decimal(10), warn_at=0.8),
     "trade_count at 80% of its limit on SIM-DEMO-1 (id 1001)"),
    # ts_ns 1 (and 2): a step of its own (the decision's is 0: one step's breaches and lockouts of an
    # account are one alert, services/notify/steps.py); the day is far from "today", so the
    # date is named too
    ("risk", "lockout", LockoutChange(change="added", ts_ns=1, lockout=LockoutState(
        id="l1", account_id=1001, kind="timer", rule="cooldown", since_ns=0,
        until_ns=1_795_647_600 * 10**9)),
        "Lockout started: SIM-DEMO-1 (id 1001) until Wed 2026-11-25 17:00 CST"),
    ("risk", "lockout", LockoutChange(change="cleared", ts_ns=2, by="admin", lockout=LockoutState(
        id="l1", account_id=1001, kind="timer", rule="cooldown", since_ns=0)),
     "Lockout ended: SIM-DEMO-1 (id 1001)"),
    ("enforcement", "result", CommandResult(command_id="d1.1", account_id=1001, status="failed",
                                            detail="HTTP 503 from broker", attempts=3),
     "Enforcement FAILED on SIM-DEMO-1 (id 1001)"),
    ("supervisor", "worker", WorkerEvent(name="risk", state="backoff", exit_code=1),
     "Worker risk crashed: exited with code 1"),
    ("supervisor", "worker", WorkerEvent(name="market", state="flapping", reason="5 crashes"),
     "Worker market is flapping"),
    ("supervisor", "config", ConfigChanged(path="riskd.toml", ok=False,
                                           problems=["accounts[0].id: expected a whole number"]),
     "Config reload failed"),
    ("risk", "notify", DailySummary(trading_day="2026-11-24", accounts=[
        AccountDay(account="SIM-DEMO-1", pnl=Decimal("250.75"), trades=4)]),
     "SIM-DEMO-1: realized PnL +250.75 incl. fees, 4 trades, 0 breaches"),
]


def test_each_event_kind_reaches_both_channels_and_no_token_reaches_a_log(
        tmp_path, procs, telegram, discord):
    config_path = notify_config(tmp_path, telegram, discord, rate_per_minute=600,
                                disconnect_alert_after_s=0.5)
    loaded = load_config(config_path)
    logsink = procs.worker("services.logsink", config_path)
    notify = start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        pubs.connected(telegram)
        for source, topic, msg, _expected in EVENTS:
            pubs.publish(source, topic, msg)
        pubs.publish("market", "conn", BrokerConnection(hub="user", state="disconnected",
                                                        reason="socket closed"))
        wait_for(lambda: any("user hub disconnected" in t for t in discord.texts()), 10,
                 what="the disconnect alert")
        pubs.publish("market", "conn", BrokerConnection(hub="user", state="connected"))
        expected = [e[3] for e in EVENTS] + ["user hub disconnected", "user hub reconnected"]

        missing: list[str] = []

        def all_delivered():
            tg = "\n".join(telegram.texts("sendMessage"))
            dc = "\n".join(discord.texts("/api/webhooks/42/"))
            missing[:] = [e for e in expected if e not in tg or e not in dc]
            return not missing
        try:
            wait_for(all_delivered, 20, what="every event kind on Telegram and Discord")
        except AssertionError:
            raise AssertionError(f"missing {missing}; telegram got {telegram.texts()}; "
                                 f"discord got {discord.texts()}") from None
        chats = {h.body["chat_id"] for h in telegram.hits}
        assert chats == {"111", "222"}

        status = notify_call(config_path, NotifyStatusRequest())
        states = {c.name: c for c in status.body.channels}
        assert states["telegram"].state == "ok" and states["discord"].state == "ok"
        answer = notify_call(config_path, NotifyTest(channel="telegram"))
        assert answer.ok and answer.body.answers[0].answer.startswith("HTTP 200 ok")
        assert any("riskd test message" in t for t in telegram.texts())

        # Telegram unreachable: requests' error names the URL, which holds the bot token
        telegram.close()
        pubs.publish("enforcement", "result", CommandResult(
            command_id="d2.1", account_id=1001, status="failed", detail="again"))
        wait_for(lambda: any("telegram did not accept a message" in line for line in open(
            os.path.join(loaded.log_dir, "system.log"))), 15, what="the failure in system.log")
        status = notify_call(config_path, NotifyStatusRequest())
        telegram_state = next(c for c in status.body.channels if c.name == "telegram")
        assert telegram_state.state == "failing" and telegram_state.queued == 1
        assert telegram_state.last_error.startswith("cannot reach 127.0.0.1:")
        # the library's detail is kept for the log, the token masked
        assert any("/bot***/sendMessage" in line for line in open(
            os.path.join(loaded.log_dir, "system.log")))
    finally:
        pubs.close()
        notify.kill_tree()
        logsink.kill_tree()
    secret_parts = (BOT_TOKEN, BOT_TOKEN.split(":")[1], WEBHOOK_TOKEN)
    for name in os.listdir(loaded.log_dir):
        text = open(os.path.join(loaded.log_dir, name), encoding="utf-8").read()
        assert not any(s in text for s in secret_parts), name
    for proc in (notify, logsink):          # their stderr (warnings and errors)
        with open(proc.log_path, encoding="utf-8", errors="replace") as fh:
            assert not any(s in fh.read() for s in secret_parts)


def test_a_scoped_chat_gets_only_its_accounts_alerts_and_summary_lines(
        tmp_path, procs, telegram, discord):
    # chat 222 sees SIM-DEMO-2 only (commands off: alerts are scoped all the same); 111 and
    # Discord see everything
    config_path = make_config(tmp_path, notify={
        "telegram": {"bot_token": BOT_TOKEN, "chat_ids": ["111", "222"], "commands": False,
                     "api_base": telegram.url, "chats": {"222": {"accounts": ["SIM-DEMO-2"]}}},
        "discord": {"webhook_url": f"{discord.url}/api/webhooks/42/{WEBHOOK_TOKEN}"},
        "rate_per_minute": 600}, accounts=[{"id": 1001, "name": "SIM-DEMO-1"},
                                           {"id": 1002, "name": "SIM-DEMO-2"}])
    start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        pubs.connected(discord)
        pubs.publish("risk", "decision", EVENTS[0][2])                     # on SIM-DEMO-1
        pubs.publish("risk", "notify", DailySummary(trading_day="2026-11-24", accounts=[
            AccountDay(account="SIM-DEMO-1", pnl=Decimal("250.75"), trades=4),
            AccountDay(account="SIM-DEMO-2", pnl=Decimal("-80"), trades=2)]))
        pubs.publish("supervisor", "worker", EVENTS[5][2])                 # a system alert

        def got(chat: str) -> str:
            return "\n".join(h.text for h in telegram.hits if h.body.get("chat_id") == chat)
        # the breach is queued last: notify holds a step of risk's 0.1 s (services/notify/steps.py)
        wait_for(lambda: "Worker risk crashed" in got("111") and "Worker risk crashed" in got(
            "222") and "Worker risk crashed" in "\n".join(discord.texts())
            and "Breach daily_loss" in got("111")
            and "Breach daily_loss" in "\n".join(discord.texts()), 15,
                 what="the worker alert in both chats and on Discord, the breach in 111")
        whole = ("Daily summary 2026-11-24", "SIM-DEMO-1: realized PnL +250.75", "SIM-DEMO-2: realized PnL -80.00",
                 "Breach daily_loss on SIM-DEMO-1 (id 1001)")
        assert all(part in got("111") for part in whole), got("111")
        assert all(part in "\n".join(discord.texts()) for part in whole)
        assert "Daily summary 2026-11-24\nSIM-DEMO-2: realized PnL -80.00" in got("222")
        assert "SIM-DEMO-1" not in got("222")
        assert got("111").count("Daily summary") == 1 and got("222").count("Daily summary") == 1
    finally:
        pubs.close()


def test_fifty_breaches_give_at_most_the_limit_plus_one_digest_naming_all(
        tmp_path, procs, telegram, discord):
    # Telegram takes warnings and up, so the info probes (seen on Discord) spend none of its
    # ten tokens a minute.
    config_path = notify_config(tmp_path, telegram, discord, telegram_min="warning",
                                rate_per_minute=10, digest_quiet_s=1.0)
    start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        pubs.connected(discord)
        assert telegram.texts() == []
        for i in range(50):
            pubs.publish("risk", "decision", Decision(
                id=f"d{i}", ts_ns=now_ns(), rule="daily_loss", account_id=5000 + i,
                action="flatten", value=Decimal(-600), limit=Decimal(-500)))

        def chat_111():
            with telegram.lock:
                return [h.text for h in telegram.hits if h.body.get("chat_id") == "111"]

        def everything_named():
            joined = "\n".join(chat_111()) + "\n"
            return all(f"on {5000 + i}\n" in joined for i in range(50))
        wait_for(everything_named, 20, what="all 50 breaches named on Telegram")
        texts = chat_111()
        digests = [t for t in texts if t.startswith("📦 Digest")]
        singles = [t for t in texts if not t.startswith("📦")]
        assert len(texts) <= 10 + 1 and len(digests) == 1 and len(singles) == 10
        merged = [i for i in range(50) if f"on {5000 + i}\n" in digests[0] + "\n"]
        assert len(merged) == 40 and digests[0].startswith("📦 Digest: 40 alerts merged")
    finally:
        pubs.close()


def test_queued_alerts_survive_a_crash_of_notify(tmp_path, procs, telegram, discord):
    config_path = notify_config(tmp_path, telegram, discord, failed_retry_s=0.3)
    telegram.default = (500, {"ok": False, "description": "Internal Server Error"})
    notify = start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        def queued():
            pubs.publish("enforcement", "result", CommandResult(
                command_id="x.1", account_id=1001, status="failed", detail="kept on disk"))
            states = {c.name: c for c in notify_call(config_path, NotifyStatusRequest()).body.channels}
            return states["telegram"].queued >= 1 and states["telegram"].state == "failing"
        wait_for(queued, 15, interval=0.3, what="an alert queued on a failing channel")
        notify.kill_tree()                          # kill -9 with the alert undelivered
        telegram.default = TELEGRAM_OK
        start_notify(procs, config_path)
        wait_for(lambda: any("kept on disk" in t for t, h in zip(telegram.texts(), telegram.hits)
                             if h.body["chat_id"] == "111"),
                 15, what="the queued alert delivered by the restarted notify")
    finally:
        pubs.close()


def losing_step():
    """The step risk's engine makes of one losing trade past two limits (etc/riskd.toml's
    shipped daily_realized_loss 500; a cooldown_after_loss tier of 300 -> 1800 s)."""
    from tests.unit.risk.desk import MNQ, NQ, SIDE_SELL, Desk
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 300, "seconds": 1800}],
                                     "flatten": True})
    desk.long(1, MNQ, 21000)
    return desk.trade("-611.18", contract=NQ, side=SIDE_SELL)


def publish_step(pubs, out) -> None:
    """As risk publishes a step: its lockout changes, then its decisions."""
    for c in out.lockouts:
        pubs.publish("risk", "lockout", c)
    for d in out.decisions:
        pubs.publish("risk", "decision", d)


@contextlib.contextmanager
def notify_with_a_step(tmp_path, procs, telegram, discord):
    """A notify on fake Telegram/Discord and the stand-in publishers, the losing step published
    as risk publishes it: yields (the step, the publishers, notify, the config's path)."""
    out = losing_step()
    config_path = notify_config(tmp_path, telegram, discord, rate_per_minute=600)
    notify = start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        pubs.connected(telegram)
        publish_step(pubs, out)
        yield out, pubs, notify, config_path
    finally:
        pubs.close()


def test_one_losing_trade_past_two_limits_is_one_alert_that_says_when_the_account_is_free(
        tmp_path, procs, telegram, discord):
    """Fresh-user trial: one breach sent "🔒 Lockout started: Demo 1 until Mon 17:00 CST" and
    20 ms later "🔒 Lockout started: Demo 1 until 03:32:43 CST" (the cooldown the same trade
    started). The step risk's engine makes of that trade (etc/riskd.toml's shipped limits:
    daily_realized_loss 500, cooldown_after_loss tier 300 -> 1800 s), published as risk
    publishes a step: the phone reads the longer end first, the cooldown as what it adds."""
    with notify_with_a_step(tmp_path, procs, telegram, discord) as (out, _pubs, _n, _c):
        assert len(out.lockouts) == 2 and len(out.decisions) == 2
        free = "🔒 SIM-DEMO-1 (id 1001) locked until Wed 17:00 CST (daily_realized_loss); " \
               "cooldown_after_loss also until Wed 09:30 CST"

        def about_it():         # chat 111's (222 gets the same)
            with telegram.lock:
                return [h.text for h in telegram.hits
                        if h.body.get("chat_id") == "111" and "SIM-DEMO-1" in h.text]
        wait_for(lambda: any(t.startswith(free) for t in about_it()), 10,
                 what="the step's alert")
        time.sleep(0.5)
        texts = about_it()
        # one alert (were the step's messages further apart than notify holds a step, each
        # part would still say the longer end first, never "Lockout started ... 09:30")
        assert len(texts) == 1, texts
        assert not any(t.startswith("🔒 Lockout started: SIM-DEMO-1 (id 1001) until Wed 09:30")
                       for t in texts)
        joined = "\n".join(texts)
        assert "⚠️ Breach daily_realized_loss on SIM-DEMO-1 (id 1001)" in joined
        assert "⚠️ Breach cooldown_after_loss on SIM-DEMO-1 (id 1001)" in joined


def test_a_step_held_for_its_one_alert_survives_a_kill_of_notify(tmp_path, procs, telegram,
                                                                  discord):
    """Notify holds a step of risk's breaches and lockouts 0.1 s to make one alert of it
    (services/notify/steps.py). Guarantee 7 (no alert lost to a crash): what it holds is on
    disk (notify.sqlite's `held`) from the moment it is read, and a notify killed with -9
    inside the hold makes the alert when it starts again."""
    import sqlite3

    def held(config_path) -> int:
        db_path = os.path.join(load_config(config_path).data_dir, "notify.sqlite")
        try:
            with contextlib.closing(sqlite3.connect(db_path, timeout=1)) as db:
                return db.execute("SELECT COUNT(*) FROM held").fetchone()[0]
        except sqlite3.OperationalError:       # no such table (the old notify): never held
            return 0
    with notify_with_a_step(tmp_path, procs, telegram, discord) as (out, _p, notify, config):
        step = len(out.lockouts) + len(out.decisions)
        wait_for(lambda: held(config) >= step, 5, interval=0.002,
                 what="the step held on disk")
        notify.kill_tree()                     # kill -9 inside the step's 0.1 s hold
        sent = len(telegram.texts())
        start_notify(procs, config)
        wait_for(lambda: any("⚠️ Breach daily_realized_loss on SIM-DEMO-1 (id 1001)" in t
                             for t in telegram.texts()[sent:]), 15,
                 what="the held step's alert from the restarted notify")
        assert held(config) == 0


def test_a_done_that_comes_while_its_breach_is_held_follows_the_breach(tmp_path, procs,
                                                                        telegram, discord):
    """Second trial: the phone read "✅ Done ... closed" 30 ms before the "⚠️ Breach" that
    caused it (notify holds a step of risk's 0.1 s, enforcement's result came at once). A
    result of an account whose step is held now follows that step's alert."""
    with notify_with_a_step(tmp_path, procs, telegram, discord) as (out, pubs, _n, _c):
        pubs.publish("enforcement", "result", CommandResult(
            command_id=f"{out.decisions[0].id}.1", account_id=1001, status="done",
            detail="flattened account SIM-DEMO-1: close MNQ (verified flat)",
            action="flatten", first_answer_ns=now_ns()))

        def chat_111():
            with telegram.lock:
                return [h.text for h in telegram.hits if h.body.get("chat_id") == "111"]
        wait_for(lambda: any(t.startswith("✅ Done") for t in chat_111()), 10,
                 what="the Done alert")
        texts = chat_111()
        breach = next(i for i, t in enumerate(texts) if "Breach daily_realized_loss" in t)
        done = next(i for i, t in enumerate(texts) if t.startswith("✅ Done"))
        assert breach < done, texts


def test_a_command_that_found_nothing_to_do_is_logged_not_sent(tmp_path, procs, telegram,
                                                                discord):
    """Third trial: "✅ Done ... was already flat" reached the phone for a flatten that found the
    account flat: noise, which makes a trader switch riskd off. Such a result (enforcement got
    no answer that did something: first_answer_ns 0) is in riskd's log, "logged only", and
    never on a channel; a command that did something is still "✅ Done"."""
    config_path = notify_config(tmp_path, telegram, discord, rate_per_minute=600)
    log_dir = load_config(config_path).log_dir
    logsink = procs.worker("services.logsink", config_path)
    notify = start_notify(procs, config_path)
    pubs = Publishers(config_path)
    try:
        pubs.connected(telegram)
        pubs.publish("enforcement", "result", CommandResult(
            command_id="d1.1", account_id=1001, status="done",
            detail="account SIM-DEMO-1 was already flat", action="flatten", broker_calls=2))
        pubs.publish("enforcement", "result", CommandResult(
            command_id="manual-1.1001", account_id=1001, status="done",
            detail="flattened account SIM-DEMO-1: close MNQ (verified flat)",
            action="flatten", first_answer_ns=now_ns()))
        wait_for(lambda: any(t.startswith("✅ Done") for t in telegram.texts()), 10,
                 what="the Done alert of the flatten that closed something")

        def logged():
            lines = [line for name in os.listdir(log_dir)
                     for line in open(os.path.join(log_dir, name), encoding="utf-8")]
            return [line for line in lines if "action_nothing_to_do" in line]
        [line] = wait_for(logged, 10, what="the nothing-to-do alert in riskd's log")
        assert "logged only" in line and "Nothing to do on SIM-DEMO-1 (id 1001)" in line, line
        time.sleep(0.5)                         # observing that nothing else is sent
        phone = telegram.texts() + discord.texts()
        assert not any("already flat" in t or "Nothing to do" in t for t in phone), phone
        assert sum(t.startswith("✅ Done") for t in telegram.texts()) == 2   # chats 111, 222
    finally:
        pubs.close()
        notify.kill_tree()
        logsink.kill_tree()
