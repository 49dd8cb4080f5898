"""notify's memory of lockout enforcement's cuts of contracts bought while locked outlives a
notify restart (ops15: after `riskctl restart notify` between risk's decisions and
enforcement's result, the "✅ Done" lost "4 of the 6 closed were bought while locked (lockout
enforcement)", which history still said).

trial13a's burst, risk's own engine on the shipped rules (tests/unit/risk/
test_bought_while_locked_in_a_reduce.py, as tests/unit/cli/test_bought_while_locked_screens.py
tells it): notify takes risk's decisions (NotifyWorker._take on the worker's own memory, its
file notify.sqlite in a tmp data folder); then notify restarts: a new worker opens the same
file, and only then enforcement's result of the reduce arrives. Its Done says what history
says. A second story: lockout enforcement's own cut (its Done counts all it closed), and the
memory's bounds."""
from __future__ import annotations

from types import SimpleNamespace

from services.notify.app import NotifyWorker
from services.notify.donehold import DoneHold
from services.notify.lockedbuys import KEEP_NS, LockedBuys
from services.notify.outbox import Outbox
from services.notify.templates import Context, result_alert
from shared.clock import FakeClock
from shared.messages.enforce import CommandResult
from shared.messages.risk import CLOSE_POSITION, Decision
from shared.outcomewords import LOCKOUT_RULE
from tests.unit.cli.test_bought_while_locked_screens import DETAIL, WORDS, _story


def notify(path: str, now_ns: int) -> SimpleNamespace:
    """A notify worker as far as taking risk's decisions and making a Done goes, on its file
    (what NotifyWorker.setup makes of it: a started notify reads its memory back)."""
    return SimpleNamespace(
        locked_buys=LockedBuys(Outbox(path)), done_hold=DoneHold(),
        _locks={}, _waited={}, _claimed={}, _fills={}, _market_waited={}, _accepted={},
        clock=FakeClock(now_ns),
        outbox=SimpleNamespace(decided=lambda _i: False, hold=lambda _f: 1,
                               mark_decided=lambda *_a: None),
        _hold=lambda msg, row: None, ctx_t=Context(accounts={1001: "Demo 1"}),
        running=SimpleNamespace(down_since=lambda _n: None))


def test_the_done_after_a_notify_restart_still_says_the_buys_made_while_locked(tmp_path):
    r, first, decisions, done = _story()
    path = str(tmp_path / "data" / "notify.sqlite")
    before = notify(path, r.now)
    for d in decisions:                        # notify hears risk's decisions first
        NotifyWorker._take(before, d)
    before.locked_buys.outbox.close()          # `riskctl restart notify`
    after = notify(path, r.now)
    alert = result_alert(done, NotifyWorker._ctx(after))
    assert alert.title == "✅ Done on Demo 1 (id 1001)"
    assert alert.lines == (f"reduce by rule max_contracts: {DETAIL}; {WORDS}",), alert.lines


def lock_cut(n: int, size: int = 2) -> Decision:
    return Decision(id=f"d{n}", account_id=1001, rule=LOCKOUT_RULE, action=CLOSE_POSITION,
                    size=size, ts_ns=1)


def test_lockout_enforcements_own_cut_is_remembered_across_a_restart_and_kept_bounded(tmp_path):
    path = str(tmp_path / "notify.sqlite")
    first = LockedBuys(Outbox(path), max_commands=3)
    for n in range(5):
        first.heard(lock_cut(n, size=n + 1), now_ns=10 + n)
    kept = first.own_cuts()
    assert len(kept) == 3 and list(kept.values()) == [3, 4, 5], kept
    again = LockedBuys(Outbox(path), max_commands=3)      # read back as it was, oldest gone
    assert again.own_cuts() == kept
    done = CommandResult(command_id=list(kept)[-1], account_id=1001, status="done",
                         first_answer_ns=20, finished_ns=20, broker_calls=1,
                         detail="reduced MNQ on account 1001 to 0 contracts: closed 6, 1 more "
                                "than asked (bought while the cut was on its way)")
    [line] = result_alert(done, Context(accounts={1001: "Demo 1"},
                                        own_cuts=again.own_cuts())).lines
    assert line.endswith("; 5 of the 6 closed were bought while locked (lockout "
                         "enforcement)"), line
    # what is older than KEEP_NS goes with the next one heard (d4.1 at 14 stays, just)
    again.heard(lock_cut(9), now_ns=14 + KEEP_NS)
    assert list(LockedBuys(Outbox(path)).own_cuts()) == ["d4.1", "d9.1"]
