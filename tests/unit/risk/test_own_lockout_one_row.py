"""A trader's own lockout is one lockout whatever kinds the requests use (trial16g finding 4).

`riskctl lockout 1001 --session --reason "tilt test"`, then `--until 48h --reason longer`, listed
two "self-lockout" rows (the lockout book kept a timer and a lockout to the roll apart), each
with its own reason; `--session` after a timer likewise. docs/rules.md promises one lockout,
extended ("on tilt; extended: self-lockout by ana"). Now a longer request extends the one row:
its end and its kind become the longer request's, the reason it started with stays. A shorter
one changes nothing (services/risk/acting.py _as_own_lock, as before). A state file from before,
holding two such rows, loads as one lockout (the later end wins) that an admin's unlock --rule
self_lockout ends for good (nothing comes back at the next start).
Shipped rules (etc/riskd.toml, account 1001), through the engine the risk worker runs.
"""
from __future__ import annotations

import pytest

from services.risk.store import Store, _enc
from shared.lockwords import SELF_LOCKOUT
from shared.messages.market import AccountUpdate
from shared.messages.risk import TIMER, UNTIL_RESET, LockoutState
from tests.unit.risk.desk import NS, D, shipped_engine
from tests.unit.risk.engine_run import ACCOUNT, LOADED, WEDNESDAY

pytestmark = pytest.mark.timeout(30)
HOUR = 3600 * NS


def engine(now=WEDNESDAY, prefix="id"):
    e = shipped_engine(LOADED, now, prefix=prefix)
    e.on_event(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_000),
                             can_trade=True), now)
    return e


def lock(e, now, reason="", **asked):
    out, refusal = e.self_lock(ACCOUNT, now, reason=reason, **asked)
    assert refusal == "", refusal
    return out


def own(e):
    return [lk for lk in e.lockouts.all(ACCOUNT) if lk.rule == SELF_LOCKOUT]


def test_a_longer_request_after_session_extends_the_one_self_lockout():
    e, now = engine(), WEDNESDAY                    # Wed 10:00 CST; the roll at 17:00
    lock(e, now, session=True, reason="tilt test")
    lock(e, now + NS, until_ns=now + 30 * 60 * NS)  # shorter: nothing changes
    [first] = own(e)
    assert first.kind == UNTIL_RESET
    out = lock(e, now + 2 * NS, until_ns=now + 48 * HOUR, reason="longer")
    [row] = own(e)                                  # one row, extended
    assert row.id == first.id and row.kind == TIMER
    assert row.until_ns == now + 48 * HOUR
    assert row.reason == "tilt test; extended: longer", row.reason
    assert [c.change for c in out.lockouts] == ["extended"], out.lockouts


def test_session_after_a_shorter_timer_extends_it_to_the_roll():
    e, now = engine(), WEDNESDAY
    lock(e, now, until_ns=now + HOUR, reason="first")
    lock(e, now + NS, session=True)
    [row] = own(e)
    assert row.kind == UNTIL_RESET and row.until_ns == e.calendar.next_roll(now)
    assert row.reason == "first; extended: locked by the trader", row.reason


def test_a_state_file_with_two_self_lockout_rows_loads_as_one(tmp_path):
    e, now = engine(), WEDNESDAY
    roll = e.calendar.next_roll(now)
    old = [LockoutState(id="a1", account_id=ACCOUNT, kind=UNTIL_RESET, rule=SELF_LOCKOUT,
                        since_ns=now, until_ns=roll, reason="tilt test", by="trader"),
           LockoutState(id="a2", account_id=ACCOUNT, kind=TIMER, rule=SELF_LOCKOUT,
                        since_ns=now + NS, until_ns=now + 48 * HOUR, reason="longer",
                        by="trader")]
    store, _ = Store.open(str(tmp_path))
    for lk in old:                                  # as round 16's risk saved them
        store.db.execute("INSERT INTO lockouts VALUES (?, ?, ?, ?)",
                         (f"{ACCOUNT}||{lk.kind}||trader", lk.id, ACCOUNT,
                          _enc(lk)))
    store.close()
    later = now + 10 * NS
    again = shipped_engine(LOADED, later, prefix="b")
    store, _ = Store.open(str(tmp_path))
    store.load(again, later)
    [row] = own(again)
    assert row.until_ns == now + 48 * HOUR and row.kind == TIMER      # the later end wins
    assert row.since_ns == now and row.reason == "tilt test; extended: longer", row
    out, refusal = again.unlock(ACCOUNT, None, "admin:root", "test", later, rule=SELF_LOCKOUT)
    assert refusal == "" and len(out.lockouts) == 1, (refusal, out.lockouts)
    store.commit(out, again)
    store.close()
    third = shipped_engine(LOADED, later + NS, prefix="c")
    store, _ = Store.open(str(tmp_path))
    store.load(third, later + NS)
    store.close()
    assert own(third) == [], own(third)             # ended for good
