"""The executor on a fake broker (pure, FakeClock, no sleeping): rounds, pending, at most once."""
from __future__ import annotations

import re

from decimal import Decimal

import pytest

from services.enforcement.executor import FINAL, PENDING, Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.clock import FakeClock
from shared.messages.enforce import DONE, FAILED, SKIPPED, Command, found_nothing_to_do
from shared.projectx.errors import BrokerUnavailable, ProjectXError
from tests.unit.enforcement.fakebroker import (CANCEL, CLOSE, MODIFY, PARTIAL, POSITIONS, QUERY,
                                               SEARCH,
                                               FakeBroker, order)

A = 7
MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"


@pytest.fixture
def executor(journal, clock):
    slept = []

    def sleep(s):
        slept.append(s)
        clock.advance(s)
    ex = Executor(lambda _budget: FakeBroker(), journal, clock, Settings(settle=0), sleep=sleep)
    ex.slept = slept
    return ex


def busy_broker() -> FakeBroker:
    b = FakeBroker(A)
    b.positions = {MNQ: 2, ES: -1}
    b.orders = {o.id: o for o in (order(A, 1, MNQ), order(A, 2, ES), order(A, 3, ES, status=8))}
    return b


def run(executor, journal, broker, cmd: Command):
    entry, _new = journal.receive(cmd, 0)
    return executor.run(Job(entry, str(cmd.account_id)), broker)


def command(action: str = "flatten", cid: str = "d1.1", **kw) -> Command:
    return Command(id=cid, decision_id="d1", account_id=A, action=action, rule="r", **kw)


def test_a_flatten_closes_then_cancels_then_verifies(executor, journal):
    broker = busy_broker()
    out = run(executor, journal, broker, command())
    assert out.kind == FINAL and out.result.status == DONE
    assert "verified flat" in out.result.detail
    kinds = [e for e, _ in broker.trading()]
    assert kinds == [CLOSE, CLOSE, CANCEL, CANCEL, CANCEL]
    assert broker.log[-3:-1] == [(POSITIONS, None), (QUERY, None)]   # the verification reads
    assert broker.log[-1][0] == SEARCH      # then the orders the closes created
    assert journal.get("d1.1").final


def test_flattening_a_flat_account_is_a_no_op_success(executor, journal):
    broker = FakeBroker(A)
    out = run(executor, journal, broker, command())
    assert out.result.status == DONE and "already flat" in out.result.detail
    assert broker.trading() == []


def test_failing_closes_are_retried_in_rounds_until_flat(executor, journal):
    broker = busy_broker()
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 3, "HTTP 500")] * 2
    out = run(executor, journal, broker, command())
    assert out.result.status == DONE
    assert broker.positions == {MNQ: 0, ES: 0} and broker.orders == {}
    assert out.result.attempts == 2 and executor.slept == [0.25]


def test_an_action_that_keeps_failing_ends_failed_with_the_reason(executor, journal):
    broker = busy_broker()
    broker.fail[POSITIONS] = [BrokerUnavailable(POSITIONS, 3, "timed out")] * 10
    out = run(executor, journal, broker, command())
    assert out.result.status == FAILED
    assert "gave up after 4 rounds" in out.result.detail and "timed out" in out.result.detail
    assert len(out.result.errors) == 4 and executor.slept == [0.25, 0.5, 1.0]


def test_a_closed_market_keeps_the_command_pending_but_cancels_anyway(executor, journal):
    broker = busy_broker()
    broker.fail[CLOSE] = [ProjectXError(5, "", CLOSE)] * 2
    out = run(executor, journal, broker, command())
    assert out.kind == PENDING and out.result.status == "accepted"
    assert "waits for the market to open" in out.result.detail
    assert broker.orders == {}                               # cancels did not wait
    assert journal.get("d1.1").state == "pending"
    again = executor.run(Job(journal.get("d1.1")), broker)   # the market opened
    assert again.kind == FINAL and again.result.status == DONE


