"""A self-lockout that has nothing to flatten is a lockout, not an action (fresh-user trial:
`riskctl lockout` on a flat account with no working order was recorded and alerted as a
flatten, "done: account 1001 was already flat", as if something had been acted on). And a
self-lockout no later than the lockout in force changes nothing: the answer says the account is
already locked, and history keeps the request as not acted on, with no action and no lockout.

Risk skips the flatten only when market's complete snapshot gave it the account whole: before
it (a restart, market not yet synced) its book may miss a position, and the flatten is sent."""
from __future__ import annotations

from decimal import Decimal

from cli.commands.history import rows
from services.notify.templates import Context, build
from services.risk.words import self_lock_answer
from shared.lockwords import SELF_LOCKOUT as SELF_LOCK
from shared.messages.market import AccountUpdate, MarketSnapshot
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import CHI, MNQ, NS, Desk, chi

NOTHING = "nothing to flatten: no position or working order open"


def synced(desk, complete=True):
    """market's snapshot of the account (complete: read from the broker)."""
    desk.engine.apply_snapshot(MarketSnapshot(seq=1, epoch=1, complete=complete, accounts=[
        AccountUpdate(account_id=1001, name="SIM-1", balance=Decimal(50000), can_trade=True)]),
        desk.now)
    return desk


def lock(desk, until_ns=None, session=False):
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=until_ns, session=session,
                                         reason="done for the day")
    assert refusal == ""
    [d] = [d for d in out.decisions if d.rule == SELF_LOCK]
    answer = self_lock_answer(d, desk.engine.lockouts.all(1001),
                              desk.engine.calendar.next_roll(desk.now), CHI, desk.now,
                              None if session else until_ns)
    return out, d, answer


def alert_text(msg):
    a = build(msg, Context(tz=CHI, accounts={1001: "SIM-1"}))
    return "\n".join((a.title, *a.lines))


def test_a_flat_account_is_locked_and_nothing_is_claimed_as_done():
    desk = synced(Desk())                                         # Wed 25 Nov, 09:00 Chicago
    out, d, answer = lock(desk, until_ns=desk.now + 2 * 3600 * NS)
    assert out.commands == []                                     # no flatten sent
    assert d.action == "none" and not d.suppressed and d.by == "trader (self-lockout)"
    assert d.what == f"{NOTHING}; lock the account (timer)"
    assert answer == f"locked until Wed 11:00 CST; only an admin can end it early; {NOTHING}"
    [change] = out.lockouts
    assert change.change == "added" and change.lockout.until_ns == desk.now + 2 * 3600 * NS
    text = alert_text(d)
    assert "action: lock the account; " + NOTHING in text, text
    assert "flatten every position" not in text and "locked until Wed 11:00 CST" in text
    [row] = rows(HistoryReply(decisions=[d]), {})                 # no command: no outcome asked
    assert row[3] == f"{NOTHING}; lock the account (timer)"
    assert "done" not in row[3] and "planned" not in row[3]


def test_a_position_or_a_working_order_is_still_flattened():
    desk = synced(Desk())
    desk.long(1, MNQ, 21000)
    out, d, _ = lock(desk, session=True)
    assert [c.action for c in out.commands] == ["flatten"] and d.action == "flatten"
    desk = synced(Desk())
    desk.order(5, MNQ)
    out, d, _ = lock(desk, session=True)
    assert [c.action for c in out.commands] == ["flatten"]
    assert d.what.startswith("flatten: close 0 positions, cancel 1 order")


def test_before_market_read_the_broker_the_flatten_is_sent_all_the_same():
    # risk's book may miss a position market has not read yet: enforcement reads the broker
    for desk in (Desk(), synced(Desk(), complete=False)):
        out, d, _ = lock(desk, session=True)
        assert [c.action for c in out.commands] == ["flatten"] and d.action == "flatten"
    desk = synced(Desk())
    synced(desk, complete=False)                                  # market restarted since
    out, _, _ = lock(desk, session=True)
    assert [c.action for c in out.commands] == ["flatten"]


def test_already_locked_until_later_changes_nothing_and_says_so():
    desk = synced(Desk())
    lock(desk, until_ns=chi(2026, 11, 26, 15, 0))                 # until tomorrow 15:00
    out, d, answer = lock(desk, until_ns=desk.now + 30 * 60 * NS)   # then: 30 minutes
    assert out.commands == [] and out.lockouts == []
    assert d.action == "none" and d.lock is None and d.suppressed
    assert answer.startswith("already locked: the account stays locked until Thu 15:00 CST by "
                             "trader (self-lockout) since Wed 09:00:00 CST: later "
                             "than the Wed 09:30 CST asked for"), answer
    assert answer.endswith(f"Nothing changed and nothing was done ({NOTHING}); history keeps "
                           "the request."), answer
    assert "Recorded in history: a self-lockout" not in answer
    [row] = rows(HistoryReply(decisions=[d]), {})
    assert row[3] == NOTHING and row[6].startswith("not acted on: already locked"), row
    text = alert_text(d)
    assert "nothing sent: already locked" in text and "locked until" not in text, text
    [held] = desk.engine.lockouts.all(1001)
    assert held.until_ns == chi(2026, 11, 26, 15, 0)


def test_the_same_session_lockout_twice_says_already_locked_as_late():
    desk = synced(Desk())
    lock(desk, session=True)
    out, d, answer = lock(desk, session=True)
    assert out.commands == [] and out.lockouts == [] and d.suppressed
    assert answer.startswith("already locked: the account stays locked until Wed 17:00 CST"), answer
    assert "as late as the Wed 17:00 CST asked for" in answer


def test_a_longer_lockout_of_a_flat_account_extends_it_without_an_action():
    desk = synced(Desk())
    lock(desk, until_ns=desk.now + 3600 * NS)
    out, d, answer = lock(desk, until_ns=chi(2026, 11, 27, 9, 0))
    assert out.commands == [] and not d.suppressed
    assert [c.change for c in out.lockouts] == ["extended"]
    assert answer == f"locked until Fri 09:00 CST; only an admin can end it early; {NOTHING}"
