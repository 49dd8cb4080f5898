"""A close that took more than risk knew held when it decided says how many it closed, and that
the rest were bought after that; its stored result (history, LAST ACTIONS, a duplicate's answer)
says the same, and carries when risk issued it (the "✅ Done" of one that came late says how
late: tests/unit/notify/test_done_says_how_late.py).

Fresh-user trial19b finding 8: daily_unrealized_loss's close of MNQ long 1 was held at the
broker; the trader bought 1 more 6 s later; riskd's second round closed both. The "✅ Done"
read "MNQ on account Demo 1 (id 1001) closed" and history "... done after 10s): MNQ closed":
neither said that 2 contracts were closed, 1 of them bought after the breach. Counted from the
orders the command's closes created on the closing side (services/enforcement/closeorders.py),
against Command.held (risk's position when it decided). On the fake broker with a FakeClock:
its closes are carried out as market orders of the broker's, found by Order/search."""
from __future__ import annotations

import attrs

from services.enforcement.executor import FINAL, Executor, Settings
from shared.messages.enforce import DONE
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker
from tests.unit.enforcement.test_executor import A, MNQ, command, run

NS = 1_000_000_000
MORE = "; 2 contracts closed, 1 more than held when riskd decided (bought after it)"


def executor(journal, clock):
    return Executor(lambda _budget: FakeBroker(), journal, clock, Settings(settle=0),
                    sleep=clock.advance)


class HeldOnce(FakeBroker):
    """Its first closeContract times out unapplied (held at the broker, never carried out);
    meanwhile the trader trades `traded` (a market order of the trader's, in that call's
    window): +1 buys 1 more, -2 sells 2 (long 1 reversed to short 1)."""
    traded = 1

    def close_contract(self, account_id, contract_id):
        if not any(c[0] == CLOSE for c in self.log):
            self._enter(CLOSE, contract_id)
            self.positions[contract_id] += self.traded
            self._made(contract_id, -self.traded, abs(self.traded))     # the trader's order
            raise BrokerUnavailable(CLOSE, 3, "timeout")
        super().close_contract(account_id, contract_id)


def test_a_close_that_found_more_than_at_the_decision_says_how_many(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}                 # risk decided on long 1; 1 bought since
    out = run(executor(journal, clock), journal, broker,
              command("close_position", contract_id=MNQ, held=1, issued_ns=clock.now_ns()))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert out.result.detail == f"MNQ on account 7 closed{MORE}"
    assert journal.get("d1.1").result().detail == out.result.detail


def test_the_trial_a_held_round_then_both_closed(journal, clock):
    broker = HeldOnce(A, clock)
    broker.positions = {MNQ: 1}
    issued = clock.now_ns()
    out = run(executor(journal, clock), journal, broker,
              command("close_position", contract_id=MNQ, held=1, issued_ns=issued))
    assert out.result.status == DONE and out.result.attempts == 2, out.result
    assert broker.positions[MNQ] == 0
    assert out.result.detail.endswith(MORE), out.result.detail
    assert out.result.issued_ns == issued
    assert journal.get("d1.1").result().issued_ns == issued


def test_a_close_of_what_was_held_says_no_count(journal, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: -2}                # short 2, as risk knew it
    out = run(executor(journal, clock), journal, broker,
              command("close_position", contract_id=MNQ, held=-2))
    assert out.result.detail == "MNQ on account 7 closed", out.result.detail
    # a command of a sender before Command.held (0: not known) says none either
    broker.positions = {MNQ: 3}
    out = run(executor(journal, clock), journal, broker,
              attrs.evolve(command("close_position", cid="d2.1", contract_id=MNQ)))
    assert out.result.detail == "MNQ on account 7 closed", out.result.detail


def test_a_reversal_during_the_held_close_is_not_counted_as_a_close(journal, clock):
    """The trader sold 2 against long 1 while the close was held (short 1), and riskd's next
    round bought 1 back: the trader's sell of 2 is a market order on the closing side in the
    call's window, and was never riskd's close of 2."""
    broker = HeldOnce(A, clock)
    broker.traded = -2
    broker.positions = {MNQ: 1}
    out = run(executor(journal, clock), journal, broker,
              command("close_position", contract_id=MNQ, held=1, issued_ns=clock.now_ns()))
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    # what the next round closed is said (trial20c finding 3), never a count of 2 closed
    assert out.result.detail == ("MNQ on account 7 closed short 1 (the position reversed since "
                                 "riskd decided on long 1)"), out.result.detail
