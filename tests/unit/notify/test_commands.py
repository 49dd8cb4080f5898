"""The Telegram command side's pure parts: parsing, who may ask, the lockout confirmation's
state machine (at most once) on a real notify.sqlite, the persisted offset, the answers."""
from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.notify.bot.access import Access, lock_button_account
from services.notify.bot.answers import bar, duration
from services.notify.bot.lockflow import LockFlow
from services.notify.bot.parse import Command, Refusal, parse
from services.notify.bot.riskd import ALLOWED, Riskd, Unavailable
from services.notify.bot.store import (CANCELLED, DONE, EXECUTING, EXPIRED, FAILED, Answer,
                                       BotStore)
from services.notify.outbox import Outbox
from services.notify.templates import Context
from services.supervisor.commands import REGISTRY
from shared.clock import FakeClock, to_ns
from shared.config.accounts import AccountConfig
from shared.config.notify import ChatScope, TelegramConfig
from shared.messages.risk import (Decision, LockoutList, LockoutState, RuleWarning,
                                  SelfLockRequest, UnlockRequest)
from shared.messages.system import error, ok
from shared.tradingday import TradingCalendar
from shared.when import parse_when

CHI = ZoneInfo("America/Chicago")
T0 = to_ns(dt.datetime(2026, 11, 24, 10, 0, tzinfo=CHI))
S = 1_000_000_000


# -- parsing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("/status", Command("status")),
    ("/STATUS Demo 1", Command("status", account="Demo 1")),
    ("/status@riskd_bot", Command("status")),
    ("/status@other_bot", None),
    ("hello", None),
    ("/history", Command("history", count=10)),
    ("/history 3", Command("history", count=3)),
    ("/lockout Demo 1 30m", Command("lockout", account="Demo 1", when="30m")),
    ("/lockout 1001 15:30 done for today", Command("lockout", account="1001", when="15:30",
                                                   reason="done for today")),
    ("/lockout SIM-DEMO-1 Session", Command("lockout", account="SIM-DEMO-1", when="session")),
    ("/start", Command("help")),
])
def test_parse(text, expected):
    assert parse(text, "riskd_bot") == expected


@pytest.mark.parametrize("text, says", [
    ("/history 0", "expected a number from 1 to 50"),
    ("/history 2 3", "expected a number from 1 to 50, got '2 3'"),
    ("/lockout", "expected an account and how long, got nothing"),
    ("/lockout 30m", "expected an account and then how long"),     # the time needs an account
    ("/lockout Demo 1", "got 'Demo 1'"),
    ("/lockout 1001 2h " + "x" * 201, "the reason is 201 characters"),
    ("/unlock 1001", "Nothing that unlocks"),
    ("/help me", "/help takes nothing after it"),
    ("/" + "a" * 600, "That message is 601 characters long"),
    ("/(*&", "is not a command I know"),
])
def test_parse_refusals(text, says):
    got = parse(text)
    assert isinstance(got, Refusal) and says in got.text


# -- who may ask ----------------------------------------------------------------------------------

ACCOUNTS = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1"),
            AccountConfig(id=1002, name="SIM-DEMO-2")]


def access(**telegram) -> Access:
    cfg = dict(bot_token="1:x", chat_ids=["111", "-222", "-333"],
               chats={"-222": ChatScope(accounts=["SIM-DEMO-2"], users=[7]),
                      "-333": ChatScope()})
    cfg.update(telegram)
    return Access(TelegramConfig(**cfg), ACCOUNTS)


def test_a_private_chat_is_its_user_a_group_only_its_listed_users():
    a = access()
    assert a.allowed("111", 111) and not a.allowed("111", 112)
    assert a.allowed("-222", 7) and not a.allowed("-222", 8)
    assert not a.allowed("-333", 7)                       # a group listing nobody
    assert not a.allowed("999", 999) and not a.allowed("111", None)
    assert not access(commands=False).allowed("111", 111)


