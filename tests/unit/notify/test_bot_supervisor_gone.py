"""Phone commands while riskd's supervisor is not running (trial 2026-12-06: with the supervisor
killed and notify's "⚠️ riskd's supervisor is not running" alert just sent, /lockouts and
"/lockout 1001 10m" got "riskd did not answer within 2 s. riskd may be restarting a worker":
a false reason, and the trader's protective lockout was impossible). The real Riskd and Direct
talk to a stand-in of risk's own control socket (a REP on loopback that answers as risk does and
checks the control key, as shared/worker.py does); the supervisor's address has nobody."""
from __future__ import annotations

import logging
import threading

import pytest
import zmq

from services.notify.bot.direct import Direct
from services.notify.bot.lockflow import LockFlow
from services.notify.bot.riskd import Riskd
from services.notify.bot.store import BotStore
from services.notify.outbox import Outbox
from services.notify.templates import Context
from shared import codec, controlkey
from shared.bus.rpc import decode_request, encode_reply
from shared.messages.risk import (AccountStatus, LockoutList, LockoutState, RiskStatusReply,
                                  RiskStatusRequest, SelfLockRequest)
from shared.messages.system import error, ok
from shared.tradingday import TradingCalendar
from tests.unit.notify.test_commands import CHI, S, STATUS_FROM_111, T0, chat_poller

pytestmark = pytest.mark.timeout(30)

KEY = "k" * 64
GONE = "riskd's supervisor is not running since Tue 09:58:05 CST"
NOBODY = "tcp://127.0.0.1:9"        # the supervisor's control socket: nobody answers
LOCK = LockoutState(id="L1", account_id=1001, kind="timer", rule="daily_realized_loss",
                    since_ns=T0 - 60 * S, until_ns=T0 + 3600 * S, by="risk")


class StandInRisk:
    """risk's control socket: its status, and a self-lockout only inside Keyed with the key."""

    def __init__(self):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.REP)
        port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.address = f"tcp://127.0.0.1:{port}"
        self.locks: list[SelfLockRequest] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            if not self.sock.poll(50):
                continue
            env, bad = decode_request(self.sock.recv())
            request, refused = controlkey.opened(env.msg, KEY, "risk")
            if refused is not None:
                reply = refused
            elif isinstance(request, RiskStatusRequest):
                reply = ok(RiskStatusReply(accounts=[AccountStatus(
                    account_id=1001, name="SIM-DEMO-1", ts_ns=T0, trading_day="2026-11-24",
                    lockouts=[LOCK])]))
            elif isinstance(request, SelfLockRequest):
                self.locks.append(request)
                reply = ok(LockoutList(lockouts=[LOCK, LockoutState(
                    id="L2", account_id=1001, kind="timer", rule="self_lockout", since_ns=T0,
                    until_ns=request.until_ns, by="trader")]))
            else:
                reply = error("bad_request", type(request).__name__)
            self.sock.send(encode_reply(reply, env))

    def close(self):
        self._stop.set()
        self.thread.join(2)
        self.sock.close(0)
        self.ctx.term()


@pytest.fixture
def risk():
    r = StandInRisk()
    yield r
    r.close()


class Bus:
    def __init__(self, address):
        self.address = address

    def control_of(self, worker):
        assert worker == "risk"
        return self.address


def riskd(risk) -> Riskd:
    return Riskd(NOBODY, gone=lambda: GONE, direct=Direct(Bus(risk.address), 1, lambda: KEY))


def ask(poller, outbox, text):
    poller.handle({"update_id": len(text), "message": dict(STATUS_FROM_111, date=T0 // S,
                                                           text=text)})
    return outbox.next_reply("telegram").text


def test_lockouts_are_read_from_risk_itself_and_say_the_supervisor_is_gone(tmp_path, risk):
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = riskd(risk)
    text = ask(poller, outbox, "/lockouts")
    assert text.splitlines()[0] == f"⚠️ {GONE}: these are risk's own, read from it directly"
    assert "daily_realized_loss" in text, text
    assert "did not answer" not in text and "restarting a worker" not in text, text


def test_what_needs_the_supervisor_says_it_is_not_running_not_restarting(tmp_path, risk):
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = riskd(risk)
    text = ask(poller, outbox, "/status")
    assert text == (f"⚠️ {GONE}: this needs it; start riskd again (`make run`, "
                    f"`systemctl start riskd` or `sc start riskd`)"), text


def test_a_lockout_goes_to_risk_keyed_is_audited_by_notify_and_says_so(tmp_path, risk, caplog):
    flow = LockFlow(BotStore(Outbox(str(tmp_path / "notify.sqlite"))), riskd(risk),
                    Context(tz=CHI, accounts={1001: "Demo 1"}),
                    TradingCalendar.make("17:00", "America/Chicago"))
    flow.ask("u1", "111", 111, 1001, "Demo 1", "10m", "", T0)
    with caplog.at_level(logging.INFO):
        pressed = flow.press("u1", True, "111", 111, T0 + 5 * S)
    assert pressed.notice == "Locked.", pressed
    [lock] = risk.locks
    assert lock.account == "1001" and lock.by == "telegram:111"
    text = pressed.answers[0].text
    assert f"⚠️ {GONE}: notify sent this lockout to risk directly" in text, text
    assert "recorded it in riskd's audit trail" in text, text
    [audit] = [r for r in caplog.records if r.name == "riskd.audit"]
    assert audit.action == "lockout" and audit.outcome.startswith("ok")
    assert audit.who == "telegram:111 (no session)" and "notify" in audit.sent_by


def test_the_worker_says_since_when_the_supervisor_is_silent_once_it_alerted():
    from types import SimpleNamespace

    from services.notify.app import NotifyWorker
    from services.notify.supervisorwatch import SupervisorWatch
    from shared.clock import FakeClock
    clock = FakeClock(T0)
    clock.advance(5)
    w = SimpleNamespace(clock=clock, ctx_t=Context(tz=CHI),
                        supervisor=SupervisorWatch(clock.monotonic()))
    w.supervisor.heard(clock.monotonic())          # its last heartbeat, at 10:00:05
    alerts = []
    for second in range(11):                         # notify ticks every second
        clock.advance(1)
        alerts += w.supervisor.tick(clock.monotonic())
        if second == 4:
            assert NotifyWorker.supervisor_gone(w) is None     # silent 5 s: not known yet
    assert alerts                                    # "riskd's supervisor is not running"
    assert NotifyWorker.supervisor_gone(w) == \
        "riskd's supervisor is not running since Tue 10:00:05 CST"
    w.supervisor.heard(clock.monotonic())
    assert NotifyWorker.supervisor_gone(w) is None
