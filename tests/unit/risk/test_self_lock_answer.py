"""The answer to a self-lockout says until when the account really stays locked (second trial,
finding 3: a lockout shorter than one in force answered "locked" as if it took effect)."""
from __future__ import annotations

from services.risk.words import self_lock_answer
from shared.lockwords import SELF_LOCKOUT as SELF_LOCK
from shared.messages.risk import MANUAL, UNTIL_RESET, LockSpec
from tests.unit.risk.desk import CHI, NS, Desk, chi


def answer(desk, until_ns=None, session=False):
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=until_ns, session=session)
    assert refusal == ""
    [d] = [d for d in out.decisions if d.rule == SELF_LOCK]
    return self_lock_answer(d, desk.engine.lockouts.all(1001),       # as risk answers it
                            desk.engine.calendar.next_roll(desk.now), CHI, desk.now,
                            None if session else until_ns)


def test_a_lockout_that_takes_effect_says_until_when():
    desk = Desk()                                                   # Wed 25 Nov, 09:00 Chicago
    text = answer(desk, until_ns=desk.now + 2 * 3600 * NS)
    assert text == ("locked until Wed 11:00 CST; only an admin can end it early; flatten sent: "
                    "close 0 positions, cancel 0 orders; riskctl history shows when it is done")


def test_a_shorter_self_lockout_says_the_longer_one_stays_and_what_was_recorded():
    desk = Desk()
    answer(desk, until_ns=chi(2026, 11, 26, 15, 0))                 # until tomorrow 15:00
    text = answer(desk, until_ns=desk.now + 30 * 60 * NS)           # then: 30 minutes
    assert text.startswith("already locked: the account stays locked until Thu 15:00 CST by "
                           "trader (self-lockout) since Wed 09:00:00 CST: later than "
                           "the Wed 09:30 CST asked for, and a lockout is never shortened."), text
    # no lockout of its own (the longer one holds): nothing changed; its flatten is the first
    # one's, still on its way
    assert text.endswith("Nothing changed and nothing was done (flatten not sent: already in "
                         "flight, by decision id1 (self_lockout)); history keeps the request."), \
        text
    assert "locked until 09:30" not in text
    [lock] = desk.engine.lockouts.all(1001)                         # and it really stays
    assert lock.until_ns == chi(2026, 11, 26, 15, 0)


def test_a_rule_lockout_until_the_roll_outlasts_a_short_self_lockout():
    desk = Desk()
    desk.engine.lockouts.add(1001, LockSpec(kind=UNTIL_RESET), "daily_realized_loss",
                             "realized -512.50 <= -500.00", desk.now)
    text = answer(desk, until_ns=desk.now + 3600 * NS)
    assert text.startswith("already locked: the account stays locked until Wed 17:00 CST by rule "
                           "daily_realized_loss (until the roll) since Wed 09:00:00 CST"), text


def test_a_lockout_only_an_admin_ends_outlasts_any_end():
    desk = Desk()
    desk.engine.lockouts.add(1001, LockSpec(kind=MANUAL), "auth_loss_guard", "canTrade", desk.now)
    text = answer(desk, session=True)
    assert "stays locked until an admin unlocks it by rule auth_loss_guard" in text
    assert "later than the Wed 17:00 CST asked for" in text


def test_a_longer_self_lockout_extends_and_says_so_plainly():
    desk = Desk()
    answer(desk, until_ns=desk.now + 3600 * NS)
    text = answer(desk, until_ns=chi(2026, 11, 27, 9, 0))
    assert text.startswith("locked until Fri 09:00 CST; only an admin can end it early")


def test_a_30m_lockout_answers_its_real_end_with_seconds():
    """User trial finding 1: '--until 30m' answered 'locked until 22:21 CST' for 22:21:44; a
    trader at 22:21:10 would be flattened. The end is never shown earlier than it is."""
    desk = Desk()
    text = answer(desk, until_ns=desk.now + (30 * 60 + 44) * NS + NS // 2)
    assert text.startswith("locked until Wed 09:30:45 CST;"), text