def test_scope_and_the_lock_button():
    a = access()
    assert a.sees("111", 1001) and a.sees("111", 1002)
    assert a.sees("-222", 1002) and not a.sees("-222", 1001)
    assert a.lock_button("-222", 1001) is None and a.lock_button("-333", 1002) is None
    button = a.lock_button("-222", 1002)["inline_keyboard"][0][0]
    assert button == {"text": "🔒 Lock me out for the rest of the day",
                      "callback_data": "lo:1002"}


def test_which_alerts_carry_the_button():
    warning = RuleWarning(id="w", ts_ns=T0, rule="max_contracts", account_id=1001,
                          value=Decimal(4), limit=Decimal(5), warn_at=0.8)
    loss = Decision(id="d", ts_ns=T0, rule="daily_realized_loss", account_id=1001,
                    action="flatten")
    assert lock_button_account(warning) == 1001 and lock_button_account(loss) == 1001
    assert lock_button_account(Decision(id="d", ts_ns=T0, rule="max_contracts", account_id=1,
                                        action="reduce_position")) is None
    assert lock_button_account(Decision(id="d", ts_ns=T0, rule="daily_net_loss", account_id=1,
                                        action="flatten", suppressed="locked already")) is None


def test_the_chat_side_can_send_only_trader_reads_and_the_self_lockout():
    assert SelfLockRequest in ALLOWED
    assert all(REGISTRY.get(cls).role == "trader" for cls in ALLOWED)
    with pytest.raises(PermissionError):
        Riskd("tcp://127.0.0.1:9").ask(UnlockRequest(account="1001", reason="please"))


# -- the lockout confirmation: at most once -------------------------------------------------------

class StandInRiskd:
    """Stands in for riskd's control socket: counts self-lockouts, answers as scripted."""

    def __init__(self):
        self.locks: list[SelfLockRequest] = []
        self.answer = None

    def lock(self, request):
        self.locks.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer or ok(LockoutList(lockouts=[LockoutState(
            id="l", account_id=1001, kind="timer", rule="self_lockout", since_ns=T0,
            until_ns=request.until_ns, by="trader")]))

    def ask(self, _request):
        return LockoutList(lockouts=[])


@pytest.fixture
def flow(tmp_path):
    riskd = StandInRiskd()
    store = BotStore(Outbox(str(tmp_path / "notify.sqlite")))
    ctx = Context(tz=CHI, accounts={1001: "Demo 1"})
    return LockFlow(store, riskd, ctx, TradingCalendar.make("17:00", "America/Chicago")), riskd


def asked(flow, when="30m", token="u1"):
    return flow.ask(token, "111", 111, 1001, "Demo 1 (id 1001)", when, "tilt", T0)


def test_a_confirmed_lockout_runs_once_and_a_second_press_repeats_its_result(flow):
    flow, riskd = flow
    question = asked(flow)
    assert question.text.startswith("🔒 Lock Demo 1 (id 1001) until Tue 10:30 CST (in 30m00s)?")
    yes = question.markup["inline_keyboard"][0][0]["callback_data"]
    assert yes == "lk:y:u1"
    pressed = flow.press("u1", True, "111", 111, T0 + 60 * S)
    assert pressed.notice == "Locked." and len(riskd.locks) == 1
    # until the end the question named, which the trader confirmed (not 30m from the press)
    assert riskd.locks[0].until_ns == T0 + 30 * 60 * S
    assert riskd.locks[0].by == "telegram:111" and riskd.locks[0].reason == "tilt (from Telegram, user 111)"
    again = flow.press("u1", True, "111", 111, T0 + 61 * S)
    assert again.notice == "Already locked."     # its lockouts now (test_lockout_answers.py)
    assert again.answers[0].text.startswith("🔒 Already done: Demo 1 (id 1001) is locked out by "
                                            "this request; nothing was sent again")
    assert len(riskd.locks) == 1 and flow.store.get("u1").state == DONE
    assert asked(flow).text.startswith("This lockout request was already answered (done)")


