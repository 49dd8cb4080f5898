"""riskd's expected exits are stored one row per exit: a breach's commit writes what its step
changed, not every exit of the last 15 s (the headline bench: a locked trader's 500 breaches
in 6 s made the JSON of all of them 0.7 ms of each breach's commit by the end), and what is
read back after a restart is what was expected before it."""
from __future__ import annotations

import json
import sqlite3

from services.risk.exits import SIDE_SELL, RiskdExits
from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.messages.market import Fill
from tests.unit.risk.desk import ACCOUNT, MNQ, D, Desk

NS = 1_000_000_000


def closes(desk: Desk, n: int, first: int = 0) -> None:
    """n closes of a long 1 MNQ, as a locked trader's buys make them (one exit each)."""
    for i in range(first, first + n):
        desk.account.riskd.expect(MNQ, 1, None, f"close-{i}.1", desk.now + i)


def commit_exits(store: Store, desk: Desk) -> list[str]:
    """Commit a step that changed the account's exits; the SQL it ran, values written in."""
    ran: list[str] = []
    store.db.set_trace_callback(ran.append)
    store.commit(Outcome(exits={ACCOUNT}), desk.engine)
    store.db.set_trace_callback(None)
    return ran


def test_a_breach_commit_writes_its_own_exit_not_every_earlier_one(tmp_path):
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    closes(desk, 200)
    commit_exits(store, desk)
    closes(desk, 1, first=200)                       # the next breach: one new close
    ran = "\n".join(commit_exits(store, desk))
    # close-200's row, and close-199's, whose contract it takes over (a row names the command
    # it took contracts from too: Exit.also_by; the rows written are those of its command)
    assert '"command_id": "close-200.1"' in ran and '"command_id": "close-199.1"' in ran
    assert not [i for i in range(199) if f'"command_id": "close-{i}.1"' in ran]
    store.close()


def test_exits_used_up_settled_and_forgotten_read_back_after_a_restart(tmp_path):
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    closes(desk, 3)
    commit_exits(store, desk)
    riskd = desk.account.riskd
    riskd.settle("close-0.1", desk.now + 5, closed=True)           # done
    fill = Fill(account_id=ACCOUNT, trade_id=9, contract_id=MNQ, ts_ns=desk.now, price=D(21000),
                pnl=None, fees=D(0), side=SIDE_SELL, size=1)
    assert riskd.claim_fill(fill, desk.now + 6)                    # one contract used up
    riskd.expected[1].issued_ns -= 700 * NS                        # too old: forgotten
    riskd.changed[riskd.expected[1].n] = riskd.expected[1]
    assert riskd.prune(desk.now + 7)
    commit_exits(store, desk)
    store.close()
    later = Desk()
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    again = later.account.riskd
    assert again.expected == riskd.expected and [e.n for e in again.expected] == [1, 3]
    closes(later, 1, first=3)                                      # numbered after the last
    assert again.expected[-1].n == 4
    store.close()


def test_a_store_of_an_earlier_version_keeps_its_exits(tmp_path):
    """Earlier versions kept one JSON array per account (riskd_exits): moved into rows."""
    desk = Desk()
    closes(desk, 2)
    store, _ = Store.open(str(tmp_path))
    store.close()
    db = sqlite3.connect(str(tmp_path / "risk.sqlite"))
    db.execute("INSERT INTO riskd_exits VALUES (?, ?)",
               (ACCOUNT, json.dumps(desk.account.riskd.dump())))
    db.execute("INSERT INTO riskd_orders VALUES (?, ?)", (ACCOUNT, 77))
    db.commit()
    db.close()
    later = Desk()
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert later.account.riskd.expected == desk.account.riskd.expected
    assert later.account.riskd.orders == {77}
    assert store.db.execute("SELECT COUNT(*) FROM riskd_exits").fetchone() == (0,)
    store.close()


def test_after_a_rolled_back_commit_every_exit_is_written_again(tmp_path):
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    closes(desk, 2)
    desk.account.riskd.take_changes()                # taken by a commit that failed
    store._forget()                                  # what its rollback does
    commit_exits(store, desk)
    store.close()
    later = Desk()
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert later.account.riskd.expected == desk.account.riskd.expected
    store.close()


def test_exits_numbered_as_added():
    riskd = RiskdExits()
    riskd.expect(MNQ, 2, None, "a.1", 1)
    riskd.note("b.1", 2)
    assert [e.n for e in riskd.expected] == [1, 2]
    assert set(riskd.take_changes()) == {1, 2} and riskd.take_changes() == {}


def test_a_top_ups_size_to_cut_down_to_is_read_back_after_a_restart(tmp_path):
    """A top-up (growth a reduce in flight cuts too) keeps the size that reduce cuts down to:
    forgotten unmet after a restart, the lockout still knows where to cut."""
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    riskd = desk.account.riskd
    riskd.expect(MNQ, 4, 1, "cut-0.1", desk.now)
    assert riskd.top_up(MNQ, 5, 3, "cut-0.1", desk.now)
    assert not riskd.top_up(MNQ, 5, 3, "cut-0.1", desk.now)      # asked again: nothing more
    commit_exits(store, desk)
    store.close()
    later = Desk()
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert [(e.size, e.down_to) for e in later.account.riskd.expected] == [(1, None), (1, 3)]
    store.close()
