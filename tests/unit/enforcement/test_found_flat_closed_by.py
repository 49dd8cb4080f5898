"""A close whose call timed out and that then finds the contract flat says what closed it (fresh-
user trial 20b section 2, 5 of 5).

The sim held riskd's closeContract; the client gave up after its 10 s [broker] timeout; while
the call was held, something else closed MNQ: daily_net_loss's flatten, the admin's `riskctl
flatten`, or the trader's own reversing sell. The held call was refused later ("no open
position"), yet the rule's history line and its Done read "MNQ is flat: closed, though the close
got no answer within 10s (timed out)": riskd credited its own call with a close it never made.
The broker's orders say which order closed it (services/enforcement/closedby.py); the held call
is credited only when the order can be its, and then as "either ... or the trader's own".
A sell larger than the long reversed it (trial20c findings 2 and 3): the words name what closed
the other side, the flatten or riskd's own next round ("closed short 2 (the position reversed
since riskd decided on long 1)"), never the reversing sell as what made it flat.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from services.enforcement.executor import HANDOVER, Executor, Job, Settings
from shared.clock import from_ns
from shared.messages.enforce import DONE, Command, CommandResult
from shared.projectx.errors import BrokerUnavailable, ProjectXError
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
TIMED_OUT = "this close got no answer within 10s (timed out)"


class HeldOnce(FakeBroker):
    """The first closeContract is held at the broker (the sim's `hold`): the client gives up
    after its timeout and the call is not carried out (it is refused later: no position)."""

    def __init__(self, clock):
        super().__init__(A, clock)
        self.timeout = 10.0
        self.held = 0

    def close_contract(self, account_id, contract_id):
        if self.held:
            return super().close_contract(account_id, contract_id)
        self._enter(CLOSE, contract_id)
        self.held += 1
        self.clock.advance(self.timeout)
        raise BrokerUnavailable(CLOSE, 1, "timed out")

    def trader(self, side: int, size: int) -> Order:
        """The trader's own market order, filled now."""
        o = Order(id=9100 + len(self.made), account_id=A, contract_id=MNQ,
                  created_ns=self.clock.now_ns(), updated_ns=0, status=2, type=2, side=side,
                  size=size)
        self.made.append(o)
        return o


def held_then(broker, cmd: Command, clock, journal, meanwhile):
    """riskd's `cmd` (its call held at `broker`) times out and hands its lane over;
    meanwhile(broker, run) happens; the command comes back, re-reads and ends: its result
    (test_reduce_cut_by's reduce too)."""
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance,
                  pause=lambda _cmd, _s: True)              # another command waits in the lane
    entry, _new = journal.receive(cmd, clock.now_ns())
    out = ex.run(Job(entry, str(A)), broker)
    assert out.kind == HANDOVER, out

    def run(command):
        e, _ = journal.receive(command, clock.now_ns())
        return ex.run(Job(e, str(A)), broker).result
    clock.advance(2)
    meanwhile(broker, run)
    clock.advance(2)
    res = ex.run(out.again, broker).result
    assert res.status == DONE, res
    return res


def close_then(tmp_path, clock, journal, meanwhile, held=1):
    """riskd's close of MNQ long `held` times out and hands its lane over; meanwhile(broker,
    run) happens; the close comes back, re-reads and ends: its result."""
    broker = HeldOnce(clock)
    broker.positions = {MNQ: held}
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="daily_unrealized_loss", contract_id=MNQ, held=held,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns())
    return held_then(broker, cmd, clock, journal, meanwhile)


def flatten(rule="", by=""):
    return Command(id="f1.1", decision_id="f1", account_id=A, action="flatten", rule=rule,
                   by=by, issued_ns=1)


def test_a_flatten_of_a_rule_closed_it(tmp_path, clock, journal):
    def meanwhile(_broker, run):
        assert run(flatten(rule="daily_net_loss")).status == DONE
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert re.fullmatch(r"MNQ on account 7 is flat: closed by riskd's flatten \(daily_net_loss\) "
                        r"at \S+ \S+ \S+ while " + re.escape(TIMED_OUT), res.detail), res.detail
    assert "closed, though" not in res.detail
    # the flatten's result names its order; this close's never does (one order, one command)
    assert [o.order_id for o in journal.get("f1.1").result().close_orders] == [9000]
    assert res.close_orders == [], res.close_orders


def test_the_admins_flatten_closed_it(tmp_path, clock, journal):
    def meanwhile(_broker, run):
        assert run(flatten(by="admin:root")).status == DONE
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert res.detail.startswith("MNQ on account 7 is flat: closed by the flatten admin:root "
                                 "asked for at "), res.detail
    assert res.detail.endswith(f" while {TIMED_OUT}"), res.detail