def test_account_rejected_is_a_loud_failure_without_retries(executor, journal):
    broker = busy_broker()
    broker.fail[CLOSE] = [ProjectXError(8, "account rejected", CLOSE)]
    out = run(executor, journal, broker, command())
    assert out.result.status == FAILED and out.cannot_enforce
    assert "riskd cannot enforce on account 7" in out.result.detail
    assert executor.slept == []


def test_alert_mode_only_reads(executor, journal):
    broker = busy_broker()
    out = run(executor, journal, broker, command(mode="alert"))
    assert out.result.status == SKIPPED
    assert out.result.detail == "alert mode: would have flattened account 7 (2 positions, 3 orders)"
    assert broker.trading() == []


def test_a_reduce_whose_answer_was_lost_is_not_repeated(executor, journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 5}
    broker.apply_then_fail.add(PARTIAL)                      # it works, the answer is lost
    broker.fail[PARTIAL] = [BrokerUnavailable(PARTIAL, 1, "connection failed")]
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=2))
    assert out.result.status == DONE, out.result.detail
    assert broker.positions == {MNQ: 3}                      # 5 - 2, not 5 - 2 - 2
    assert [e for e, _ in broker.trading()] == [PARTIAL]
    # riskd's cut did it, or the trader's own sell of 2 (they look the same): both are said
    # (services/enforcement/closedby.py), and the phone is told (not "nothing to do")
    assert re.fullmatch(r"MNQ on account 7 went from 5 contracts to 3: cut by a market sell of 2 "
                        r"at \S+ \S+ \S+ \(order 9000\): either this cut, whose answer was lost, "
                        r"carried out by the broker, or the trader's own sell; riskd cannot tell "
                        r"which; if that sell was the trader's, riskd's cut may still be "
                        r"carried out: until \S+ \(2 minutes after this result\) riskd takes "
                        r"a market order of exactly its contracts as that cut, and that sell as "
                        r"the trader's, and says so", out.result.detail), out.result.detail
    assert not found_nothing_to_do(out.result.status, out.result.first_answer_ns)


def test_a_reduce_left_running_by_a_killed_process_finishes_from_its_journaled_target(
        tmp_path, clock):
    path = str(tmp_path / "j.sqlite")
    old = Journal(path, clock.now_ns())
    old.receive(command("reduce_position", contract_id=ES, size=2), 0)
    old.start("d1.1", 1)
    old.save_progress("d1.1", {"target": 3, "observed": 5})
    del old                                                  # killed right after its call
    broker = FakeBroker(A)
    broker.positions = {ES: 3}                               # ... which had worked
    journal = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    [entry] = journal.unfinished()
    out = ex.run(Job(entry, recheck=True), broker)           # as enforcement resumes it
    assert out.result.status == DONE and "found so when enforcement resumed the reduce after " \
        "a restart" in out.result.detail, out.result.detail
    assert not found_nothing_to_do(out.result.status, out.result.first_answer_ns)
    assert broker.trading() == [] and broker.positions == {ES: 3}


def test_a_close_whose_answer_was_lost_is_not_sent_again(executor, journal, clock):
    """closeContract worked but its answer was lost: the next round re-reads the position
    and sends no second close (a close of a flat position is a call that ran twice)."""
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    broker.apply_then_fail.add(CLOSE)
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 1, "HTTP 500")]
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.result.status == DONE, out.result.detail
    assert [e for e, _ in broker.trading()] == [CLOSE]
    # riskd's close did it (round 6's trial: "was already flat", and no "✅ Done" on the phone);
    # its order cannot be told from the trader's own sell, so both are said (trial 20b
    # section 2: never credited to a call whose effect riskd did not see)
    assert out.result.detail.endswith(": either this close, whose answer was lost, carried "
                                      "out by the broker, or the trader's own sell; riskd "
                                      "cannot tell which"), out.result.detail
    assert out.result.detail.startswith("MNQ on account 7 is flat: closed by a market sell of "
                                        "2 at "), out.result.detail
    assert not found_nothing_to_do(out.result.status, out.result.first_answer_ns)