def test_only_the_asker_in_that_chat_within_five_minutes(flow):
    flow, riskd = flow
    asked(flow)
    assert flow.press("u1", True, "111", 222, T0).notice.startswith("Only the person who asked")
    assert flow.press("u1", True, "-222", 111, T0).notice.startswith("This button is no longer")
    late = flow.press("u1", True, "111", 111, T0 + 301 * S)
    assert "is 5m01s old (more than 5 minutes), so it was not run" in late.answers[0].text
    assert flow.store.get("u1").state == EXPIRED and riskd.locks == []
    asked(flow, token="u2")
    assert flow.press("u2", False, "111", 111, T0).notice == "Cancelled."
    assert flow.press("u2", True, "111", 111, T0).notice.startswith("This request was cancelled")
    assert flow.store.get("u2").state == CANCELLED and riskd.locks == []


def test_a_lockout_interrupted_by_a_crash_is_reported_never_resent(flow):
    flow, riskd = flow
    asked(flow, when="session")
    assert flow.store.move("u1", "asked", EXECUTING)      # notify died right after this commit
    pressed = flow.press("u1", True, "111", 111, T0)      # Telegram gives the press again
    assert riskd.locks == [] and flow.store.get("u1").state == FAILED
    assert "it is not sent twice" in pressed.answers[0].text


def test_no_answer_from_riskd_is_reported_and_not_retried(flow):
    flow, riskd = flow
    riskd.answer = Unavailable("riskd did not answer within 6 s")
    asked(flow)
    pressed = flow.press("u1", True, "111", 111, T0)
    assert "NOT sent again" in pressed.answers[0].text
    flow.press("u1", True, "111", 111, T0)
    assert len(riskd.locks) == 1 and flow.store.get("u1").state == FAILED
    riskd.answer = error("unknown_account", "risk does not know account '1001'")
    asked(flow, token="u2")
    assert "riskd refused" in flow.press("u2", True, "111", 111, T0).answers[0].text


def test_a_bad_time_is_refused_before_anything_is_recorded(flow):
    flow, _riskd = flow
    with pytest.raises(ValueError, match="expected a time like 30m"):
        asked(flow, when="25:99")
    assert flow.store.get("u1") is None


# -- the persisted offset -------------------------------------------------------------------------

def test_answers_the_handled_mark_and_the_offset_commit_together(tmp_path):
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    store = BotStore(outbox)
    assert store.offset() == 0 and not store.handled(41)
    store.finish(41, [Answer("111", "hi"), Answer("111", "there", {"inline_keyboard": []})], T0)
    store.finish(40, [], T0)                         # an older one never moves the offset back
    reopened = BotStore(Outbox(str(tmp_path / "notify.sqlite")))
    assert reopened.offset() == 42 and reopened.handled(41) and reopened.handled(40)
    assert outbox.replies_queued("telegram") == 2
    first = outbox.next_reply("telegram")
    assert (first.chat, first.text, first.markup) == ("111", "hi", None)


# -- small things ---------------------------------------------------------------------------------

def test_bar_duration_and_times():
    assert bar(0.0) == "░░░░░░░░░░   0%" and bar(0.52) == "▓▓▓▓▓░░░░░  52%"
    assert bar(1.3).startswith("▓" * 10)
    assert duration(3725) == "1h02m" and duration(65) == "1m05s" and duration(5) == "5s"
    assert parse_when("15:30", T0, CHI) == to_ns(dt.datetime(2026, 11, 24, 15, 30, tzinfo=CHI))
    assert parse_when("09:00", T0, CHI) == to_ns(dt.datetime(2026, 11, 25, 9, 0, tzinfo=CHI))
    with pytest.raises(ValueError):
        parse_when("24:00", T0, CHI)


def test_a_scope_for_a_chat_not_listed_is_refused():
    with pytest.raises(ValueError, match="expected scopes only for chats listed in chat_ids"):
        TelegramConfig(bot_token="1:x", chat_ids=["111"], chats={"-5": ChatScope()})


