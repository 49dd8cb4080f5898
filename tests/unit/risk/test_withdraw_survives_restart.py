"""A withdraw risk decided survives a kill -9 of risk: the restarted risk re-sends the withdraw,
never the command (services/risk/store.py: the withdraws table, committed with the step before
anything of it is published, loaded back with the outbox).

Before: Engine.withdrawing lived in memory only. risk unlocked the account (or the lockout's
time ran out), decided to withdraw the flatten waiting in enforcement for the market, and was
killed before enforcement answered: the restarted risk reloaded the flatten from its outbox and
sent it again as a command, so it ran when the market opened.

Each risk process is an engine loaded from one store, every step committed as the worker does
(engine step, then commit); a "kill -9" is the next process opening the same file without the
first closing it. The rules are the shipped ones (etc/riskd.toml), nothing changed.
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.config.load import load_config
from shared.messages.enforce import WITHDRAWN, CommandResult
from shared.messages.market import POSITION_LONG, SIDE_BUY, AccountUpdate, Fill, PositionUpdate
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
LOADED = load_config(SHIPPED)
START = chi(2026, 12, 2, 10, 0)        # a Wednesday, in session


class Risk:
    """One risk process: an engine loaded from the store, each step committed."""

    def __init__(self, data_dir: str, now: int, name: str):
        self.now = now
        self.engine = shipped_engine(LOADED, now, prefix=name)
        self.store, _ = Store.open(data_dir)
        self.store.load(self.engine, now)

    def step(self, out: Outcome) -> Outcome:
        self.store.commit(out, self.engine)
        return out

    def on(self, event) -> Outcome:
        return self.step(self.engine.on_event(event, self.now))

    def wait(self, seconds: float) -> list[Outcome]:
        outs, end = [], self.now + int(seconds * NS)
        while self.now < end:
            self.now = min(end, self.now + NS // 10)
            outs.append(self.step(self.engine.tick(self.now)))
        return outs

    def result(self, cmd, status: str) -> Outcome:
        return self.step(self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status=status, attempts=1,
            finished_ns=self.now, action=cmd.action, rule=cmd.rule,
            waits_for="the market to open" if status == "accepted" else ""), self.now))

    def sent(self) -> list:
        """What the worker publishes now: the due commands, a withdrawn one as its withdraw."""
        return [self.engine.withdrawing.get(c.id) or c for c in self.engine.outbox.due(self.now)]


def waiting_flatten(tmp_path, lock_s: int):
    """Demo 1 long MNQ 1, the trader's lockout of lock_s; its flatten accepted, pending for
    the closed market."""
    risk = Risk(str(tmp_path), START, "a")
    risk.on(AccountUpdate(account_id=ACCOUNT, name="SIM-1001", balance=Decimal(50_000),
                          can_trade=True))
    risk.on(Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=risk.now,
                 price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1))
    risk.on(PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=risk.now,
                           type=POSITION_LONG, size=1, average_price=Decimal("21000")))
    out, why = risk.engine.self_lock(ACCOUNT, risk.now, until_ns=risk.now + lock_s * NS)
    assert not why
    risk.step(out)
    (flatten,) = out.commands
    assert risk.sent() == [flatten]
    risk.result(flatten, "accepted")
    return risk, flatten


def test_an_unlocks_withdraw_is_sent_again_after_a_kill_not_the_flatten(tmp_path):
    risk, flatten = waiting_flatten(tmp_path, 600)
    risk.wait(1)
    out, why = risk.engine.unlock(ACCOUNT, None, "admin:root", "trial", risk.now)
    assert not why
    risk.step(out)
    (w,) = out.withdraws
    # kill -9 here: the withdraw was committed, enforcement has not answered
    again = Risk(str(tmp_path), risk.now + 2 * NS, "b")
    assert again.engine.withdrawing == {flatten.id: w}
    assert again.sent() == [w]                  # the withdraw, not the flatten
    again.wait(3)
    assert again.sent() == [w]                  # overdue: the withdraw again
    again.result(flatten, WITHDRAWN)
    third = Risk(str(tmp_path), again.now + NS, "c")
    assert third.sent() == [] and third.engine.withdrawing == {}


def test_a_timer_that_ran_out_while_risk_was_down_withdraws_before_anything_is_sent(tmp_path):
    """Killed with the flatten waiting; the lockout's time ran out before risk came back: the
    start ends it (RiskWorker.setup: engine.end_due before the first send) and the outbox
    sends the withdraw; a second kill before enforcement answered changes nothing."""
    risk, flatten = waiting_flatten(tmp_path, 60)
    again = Risk(str(tmp_path), risk.now + 120 * NS, "b")
    out = again.step(_started(again))
    (w,) = out.withdraws
    assert (w.command_id, w.reason) == (flatten.id, "the lockout ended at its time")
    assert w.what == "flatten (MNQ long 1)"     # what it held: risk's book is not filled yet
    assert again.sent() == [w]
    third = Risk(str(tmp_path), again.now + NS, "c")
    assert third.sent() == [w]


def _started(risk: Risk) -> Outcome:
    out = Outcome()
    risk.engine.end_due(risk.now, out)
    return out


def rows(store: Store, table: str) -> int:
    return store.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_withdraw_whose_command_is_gone_leaves_no_row(tmp_path):
    """A withdraw lives as long as its command. Its step saved after the command's final
    result (the result's step committed first) wrote a row no result would ever delete: the
    table grew by one per such withdraw, and every start read it again. Now the step that
    saves it deletes it, and so does a start that finds one (an older risk's)."""
    risk, flatten = waiting_flatten(tmp_path, 600)
    for n in range(3):                  # three lockouts, each unlocked
        out, why = risk.engine.unlock(ACCOUNT, None, "admin:root", "trial", risk.now)
        assert not why
        (w,) = out.withdraws
        risk.result(flatten, WITHDRAWN)         # enforcement's answer is saved first
        risk.step(out)                          # then the withdraw's step
        assert rows(risk.store, "outbox") == 0
        assert rows(risk.store, "withdraws") == 0, f"round {n}"
        risk.wait(1)
        lock, why = risk.engine.self_lock(ACCOUNT, risk.now, until_ns=risk.now + 600 * NS)
        assert not why
        risk.step(lock)
        (flatten,) = lock.commands
        risk.sent()
        risk.result(flatten, "accepted")
    # a row an older risk left, its command long gone: deleted at the start
    risk.store.db.execute("INSERT INTO withdraws VALUES (?, ?)", ("gone.1", b"x"))
    again = Risk(str(tmp_path), risk.now + NS, "b")
    assert rows(again.store, "withdraws") == 0
    assert again.engine.withdrawing == {}
    assert [c.id for c in again.sent()] == [flatten.id]     # the last flatten, still waiting