def test_a_close_riskd_timed_out_on_says_no_answer_within_the_timeout_not_lost(executor,
                                                                              journal, clock):
    """Trial18c section 6: a held close riskd gave up on after [broker] timeout (10 s), which the
    broker carried out later, read "closed, though the broker's answer to the close was lost":
    the broker did answer, after riskd stopped waiting. A timeout says so, with the client's
    timeout; a dropped connection is still "lost" (test above). Fails on main's code."""
    broker = FakeBroker(A, clock)
    broker.timeout = 10.0                                    # ProjectXRest's [broker] timeout
    broker.positions = {MNQ: 2}
    broker.apply_then_fail.add(CLOSE)
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 1, "timed out")]
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.result.status == DONE, out.result.detail
    assert out.result.detail.endswith(": either this close, which got no answer within 10s "
                                      "(timed out), carried out by the broker, or the trader's "
                                      "own sell; riskd cannot tell which"), out.result.detail
    # its first "answer" was the timeout: the latency words say so (shared/roundslatency.py)
    assert out.result.first_timed_out_s == 10.0
    assert journal.get("d1.1").state_view().first_timed_out_s == 10.0


def test_a_reduce_riskd_timed_out_on_says_no_answer_within_the_timeout(executor, journal, clock):
    """As the close above, for a reduce's cut (its own journal: a second fake broker would
    number its order as the close's, 9000, and the journal would name that close's)."""
    broker = FakeBroker(A, clock)
    broker.timeout = 10.0
    broker.positions = {MNQ: 5}
    broker.apply_then_fail.add(PARTIAL)
    broker.fail[PARTIAL] = [BrokerUnavailable(PARTIAL, 1, "timed out")]
    out = run(executor, journal, broker, command("reduce_position", "d2.1", contract_id=MNQ,
                                                 size=2))
    assert out.result.detail.startswith("MNQ on account 7 went from 5 contracts to 3: cut by a "
                                        "market sell of 2 at "), out.result.detail
    assert re.search(r": either this cut, which got no answer within 10s \(timed out\), "
                     r"carried out by the broker, or the trader's own sell; riskd cannot tell "
                     r"which; if that sell was the trader's, riskd's cut may still be carried "
                     r"out: until \S+ \(2 minutes after this result\) riskd takes a market "
                     r"order of exactly its contracts as that cut, and that sell as the "
                     r"trader's, and says so$", out.result.detail), out.result.detail


def test_a_close_left_running_by_a_killed_process_re_reads_before_closing(tmp_path, clock):
    path = str(tmp_path / "j.sqlite")
    old = Journal(path, clock.now_ns())
    old.receive(command("close_position", contract_id=ES), 0)
    old.start("d1.1", 1)
    del old                                                  # killed right after its close
    broker = FakeBroker(A)                                   # ... which had worked: ES is flat
    journal = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    [entry] = journal.unfinished()
    out = ex.run(Job(entry, recheck=True), broker)           # as enforcement resumes it
    assert out.result.status == DONE and out.result.detail == (
        "ES on account 7 is flat: found so when enforcement resumed the close after a "
        f"restart (the close sent before it, or the trader, closed it)")
    # the phone hears that the breach's action is done, not silence
    assert not found_nothing_to_do(out.result.status, out.result.first_answer_ns)
    assert broker.trading() == []


def test_a_fresh_close_is_sent_without_a_read_first(executor, journal):
    broker = FakeBroker(A)
    broker.positions = {MNQ: 2}
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.result.status == DONE, out.result.detail
    assert broker.log[0] == (CLOSE, MNQ)                     # speed: the close comes first