def test_the_traders_reversing_sell_then_a_flatten_closed_it(tmp_path, clock, journal):
    """Long 1; the trader sells 3 (short 2), cooldown_after_loss's flatten buys the 2 back: the
    flatten made MNQ flat, the trader's sell only reversed it (trial20c finding 2: "closed by
    the trader's sell of 4" while the sim showed short 2; daily_realized_loss's flatten closed
    that 6 s later). Failed on main: "is flat: closed by the trader's sell of 3 ..."."""
    said = {}

    def meanwhile(broker, run):
        said["sell"] = broker.trader(side=1, size=3).id
        broker.positions[MNQ] = -2
        clock.advance(1)
        assert run(flatten(rule="cooldown_after_loss")).status == DONE
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert re.fullmatch(r"MNQ on account 7 is flat: the trader's sell of 3 at \S+ \S+ \S+ "
                        r"\(order " + str(said["sell"]) + r"\) reversed the position to short 2, "
                        r"then riskd's flatten \(cooldown_after_loss\) at \S+ \S+ \S+ closed "
                        r"the short 2, while " + re.escape(TIMED_OUT), res.detail), res.detail
    assert "closed by the trader's" not in res.detail
    # risk is not told the trader's sell is this close's fill (it would not count the trade)
    assert said["sell"] not in [o.order_id for o in res.close_orders], res.close_orders


def test_a_reversal_then_a_buy_that_may_be_this_close(tmp_path, clock, journal):
    """Long 1; the trader sells 3 (short 2); then a market buy of 2 after the call: the held
    closeContract carried out on the short (it closes what is open), or the trader's own buy.
    The words say the reversal, then both; never that the sell made it flat."""
    said = {}

    def meanwhile(broker, _run):
        said["sell"] = broker.trader(side=1, size=3).id
        clock.advance(1)
        said["buy"] = broker.trader(side=0, size=2).id
        broker.positions[MNQ] = 0
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert re.fullmatch(r"MNQ on account 7 is flat: the trader's sell of 3 at \S+ \S+ \S+ "
                        r"\(order " + str(said["sell"]) + r"\) reversed the position to short 2, "
                        r"then closed the short 2: a market buy of 2 at \S+ \S+ \S+ \(order "
                        + str(said["buy"]) + r"\): either this close, which got no answer within "
                        r"10s \(timed out\), carried out by the broker, or the trader's own buy; "
                        r"riskd cannot tell which", res.detail), res.detail
    assert [o.order_id for o in res.close_orders] == [said["buy"]], res.close_orders


def test_a_reversal_whose_close_shows_no_fill_yet(tmp_path, clock, journal):
    def meanwhile(broker, _run):
        broker.trader(side=1, size=3)
        broker.positions[MNQ] = 0           # the short's close not booked at the broker yet
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert re.fullmatch(r"MNQ on account 7 is flat: the trader's sell of 3 at \S+ \S+ \S+ "
                        r"\(order \d+\) reversed the position to short 2 while "
                        + re.escape(TIMED_OUT) + r"; by which order the short 2 closed is not "
                        r"known yet \(no fill closing it shows at the broker\)", res.detail), \
        res.detail


def test_the_second_round_closed_the_reversed_short(tmp_path, clock, journal):
    """trial20c finding 3: long 1, the close held; the trader sold 3 (short 2); riskd's second
    round read the short 2 and closed it. Failed on main: "MNQ on account 7 closed"."""
    def meanwhile(broker, _run):
        broker.trader(side=1, size=3)
        broker.positions[MNQ] = -2
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert res.detail == ("MNQ on account 7 closed short 2 (the position reversed since riskd "
                          "decided on long 1)"), res.detail


def test_the_second_round_closed_the_same_side(tmp_path, clock, journal):
    """The trader bought 1 more of the long: riskd's second round closed the long 2 it read,
    no reversal said."""
    def meanwhile(broker, _run):
        broker.trader(side=0, size=1)
        broker.positions[MNQ] = 2
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert res.detail.startswith("MNQ on account 7 closed"), res.detail
    assert "reversed" not in res.detail, res.detail


def test_flat_with_no_fill_showing_claims_nothing(tmp_path, clock, journal):
    def meanwhile(broker, _run):
        broker.positions[MNQ] = 0           # closed, its fill not booked at the broker yet
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert res.detail == (f"MNQ on account 7 is flat: found so after {TIMED_OUT}; by which order "
                          f"is not known yet (no fill closing it shows at the broker)"), res.detail