def test_ignored_updates_are_counted_and_logged_at_most_once_a_minute(caplog):
    from services.notify.bot.access import Ignored
    ignored = Ignored()
    with caplog.at_level("WARNING"):
        for i in range(50):
            ignored.add("999", 999, "a message", 1000.0 + i)     # 50 in 50 s: one line
        ignored.add("-5", 7, "a button press", 1061.0)           # a minute later: the next
    lines = [r.getMessage() for r in caplog.records]
    assert ignored.count == 51 and len(lines) == 2
    assert lines[0].startswith("telegram: ignored 1 update from")
    assert lines[1].startswith("telegram: ignored 50 updates from") and "chat -5, user 7" in lines[1]


# -- one update through the poller (no network: the parts it calls stand in) ---------------------

class BrokenRiskd:
    def ask(self, _request):
        raise RuntimeError("a bug")


class RoomySender:
    def room(self):
        return 5.0

    def poke(self):
        pass


STATUS_FROM_111 = {"date": 0, "chat": {"id": 111}, "from": {"id": 111}, "text": "/status"}


def chat_poller(tmp_path):
    """A command poller of chat 111 on a real notify.sqlite, its riskd a broken one."""
    from services.notify.bot.poller import CommandPoller
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    poller = CommandPoller(TelegramConfig(bot_token="1:x", chat_ids=["111"]), 5.0, outbox,
                           RoomySender(), access(chat_ids=["111"], chats={}), Context(), None,
                           "tcp://127.0.0.1:9", None, FakeClock(T0))
    poller.store, poller.riskd = BotStore(outbox), BrokenRiskd()
    return poller, outbox


def test_a_bug_answering_is_said_to_the_asker_once_and_the_update_is_not_retried(tmp_path):
    poller, outbox = chat_poller(tmp_path)
    message = STATUS_FROM_111
    poller.handle({"update_id": 7, "message": message})
    poller.handle({"update_id": 7, "message": message})          # given again: not re-run
    poller.handle({"update_id": 8, "message": dict(message, chat={"id": 5}, **{"from": {"id": 5}})})
    reply = outbox.next_reply("telegram")
    assert reply.chat == "111" and "could not answer this (an internal error" in reply.text
    assert outbox.replies_queued("telegram") == 1 and poller.store.offset() == 9
    assert poller.ignored.count == 1


class HeldLongPoll:
    """Telegram's getUpdates held open (a long poll in flight) until released, then these
    updates."""

    def __init__(self, updates):
        self.updates = updates
        self.polling = threading.Event()
        self.release = threading.Event()

    def call(self, method, _params, _timeout):
        if method == "getMe":
            return {"username": "riskd_test_bot"}
        self.polling.set()
        self.release.wait(30)
        return self.updates


def test_a_stop_during_the_long_poll_returns_at_once_and_handles_nothing_the_poll_returns(
        tmp_path):
    poller, outbox = chat_poller(tmp_path)
    message = STATUS_FROM_111
    poller.api = HeldLongPoll([{"update_id": 7, "message": message}])
    poller._thread = threading.Thread(target=poller.poll_once, daemon=True)
    poller._thread.start()
    try:
        assert poller.api.polling.wait(10)
        began = time.monotonic()
        poller.stop(timeout=5.0)
        # nothing in hand to wait for (joining the long poll held every notify stop 2 s)
        assert time.monotonic() - began < 2.5
    finally:
        poller.api.release.set()
        poller._thread.join(10)
    # the update the abandoned poll returned is left for the next poller, not handled
    assert outbox.replies_queued("telegram") == 0 and poller.store.offset() == 0


# -- presses in any order, crashes anywhere: never more than one lockout per question ------------

from hypothesis import settings, strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule  # noqa: E402


