"""A self-lockout's answer says the flatten was sent and is on its way, not that it is done,
and when risk already knows the market is closed, that it waits for the open.

Fresh-user trial: `riskctl lockout 1002 --until 1m` with the market closed answered "locked
until ...; flatten: close 1 position", which read as if the account were
flattened; only the phone's "⏳ Waiting" said the close waited for the market.

The real RiskWorker on loopback sockets (tests/unit/risk/worker_rig.py) on etc/riskd.toml's
rules and trading calendar, its clock set to the story's time; the request is the one
`riskctl lockout` sends."""
from __future__ import annotations

from decimal import Decimal

from services.risk.marketwait import closed_words
from shared import showtime
from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.enforce import MARKET_OPEN, CommandResult
from shared.messages.market import Quote
from shared.messages.risk import REDUCE_POSITION, SelfLockRequest
from tests.unit.risk.desk import CONTRACTS, MNQ, NS, chi
from tests.unit.risk.test_tightening_is_instant import buy, commands, market, published
from tests.unit.risk.worker_rig import reload, risk_worker

ACCOUNT = 1001
HISTORY = "riskctl history shows when it is done"


def rig(tmp_path, start):
    return risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                       clock=FakeClock(start))


def holding(w, size):
    market(w, CONTRACTS[MNQ], Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(),
                                     last=Decimal("21000")))
    buy(w, size)


def lock_for_a_minute(w):
    reply = w._handlers[SelfLockRequest](SelfLockRequest(
        account=str(ACCOUNT), until_ns=w.clock.now_ns() + 60 * NS, reason="tilt"))
    assert reply.ok, reply.reason
    return reply.reason


def test_with_the_sim_a_closed_calendar_is_only_a_maybe(tmp_path):
    """etc/riskd.toml's sim broker: riskd does not ask the sim whether its market is open
    (docs/operations.md), and the sim fills at all hours. Fresh-user trial 2026-12-06: on a
    Sunday the answer said "the market is closed: it waits for the market to open (Sun 17:00
    CST); but the lockout ends first ..." while history said the flatten was done (verified
    flat) the same second. The answer says only what is known (put back: fails)."""
    with rig(tmp_path, chi(2026, 12, 5, 21, 0)) as (w, _path, _backups, _sent):   # a Saturday
        holding(w, 1)
        answer = lock_for_a_minute(w)
    assert answer == ("locked until Sat 21:01 CST; only an admin can end it early; flatten "
                      "sent: close 1 position; if the market is closed it "
                      "waits for the open, and what has not run when the lockout ends "
                      f"(Sat 21:01 CST) is not done; {HISTORY}"), answer
    assert "the market is closed:" not in answer and "ends first" not in answer


def test_a_flat_account_is_told_of_no_wait_for_the_open(tmp_path):
    """trial15c: a flat account's answer read "flatten sent: close 0 positions, cancel 0
    orders; if the market is closed it waits for the open, and what has not run when the
    lockout ends ... is not done": nothing to wait for. Fails on main's code."""
    with rig(tmp_path, chi(2026, 12, 5, 21, 0)) as (w, _path, _backups, _sent):   # a Saturday
        answer = lock_for_a_minute(w)
    assert answer == ("locked until Sat 21:01 CST; only an admin can end it early; flatten "
                      f"sent: close 0 positions, cancel 0 orders; {HISTORY}"), answer


def test_a_sim_lockout_past_the_open_says_the_same_maybe(tmp_path):
    with rig(tmp_path, chi(2026, 12, 5, 21, 0)) as (w, _path, _backups, _sent):   # a Saturday
        holding(w, 1)
        reply = w._handlers[SelfLockRequest](SelfLockRequest(
            account=str(ACCOUNT), until_ns=chi(2026, 12, 6, 18, 0), reason="weekend"))
    assert reply.ok and reply.reason.endswith(
        "if the market is closed it waits for the open, and what has not run when the lockout "
        f"ends (Sun 18:00 CST) is not done; {HISTORY}"), reply.reason


def test_a_real_broker_on_a_closed_calendar_waits_for_the_open(tmp_path):
    """A real broker's market follows the calendar's sessions: riskd knows it is closed, and
    a lockout that ends before the open takes back what has not run (second trial: a short
    self-lockout on a closed market promised a flatten that was withdrawn at its end)."""
    with rig(tmp_path, chi(2026, 12, 5, 21, 0)) as (w, _path, _backups, _sent):   # a Saturday
        now = w.clock.now_ns()
        words = closed_words(w.engine.calendar, False, now, showtime.zone_of(w.config),
                             now + 60 * NS, calendar_known=True)
    assert words == ("the market is closed: it waits for the market to open (Sun 17:00 CST); "
                     "but the lockout ends first (Sat 21:01 CST), and what has not run by then "
                     "is not done: close the position on the firm's platform if you want to be "
                     "flat"), words


def test_an_open_market_the_answer_says_sent_not_done(tmp_path):
    with rig(tmp_path, chi(2026, 12, 2, 10, 0)) as (w, _path, _backups, _sent):   # a Wednesday
        holding(w, 1)
        answer = lock_for_a_minute(w)
    assert answer == ("locked until Wed 10:01 CST; only an admin can end it early; flatten "
                      f"sent: close 1 position; {HISTORY}"), answer


def test_an_action_of_the_account_waiting_for_the_open_says_it_waits_too(tmp_path):
    """The calendar has the market open (the broker closed it: a halt, the daily break), but
    enforcement said riskd's last action on the account waits for the open."""
    with rig(tmp_path, chi(2026, 12, 2, 16, 30)) as (w, path, backups, _sent):
        holding(w, 3)
        seen = published(w)
        set_rule_param(path, str(ACCOUNT), "max_contracts", "limit", "2", backups)
        reload(w, path)
        [reduce] = [c for c in commands(seen) if c.action == REDUCE_POSITION]
        w.engine.on_result(CommandResult(
            command_id=reduce.id, account_id=ACCOUNT, status="accepted", attempts=1,
            detail="reduce_position waits for the market to open", action=reduce.action,
            rule=reduce.rule, waits_for=MARKET_OPEN), w.clock.now_ns())
        answer = lock_for_a_minute(w)
    assert answer.endswith("flatten sent: close 1 position; the market is "
                           "closed (the broker refused riskd's last action on the account): "
                           f"it waits for the market to open; {HISTORY}"), answer