def test_a_close_that_may_be_this_ones_says_both(tmp_path, clock, journal):
    """A market sell of the whole position after the call: the broker carrying out the held
    close, or the trader's own close; they look the same, and both are said."""
    said = {}

    def meanwhile(broker, _run):
        said["sell"] = broker.trader(side=1, size=1).id
        broker.positions[MNQ] = 0
    res = close_then(tmp_path, clock, journal, meanwhile)
    assert re.fullmatch(r"MNQ on account 7 is flat: closed by a market sell of 1 at \S+ \S+ \S+ "
                        r"\(order " + str(said["sell"]) + r"\): either this close, which got no "
                        r"answer within 10s \(timed out\), carried out by the broker, or the "
                        r"trader's own sell; riskd cannot tell which", res.detail), res.detail
    # kept among its orders: risk counts such a close as riskd's (docs/rules.md "Whose trade
    # it is")
    assert [o.order_id for o in res.close_orders] == [said["sell"]], res.close_orders


def test_nothing_else_touched_it_the_second_round_closed(tmp_path, clock, journal):
    """The correct case stays: the second round's close is the one that closed."""
    res = close_then(tmp_path, clock, journal, lambda _b, _r: None)
    assert res.detail == "MNQ on account 7 closed", res.detail


class TargetFillsMeanwhile(FakeBroker):
    """riskd's closeContract is held 5 s at the broker (the sim's `fail --status 200 --delay
    5`); 1.5 s in, the trader's target, a buy limit placed before riskd decided, fills and the
    short is flat; the held call then answers "position not found" (fresh-user trial 21b)."""

    def __init__(self, clock, placed_ns: int):
        super().__init__(A, clock)
        self.placed_ns = placed_ns

    def close_contract(self, account_id, contract_id):
        self._enter(CLOSE, contract_id)
        self.clock.advance(1.5)
        self.made.append(Order(id=9000053, account_id=A, contract_id=contract_id,
                               created_ns=self.placed_ns, updated_ns=self.clock.now_ns(),
                               status=2, type=1, side=0, size=1))
        self.positions[contract_id] = 0
        self.clock.advance(3.5)
        raise ProjectXError(2, "position not found", CLOSE)


def _close_es_short(broker, clock, journal, es: str):
    """max_unrealized_profit's close of a short 1 ES, decided now, run by the executor against
    `broker`: its result."""
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="max_unrealized_profit", contract_id=es, held=-1,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    return ex.run(Job(entry, str(A)), broker).result


def test_a_close_that_found_the_contract_flat_names_the_fill_that_made_it_flat(clock, journal):
    """Short 1 ES, a buy stop and the trader's target working; riskd's close is held while the
    target fills. Its words named only the stop it cancelled: "ES ... was already flat, 1
    order cancelled" (trial 21b finding 8); now the target's fill too, and it is never taken
    for this close's (its call found no position)."""
    es = "CON.F.US.EP.Z26"
    placed = clock.now_ns()
    clock.advance(26)                                    # riskd decides 26 s after the target
    broker = TargetFillsMeanwhile(clock, placed)
    broker.positions = {es: -1}
    broker.orders = {9000052: Order(id=9000052, account_id=A, contract_id=es, created_ns=placed,
                                    updated_ns=0, status=1, type=4, side=0, size=1)}
    res = _close_es_short(broker, clock, journal, es)
    assert res.status == DONE, res
    assert re.fullmatch(r"ES on account 7 was already flat: closed by the trader's buy of 1 at "
                        r"\S+ \S+ \S+ \(order 9000053\) while this close was in flight; 1 order "
                        r"cancelled", res.detail), res.detail
    assert res.close_orders == [] and res.orders_known, res


def test_a_close_that_found_the_contract_flat_with_nothing_shown_says_only_that(clock, journal):
    """The same close with no fill showing after riskd decided (the position closed before):
    plain "was already flat", nothing guessed."""
    es = "CON.F.US.EP.Z26"
    broker = FakeBroker(A, clock)
    res = _close_es_short(broker, clock, journal, es)
    assert res.detail == "ES on account 7 was already flat", res.detail