def test_a_single_order_cancel_and_a_missing_order_are_both_done(executor, journal):
    broker = busy_broker()
    out = run(executor, journal, broker, command("cancel_orders", order_id=2))
    assert out.result.status == DONE and 2 not in broker.orders
    out = run(executor, journal, broker, command("cancel_orders", cid="d2.1", order_id=2))
    assert out.result.status == DONE and "no longer working" in out.result.detail


def test_modify_stop_sets_the_price_and_a_gone_order_is_reported(executor, journal):
    broker = busy_broker()
    out = run(executor, journal, broker, command("modify_stop", order_id=1,
                                                 stop_price=Decimal("20990.25")))
    assert out.result.status == DONE and broker.trading() == [(MODIFY, (1, Decimal("20990.25")))]
    out = run(executor, journal, broker, command("modify_stop", cid="d2.1", order_id=99,
                                                 stop_price=Decimal("1")))
    assert out.result.status == DONE and "no longer working" in out.result.detail


def test_a_bad_command_fails_with_what_was_expected(executor, journal):
    out = run(executor, journal, FakeBroker(A), command("reduce_position", contract_id=MNQ))
    assert out.result.status == FAILED and "needs a contract_id and a size" in out.result.detail
    out = run(executor, journal, FakeBroker(A), command("teleport", cid="d2.1"))
    assert out.result.status == FAILED and "unknown action 'teleport'" in out.result.detail


def test_riskd_s_own_rate_budget_is_waited_for_not_counted_as_failed_rounds(executor, journal):
    """Calm chaos run finding: a lockout's cancel met riskd's own rate budget (used up for
    6.6 s) four times within 2 s of backoff, gave up, and paged the trader 'Enforcement
    FAILED: act now'. Waiting for the budget is not a failed round: the cancel goes out when
    the budget allows."""
    from shared.projectx.errors import RateBudgetExhausted
    broker = FakeBroker(A)
    broker.orders = {1: order(A, 1, MNQ)}
    broker.fail[CANCEL] = [RateBudgetExhausted(CANCEL, 6.6) for _ in range(6)]
    out = run(executor, journal, broker, command("cancel_orders", order_id=1))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert broker.orders == {} and out.result.attempts == 1
    assert sum(executor.slept) >= 6 * 6.6


def test_a_budget_that_never_frees_still_ends_in_a_failed_result(executor, journal):
    from shared.projectx.errors import RateBudgetExhausted
    broker = FakeBroker(A)
    broker.orders = {1: order(A, 1, MNQ)}
    broker.fail[CANCEL] = [RateBudgetExhausted(CANCEL, 30.0) for _ in range(100)]
    out = run(executor, journal, broker, command("cancel_orders", order_id=1))
    assert out.result.status == FAILED and "rate budget" in out.result.detail
    assert sum(executor.slept) < Settings().budget_wait_max + 10


def test_a_flatten_left_running_finds_the_account_flat_and_says_it_is_done_not_nothing(
        tmp_path, clock):
    """Killed mid-flatten: the resumed run finds the account flat. Its calls before the kill
    may have done it, so the phone hears it is done; one left before it ran (received, never
    running) found nothing to do (round 7: both read "was already flat", and neither was
    sent to the phone)."""
    path = str(tmp_path / "j.sqlite")
    old = Journal(path, clock.now_ns())
    old.receive(command("flatten"), 0)
    old.start("d1.1", 1)
    old.receive(command("flatten", cid="d2.1"), 0)            # received, never started
    del old
    broker = FakeBroker(A)                                   # flat by now
    journal = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    running, received = sorted(journal.unfinished(), key=lambda e: e.command.id)
    out = ex.run(Job(running, recheck=True), broker)
    assert out.result.detail.startswith("account 7 is flat: found so when enforcement resumed")
    assert not found_nothing_to_do(out.result.status, out.result.first_answer_ns)
    out = ex.run(Job(received, recheck=True), broker)
    assert out.result.detail == "account 7 was already flat"
    assert found_nothing_to_do(out.result.status, out.result.first_answer_ns)
    assert broker.trading() == []