class Presses(RuleBasedStateMachine):
    """Questions asked, Yes / Cancel pressed in any order and repeated (double taps, Telegram
    re-delivering after a kill), notify dying right after committing 'executing', time
    passing: each question locks at most once, and only after a Yes within 5 minutes."""

    def __init__(self):
        super().__init__()
        import tempfile
        self.dir = tempfile.TemporaryDirectory()
        self.riskd = StandInRiskd()
        self.flow = LockFlow(BotStore(Outbox(f"{self.dir.name}/notify.sqlite")), self.riskd,
                             Context(tz=CHI), TradingCalendar.make("17:00", "America/Chicago"))
        self.now = T0
        self.tokens: list[str] = []
        self.yes_in_time: set[str] = set()

    @rule(when=st.sampled_from(["30m", "2h", "15:30", "session"]))
    def ask(self, when):
        token = f"u{len(self.tokens)}"
        self.flow.ask(token, "111", 111, 1001, "Demo 1", when, "", self.now)
        self.tokens.append(token)

    @rule(i=st.integers(0, 5), yes=st.booleans(), user=st.sampled_from([111, 111, 222]))
    def press(self, i, yes, user):
        if i < len(self.tokens):
            token = self.tokens[i]
            before = self.flow.store.get(token)
            self.flow.press(token, yes, "111", user, self.now)
            if yes and user == 111 and before.state == "asked" \
                    and self.now - before.created_ns <= 300 * S:
                self.yes_in_time.add(token)

    @rule(i=st.integers(0, 5))
    def killed_after_committing(self, i):
        if i < len(self.tokens):
            self.flow.store.move(self.tokens[i], "asked", EXECUTING)

    @rule(seconds=st.sampled_from([1, 60, 299, 301]))
    def time_passes(self, seconds):
        self.now += seconds * S

    @invariant()
    def at_most_once(self):
        assert len(self.riskd.locks) == self.flow.executed <= len(self.yes_in_time)
        states = [self.flow.store.get(t).state for t in self.tokens]
        assert self.flow.executed == states.count(DONE)

    def teardown(self):
        self.dir.cleanup()


TestPresses = Presses.TestCase
TestPresses.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)


def test_the_bots_positions_and_orders_show_prices_as_the_screens_do():
    """/positions and /orders on the phone use shared/showprice.py like riskctl: an average of
    fills rounded to the last price's decimals, not 20998.03125 (the trial's screen)."""
    from services.notify.bot.answers import orders_text, positions_text
    from shared.messages.market import OrderRow, OrdersTable
    from shared.messages.risk import AccountStatus, PositionView
    acct = AccountStatus(account_id=1001, name="SIM-1", ts_ns=0, trading_day="2026-12-04",
                         positions=[PositionView(contract_id="CON.F.US.MNQ.Z26", symbol="MNQ",
                                                 side="long", size=8,
                                                 average_price=Decimal("20998.03125"),
                                                 last=Decimal("20998.25"),
                                                 unrealized=Decimal("3.50"))])
    ctx = Context(accounts={1001: "Demo 1"})
    text = positions_text([acct], ctx)
    assert "@ 20998.03, last 20998.25" in text, text
    table = OrdersTable(orders=[OrderRow(account_id=1001, account_name="SIM-1", order_id=5,
                                         contract_id="CON.F.US.MNQ.Z26", ticker="MNQ",
                                         side="sell", type="stop", status="open", size=1,
                                         stop_price=Decimal("20950"))])
    assert "stop 20950.00" in orders_text(table, [acct], ctx)


def test_a_note_to_check_carries_no_lock_button():
    """Trial 2026-12-06: the drawdown mark's "check the line against the firm's dashboard"
    note (a warning with no reading) carried "Lock me out"; only a limit coming near does."""
    note = RuleWarning(id="w", ts_ns=T0, rule="drawdown_guard", account_id=1001, value=None,
                       limit=None, warn_at=0.8, reason="drawdown high-water mark set to ...")
    assert lock_button_account(note) is None