def test_last_actions_say_what_made_it_flat_under_the_row(clock):
    """LAST ACTIONS read 'done 5.0s' and no more (trial 21b finding 8): the line under the row
    now says what history says."""
    import datetime as dt

    from cli.watch import model
    from shared.messages.enforce import CommandResult
    st = model.WatchState()
    st.actions["d1.1"] = model.ActionRow(decision_id="d1", ts_ns=clock.now_ns(), account_id=A,
                                         rule="max_unrealized_profit",
                                         action="close_position", status="pending")
    said = ("ES on account Demo 1 (id 1001) was already flat: closed by the trader's buy of 1 "
            "at Mon 06:04:08 CST (order 9000053) while this close was in flight; 1 order "
            "cancelled")
    model._result(st, CommandResult(command_id="d1.1", account_id=A, status="done",
                                    action="close_position", detail=said,
                                    first_answer_ns=clock.now_ns()))
    [line] = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())
    assert line.note == ("already flat: closed by the trader's buy of 1 at Mon 06:04:08 CST "
                         "(order 9000053) while this close was in flight; 1 order cancelled"), \
        line.note
    # plain "was already flat": nothing more under the row
    model._result(st, CommandResult(command_id="d1.1", account_id=A, status="done",
                                    action="close_position",
                                    detail="ES on account Demo 1 (id 1001) was already flat, 1 "
                                           "order cancelled", first_answer_ns=clock.now_ns()))
    [line] = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())
    assert line.note == "", line.note


class MarketBuyMeanwhile(FakeBroker):
    """riskd's close is held 5 s and refused ("position not found"): 1.5 s into it, a market
    buy of 1 (order 9000009) closed the short."""

    def close_contract(self, account_id, contract_id):
        self._enter(CLOSE, contract_id)
        self.clock.advance(1.5)
        self.made.append(Order(id=9000009, account_id=A, contract_id=contract_id,
                               created_ns=self.clock.now_ns(), updated_ns=self.clock.now_ns(),
                               status=2, type=2, side=0, size=1))
        self.positions[contract_id] = 0
        self.clock.advance(3.5)
        raise ProjectXError(2, "position not found", CLOSE)


ES = "CON.F.US.EP.Z26"
FOUND_FLAT = r"ES on account 7 was already flat: closed by {whose} \(order 9000009\){why}"
TRADERS = dict(whose=r"the trader's own market buy of 1 at \S+ \S+ \S+",
               why=" while this close was in flight")
# late22's leftover: the line points at the `riskd (late close)` line beside it, naming the
# earlier close as that line does ("riskd's earlier close of ES (timed out at ...)")
NOT_THIS = dict(whose=r"a market buy of 1 at \S+ \S+ \S+",
                why=r", not this close \(its call found no position\) while this close was in "
                    r"flight; that buy is riskd's earlier close of ES \(timed out at "
                    r"\d\d:\d\d:\d\d\) carried out late, or the trader's own: riskd cannot "
                    r"tell which \(taken as that close, it has its own `riskd \(late close\)` "
                    r"line and alert\)")


def test_a_market_close_no_command_of_riskds_made_is_the_traders_own(clock, journal):
    """Trial22c 5d: the trader's own market sell while riskd's close was in flight; history
    and the alert read "closed by a market sell of 3 ... (order N), not this close": never
    whose. No close of riskd's whose outcome is unknown could be it: the trader's own.
    Fails before: "closed by a market buy of 1 ..., not this close" (checked)."""
    broker = MarketBuyMeanwhile(A, clock)
    broker.positions = {ES: -1}
    res = _close_es_short(broker, clock, journal, ES)
    assert re.fullmatch(FOUND_FLAT.format(**TRADERS), res.detail), \
        res.detail


@pytest.mark.parametrize("ago", [30, 150])
def test_a_market_close_another_lost_close_may_be_is_not_called_the_traders(clock, journal,
                                                                             ago):
    """Another command's close of ES got no answer `ago` s before (its result lists it
    unsettled: risk takes a close within 2 minutes of that result as that one, late, and says
    so): 30 s, the market buy may be it, so it is not called the trader's
    (test_late_close_under_a_newer_close's case); 150 s, it is not: the trader's own."""
    earlier = Command(id="d0.1", decision_id="d0", account_id=A, action="close_position",
                      rule="daily_unrealized_loss", contract_id=ES, held=-1)
    journal.receive(earlier, clock.now_ns())
    journal.save_progress("d0.1", {"unsettled": [[ES, 0, clock.now_ns(), "timed out"]]})
    journal.finish(CommandResult(command_id="d0.1", account_id=A, status=DONE,
                                 finished_ns=clock.now_ns(), action="close_position"))
    lost = f"{from_ns(clock.now_ns(), dt.timezone.utc):%H:%M:%S}"
    clock.advance(ago)
    broker = MarketBuyMeanwhile(A, clock)
    broker.positions = {ES: -1}
    res = _close_es_short(broker, clock, journal, ES)
    assert re.fullmatch(FOUND_FLAT.format(**(NOT_THIS if ago < 120 else TRADERS)),
                        res.detail), res.detail
    assert ago > 120 or f"(timed out at {lost})" in res.detail, res.detail
