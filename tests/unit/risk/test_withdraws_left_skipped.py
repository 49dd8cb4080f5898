"""A breach's result finishes its command, and the store deleted the withdraws whose command had
left the outbox (a DELETE that scans the outbox) at each such commit, though a withdraw is rare:
now only while the withdraws table may hold a row (services/risk/store.py _withdraws_held).
What is kept stays as before: a withdraw lives as long as its command (DESIGN.md, state: in the
step's transaction, before publishing; test_withdraw_survives_restart covers the kill -9)."""
from __future__ import annotations

from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.messages.enforce import Command, WithdrawCommand
from tests.unit.risk.desk import ACCOUNT, Desk


def cmd(n: int) -> Command:
    return Command(id=f"c{n}", decision_id=f"d{n}", account_id=ACCOUNT, action="flatten")


def run(store: Store, desk: Desk, out: Outcome) -> list[str]:
    ran: list[str] = []
    store.db.set_trace_callback(ran.append)
    store.commit(out, desk.engine)
    store.db.set_trace_callback(None)
    return ran


def withdraws(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT id FROM withdraws ORDER BY id")]


def scans(ran: list[str]) -> int:
    return sum("DELETE FROM withdraws" in s for s in ran)


def test_a_finished_command_with_no_withdraw_held_scans_nothing(tmp_path):
    """Fails on the old code (every finished command ran the DELETE)."""
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    run(store, desk, Outcome(commands=[cmd(1), cmd(2)]))
    assert scans(run(store, desk, Outcome(finished=["c1"]))) == 1     # not known yet: looked
    assert scans(run(store, desk, Outcome(finished=["c2"]))) == 0     # known empty
    store.close()


def test_a_withdraw_lives_as_long_as_its_command_and_a_rollback_looks_again(tmp_path):
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    run(store, desk, Outcome(commands=[cmd(1), cmd(2), cmd(3)], finished=["c3"]))
    run(store, desk, Outcome(withdraws=[WithdrawCommand(command_id="c1", account_id=ACCOUNT,
                                                        reason="the lockout ended")]))
    assert withdraws(store) == ["c1"]
    run(store, desk, Outcome(finished=["c2"]))
    assert withdraws(store) == ["c1"]                        # its command still waits
    run(store, desk, Outcome(finished=["c1"]))
    assert withdraws(store) == []
    # a withdraw whose command left before the withdraw's step was saved: not kept
    run(store, desk, Outcome(withdraws=[WithdrawCommand(command_id="c9", account_id=ACCOUNT,
                                                        reason="the lockout ended")]))
    assert withdraws(store) == []
    # a row the store did not write in this process (a rolled back step's view of it): looked
    store.db.execute("INSERT INTO withdraws VALUES ('c8', x'00')")
    store._forget()                                          # what a rollback does
    run(store, desk, Outcome(finished=["c7"]))
    assert withdraws(store) == []
    store.close()
