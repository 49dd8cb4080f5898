"""Enforcement's result names the broker orders its closes created (CommandResult.close_orders),
found by one Order/search after the closes, so risk knows riskd's fills by their order id
whatever their timing (RULES.md "Whose trade it is"; services/enforcement/closeorders.py):
a close answered done, a close whose answer was lost, and a command resumed after its process
ended (it may have closed before the crash; it closes a later buy now). A trader's market
order made before riskd's call is not one of them; a search that fails leaves the list
unknown (orders_known False: risk decides by its expected exits)."""
from __future__ import annotations

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE, CloseOrder, Command
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import CLOSE, PARTIAL, SEARCH, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
SELL, BUY = 1, 0


def executor(journal, clock, broker) -> Executor:
    return Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                    sleep=lambda s: clock.advance(s))


def close(cid: str = "d1.1") -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="close_position", rule="lockout", contract_id=MNQ)


def run(journal, clock, broker, cmd):
    entry, _new = journal.receive(cmd, 0)
    return executor(journal, clock, broker).run(Job(entry, str(A)), broker)


def test_a_close_answered_done_names_the_order_it_created(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    clock.advance(5)
    broker._made(MNQ, -1, 1)              # the trader's own buy, seconds before the breach
    clock.advance(5)
    out = run(journal, clock, broker, close())
    assert out.result.status == DONE, out.result
    # found in the window of the call answered done: that call's own (never an earlier
    # close carried out late: services/risk/exits.py late_before)
    mine = CloseOrder(order_id=broker.made[-1].id, contract_id=MNQ, side=SELL, size=2,
                      answered=True)
    assert out.result.close_orders == [mine] and out.result.orders_known, out.result
    # the stored result (what a duplicate command is answered with) says the same, answered
    # too
    stored = journal.get("d1.1").result()
    assert stored.close_orders == [mine] and stored.orders_known
    assert [e for e, _ in broker.log].count(SEARCH) == 1      # one read, after the close
    assert broker.log[0][0] == CLOSE                          # nothing before the close


def test_a_reduce_names_the_partial_close_s_order(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 5}
    cmd = Command(id="d2.1", decision_id="d2", account_id=A, action="reduce_position",
                  rule="max_contracts", contract_id=MNQ, size=2, target=3)
    out = run(journal, clock, broker, cmd)
    assert out.result.status == DONE and broker.positions[MNQ] == 3, out.result
    assert [(o.side, o.size) for o in out.result.close_orders] == [(SELL, 2)]
    assert out.result.orders_known
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]


def test_a_close_whose_answer_was_lost_still_names_its_order(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    broker.apply_then_fail.add(CLOSE)            # carried out; the answer never came
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 3, "timeout")]
    out = run(journal, clock, broker, close())
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    assert [(o.side, o.size) for o in out.result.close_orders] == [(SELL, 2)], out.result
    # found only in the lost call's window (it runs to the search): not an answered call's
    assert [o.answered for o in out.result.close_orders] == [False]


def test_a_command_resumed_after_a_crash_names_the_orders_of_both_processes(tmp_path, clock):
    """Its first process closed long 2 and was killed before its result; the trader bought 1;
    the next process resumes it, finds the buy and closes it: both sells are riskd's."""
    path = str(tmp_path / "j.sqlite")
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    first = Journal(path, clock.now_ns())
    first.receive(close(), clock.now_ns())
    first.start("d1.1", clock.now_ns())           # running: the crash comes after the close
    clock.advance(0.01)
    broker.close_contract(A, MNQ)                  # the first process's close, carried out
    first.close()
    clock.advance(2)
    broker._made(MNQ, -1, 1)                       # the trader's buy while locked
    broker.positions = {MNQ: 1}
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    entry = second.get("d1.1")
    out = executor(second, clock, broker).run(Job(entry, str(A), recheck=True), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    sells = [o for o in out.result.close_orders if o.side == SELL]
    assert [o.size for o in sells] == [2, 1], out.result.close_orders
    # the trader's buy was created in the resumed command's window: it is listed too, and
    # risk keeps only the orders on the side its command closes
    assert [o.side for o in out.result.close_orders] == [SELL, BUY, SELL]
    second.close()


def test_a_failed_search_leaves_the_orders_unknown(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    broker.fail[SEARCH] = [BrokerUnavailable(SEARCH, 3, "busy", 503)]
    out = run(journal, clock, broker, close())
    assert out.result.status == DONE, out.result
    assert out.result.close_orders == [] and not out.result.orders_known


def test_a_close_that_found_nothing_to_close_created_no_order(journal, clock):
    broker = FakeBroker(A, clock)
    out = run(journal, clock, broker, close())
    assert out.result.status == DONE and "already flat" in out.result.detail, out.result
    assert out.result.close_orders == [] and out.result.orders_known
    assert SEARCH not in [e for e, _ in broker.log]


def test_a_traders_order_half_a_second_before_the_close_is_not_named(journal, clock):
    """The close's own order is created during the call; a market order of the trader's half
    a second before it is within the clock skew allowed, and left out all the same."""
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    broker._made(MNQ, 1, 1)                  # the trader's own sell, 0.5 s before the breach
    clock.advance(0.5)
    out = run(journal, clock, broker, close())
    assert [o.order_id for o in out.result.close_orders] == [broker.made[-1].id], out.result