def test_a_close_whose_verification_waits_for_the_rate_budget_is_not_sent_again(
        executor, journal):
    """Chaos run 2026-12-06 (01:10:43-54, command a8aa0925...): a lockout's closeContract
    worked, then its verifying position read found riskd's own rate budget used up (429s to
    other reads had paused it) and raised RateBudgetExhausted. The executor waited for the
    budget and ran the action again as a fresh command, without a read: a second
    closeContract on the flat position (the sim refused it: PositionNotFound), "closed
    (1 attempt(s), 5 broker call(s))". The run after a budget wait re-reads first."""
    from shared.projectx.errors import RateBudgetExhausted
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    broker.fail[POSITIONS] = [RateBudgetExhausted(POSITIONS, 0.55)]    # the verifying read
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.result.status == DONE and out.result.attempts == 1, out.result.detail
    assert executor.slept == [pytest.approx(0.6)]                      # waited for the budget
    assert broker.trading() == [(CLOSE, MNQ)]                          # one close, not two
    assert out.result.detail == "MNQ on account 7 closed"


def test_a_reduce_down_to_nothing_says_closed_not_reduced_to_0(executor, journal):
    """Fresh-user trial 2026-12-06: a position opened while locked read "reduced ... from 1 to
    0 contracts"; it was closed."""
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=1))
    assert out.result.status == DONE, out.result.detail
    assert not broker.positions.get(MNQ)
    assert out.result.detail == "closed MNQ on account 7 (1 contract)", out.result.detail


def test_a_result_names_the_contract_by_its_ticker_as_the_screens_do(executor, journal):
    """Fresh-user trial 2026-12-06: LAST ACTIONS and history read "reduced CON.F.US.MNQ.Z26 on
    ..." where every screen says MNQ (shared/symbols.py); ES's exchange root EP reads ES."""
    broker = FakeBroker(A)
    broker.positions = {MNQ: 5, ES: 3}
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=2))
    assert out.result.detail == "reduced MNQ on account 7 from 5 contracts to 3", out.result.detail
    out = run(executor, journal, broker, command("reduce_position", "d1.2", contract_id=ES,
                                                 size=3))
    assert out.result.detail == "closed ES on account 7 (3 contracts)", out.result.detail
    assert "CON." not in journal.get("d1.1").result().detail


def test_a_reduce_cuts_down_to_its_target_whatever_size_it_reads(executor, journal):
    """Trial 2026-12-06 (Demo 2, max_contracts 2): a lockout's cut of two buys stood behind a
    rule's reduce of 1 in flight; enforcement read the position after the buys and cut 1 (5 to
    4), and 4 stayed held against 2. A reduce carries the size risk wants the position at: it
    cuts the growth too, and a position the trader cut already is not cut again."""
    broker = FakeBroker(A)
    broker.positions = {MNQ: 8}                     # risk decided at 6: reduce 1, to 5
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=1,
                                                 target=5))
    assert out.result.status == DONE, out.result.detail
    assert broker.positions[MNQ] == 5
    # risk asked 1; the 2 bought meanwhile went too, and the words say so (trial13a)
    assert out.result.detail == ("reduced MNQ on account 7 to 5 contracts: closed 3, 2 more "
                                 "than asked (bought while the cut was on its way)"), \
        out.result.detail
    broker.positions = {MNQ: 4}                     # the trader sold before it ran: at its target
    out = run(executor, journal, broker, command("reduce_position", "d1.2", contract_id=MNQ,
                                                 size=2, target=4))
    assert out.result.status == DONE and broker.positions[MNQ] == 4, out.result.detail
    assert not broker.trading()[1:], broker.trading()
