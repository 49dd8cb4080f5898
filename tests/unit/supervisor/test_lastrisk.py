"""risk's last known figures in the supervisor (screens round 2, finding 2): kept from risk's
answers, sent only as the body of the error when risk gives no answer, never invented."""
from __future__ import annotations

from decimal import Decimal

from services.supervisor.lastrisk import LastRisk
from shared.messages.risk import AccountStatus, LastRiskStatus, RiskStatusReply, RiskStatusRequest
from shared.messages.system import error, ok

ALL = RiskStatusRequest()


def doc(account_id, ts_ns, realized="-10"):
    return AccountStatus(account_id=account_id, name=f"A{account_id}", ts_ns=ts_ns,
                         trading_day="2026-12-04", realized=Decimal(realized))


def test_no_answer_from_risk_carries_the_last_known_figures_in_the_error():
    last = LastRisk()
    answer = ok(RiskStatusReply(accounts=[doc(1, 100), doc(2, 90)]))
    assert last.answer(ALL, answer) is answer                 # risk's own answer as it came
    for code in ("unreachable", "timeout"):
        got = last.answer(ALL, error(code, "risk is not reachable (not running?)"))
        assert not got.ok and got.code == code                # still the error it was
        assert got.body == LastRiskStatus(accounts=[doc(1, 100), doc(2, 90)], as_of_ns=90)


def test_nothing_known_nothing_sent_and_risks_own_errors_pass_as_they_are():
    last = LastRisk()
    silent = error("unreachable", "risk is not reachable (not running?)")
    assert last.answer(ALL, silent).body is None              # never invented
    last.keep(ALL, ok(RiskStatusReply(accounts=[doc(1, 100)])))
    refused = error("unknown_account", "risk does not know account 'x'")
    assert last.answer(RiskStatusRequest(account="x"), refused) is refused
    one = RiskStatusRequest(account="1")                      # one account: its answer only
    assert last.answer(one, silent).body is None


def test_an_answer_for_every_account_replaces_all_one_for_an_account_updates_it():
    last = LastRisk()
    last.keep(ALL, ok(RiskStatusReply(accounts=[doc(1, 100), doc(2, 100)])))
    last.keep(RiskStatusRequest(account="2"), ok(RiskStatusReply(accounts=[doc(2, 150, "-5")])))
    last.keep(RiskStatusRequest(account="2"), ok(RiskStatusReply(accounts=[doc(2, 120)])))
    assert last.accounts[2].realized == Decimal("-5")        # an older document never wins
    last.keep(ALL, ok(RiskStatusReply(accounts=[doc(1, 200)])))     # account 2 was removed
    assert sorted(last.accounts) == [1]
