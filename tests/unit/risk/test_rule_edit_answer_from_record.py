"""`riskctl rules set`'s answer (and the audit's RESULT) says what riskd did with the edit: it is
worded from risk's own record of the reload of the edited file (services/risk/lastedit.py),
never guessed from a reading taken before risk read the file; and drawdown_guard's line with
none set is judged (and said) as the line riskd works out itself.

Fresh-user trial 21a section 1: with the default profile's line "none" (built-in), Demo 1 on a
line of its own (49,000) and Demo 2 and 3 on the profile's, `rules set profile:default
drawdown_guard line 49000` answered "applied live on Demo 1 ... not changed on Demo 2 ...,
Demo 3 ... at line none: its own value" while riskd had moved Demo 2 and 3 and left Demo 1;
after the profile's line 49200 was removed (a loosening that waits), `line 49250` was answered
"riskd keeps line 49,200.00 until the roll (a loosening waits)" while riskd applied it at once.
Section 2: a waiting loosening set back to the value in force was said neither by the answer
nor to the phone. Section 4: the phone read "line none -> 49,000.00" while 48,000.00 was in
force.

The real RiskWorker on loopback sockets in this process (tests/unit/risk/worker_rig.py), the
default profile as etc/riskd.toml ships it (drawdown_guard on, starting_balance 50,000, no
line: riskd's own line is 48,000.00 at a 50,000.00 balance), the file edited with the function
`riskctl rules set` uses and read by the worker's own reload (as on the supervisor's
ConfigChanged); the answer is rule_outcome.outcome_lines over risk's RulesReply, as
config_edits.confirm_rule_edit builds it."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.supervisor.commands.rule_outcome import RuleEdit, applied_now, outcome_lines
from shared.accountname import labels
from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.risk import RulesRequest
from tests.unit.risk.desk import chi
from tests.unit.risk.worker_rig import risk_worker

DEMO1, DEMO2, DEMO3 = 1001, 1002, 1003
ROLL = "Mon 17:00 CST"
OWN = "48,000.00 (none set: riskd's own line, high-water mark - max_loss)"


@pytest.fixture
def worker(tmp_path):
    """Demo 1 with a line of its own, Demo 2 and 3 on the default profile's (none set)."""
    with risk_worker(tmp_path, [
            {"id": DEMO1, "name": "SIM-DEMO-1", "display_name": "Demo 1", "profile": "default",
             "rules": {"drawdown_guard": {"line": 49000}}},
            {"id": DEMO2, "name": "SIM-DEMO-2", "display_name": "Demo 2", "profile": "default",
             "rules": {"daily_unrealized_loss": {"limit": 200}}},
            {"id": DEMO3, "name": "SIM-DEMO-3", "display_name": "Demo 3", "profile": "default"}],
            clock=FakeClock(chi(2026, 12, 7, 5, 29))) as rig:
        yield rig


def readings(w) -> list:
    return w.requests._on_rules(RulesRequest()).body.accounts


def line_of(w, account_id: int):
    return w.settings.for_account(w.engine.accounts[account_id]).drawdown_guard.line


def answer(w, edit: RuleEdit, digest: str, got=None) -> tuple[list[str], bool]:
    return outcome_lines(edit, got if got is not None else readings(w), ROLL,
                         labels(w.config.accounts), {DEMO1} if edit.param == "line" else set(),
                         digest)


def alert_lines(sent, title_part: str) -> list[str]:
    return [line for _k, _s, title, lines in sent if title_part in title for line in lines]


def test_a_profile_line_over_none_is_answered_as_riskd_applied_it(worker):
    w, path, backups, sent = worker
    edit = RuleEdit("profile:default", "drawdown_guard", "line", "49000")
    result = set_rule_param(path, "profile:default", "drawdown_guard", "line", "49000", backups)
    stale = readings(w)                     # risk has not read the edited file yet
    # never answered from that reading (it read "applied live on Demo 1 ... not changed on
    # Demo 2, Demo 3 ... at line none")
    assert answer(w, edit, result.digest, stale) == ([], False)

    assert w.reload_config(result.digest)
    assert (line_of(w, DEMO1), line_of(w, DEMO2), line_of(w, DEMO3)) == (49000, 49000, 49000)
    lines, settled = answer(w, edit, result.digest)
    assert settled
    assert lines == [
        "applied live on Demo 2 (id 1002), Demo 3 (id 1003)",
        "not changed on Demo 1 (id 1001) at line 49,000.00: each keeps a value of its own, "
        "set for that account (`riskctl rules set ACCOUNT drawdown_guard line VALUE` changes "
        "it)"], lines
    # what it did at once is judged on the accounts it moved, not on Demo 1
    assert applied_now(edit, readings(w), result.digest) == {DEMO2, DEMO3}
    # the phone: the line in force before, not "none"
    assert alert_lines(sent, "in force now") == [
        f"Demo 2 (id 1002): drawdown_guard line {OWN} -> 49,000.00, in force now",
        f"Demo 3 (id 1003): drawdown_guard line {OWN} -> 49,000.00, in force now"]


def test_a_higher_line_while_the_removal_of_the_profiles_line_waits_applies_now(worker):
    w, path, backups, sent = worker
    result = set_rule_param(path, "profile:default", "drawdown_guard", "line", "49200", backups)
    assert w.reload_config(result.digest)
    # the profile's line removed: riskd's own 48,000.00 is lower, a loosening that waits
    text = open(path).read().replace("line = 49200", "# line = 49200")
    open(path, "w").write(text)
    from shared.config import load_config
    assert w.reload_config(load_config(path).digest)
    assert line_of(w, DEMO2) == 49200
    assert w.settings.waiting(DEMO2) == {"drawdown_guard": {"line": (49200, None)}}
    assert (f"Demo 2 (id 1002): drawdown_guard line 49,200.00 -> {OWN}, takes effect at the "
            f"roll, {ROLL}") in alert_lines(sent, "wait for the trading-day roll")

    edit = RuleEdit("profile:default", "drawdown_guard", "line", "49250")
    result = set_rule_param(path, "profile:default", "drawdown_guard", "line", "49250", backups)
    # read before risk took the file, the old answer was "riskd keeps line 49,200.00 until
    # the roll (a loosening waits)"
    assert answer(w, edit, result.digest) == ([], False)
    assert w.reload_config(result.digest)
    assert line_of(w, DEMO2) == 49250 and w.settings.waiting(DEMO2) == {}
    lines, settled = answer(w, edit, result.digest)
    assert settled and lines[0] == "applied live on Demo 2 (id 1002), Demo 3 (id 1003)", lines
    assert not any("a loosening waits" in line for line in lines), lines


def test_a_line_set_below_riskds_own_line_is_a_loosening_that_waits(worker):
    w, path, backups, sent = worker
    w.engine.accounts[DEMO3].hwm = Decimal(51000)       # its own line: 49,000.00
    own = OWN.replace("48,000.00", "49,000.00")
    edit = RuleEdit("account:1003", "drawdown_guard", "line", "48500")
    result = set_rule_param(path, "1003", "drawdown_guard", "line", "48500", backups)
    assert w.reload_config(result.digest)
    # 48,500 is below the 49,000.00 riskd acts by now: looser, it waits (it was applied at
    # once, "none" read as the lowest line)
    assert line_of(w, DEMO3) is None
    assert w.settings.waiting(DEMO3) == {"drawdown_guard": {"line": (None, Decimal(48500))}}
    lines, settled = answer(w, edit, result.digest)
    assert settled and lines == [
        f"Demo 3 (id 1003): riskd keeps line {own} until the roll at {ROLL} (a loosening "
        f"waits); `riskctl rules override --account 1003 --rule drawdown_guard --reason "
        f"\"WHY\"` applies it now"], lines
    assert alert_lines(sent, "wait for the trading-day roll") == [
        f"Demo 3 (id 1003): drawdown_guard line {own} -> 48,500.00, takes effect at the roll, "
        f"{ROLL}"]


def test_taking_back_a_waiting_loosening_is_said_by_the_answer_and_the_phone(worker):
    w, path, backups, sent = worker
    result = set_rule_param(path, "1002", "daily_unrealized_loss", "limit", "999", backups)
    assert w.reload_config(result.digest)
    assert alert_lines(sent, "wait for the trading-day roll") == [
        f"Demo 2 (id 1002): daily_unrealized_loss limit 200.00 -> 999.00, takes effect at the "
        f"roll, {ROLL}"]

    edit = RuleEdit("account:1002", "daily_unrealized_loss", "limit", "200")
    result = set_rule_param(path, "1002", "daily_unrealized_loss", "limit", "200", backups)
    w.config_note = "changed by admin:root: undo typo"
    assert w.reload_config(result.digest)
    assert w.settings.waiting(DEMO2) == {}
    lines, settled = answer(w, edit, result.digest)
    assert settled and lines == [
        "Demo 2 (id 1002): the waiting daily_unrealized_loss limit 999.00 no longer waits "
        "for the roll (taken back); riskd keeps limit 200.00 in force"], lines
    assert alert_lines(sent, "no longer waits") == [
        f"Demo 2 (id 1002): daily_unrealized_loss limit 999.00 no longer waits for the roll, "
        f"{ROLL}: 200.00 stays in force (changed by admin:root: undo typo)"]


def test_a_risk_that_read_no_edit_since_its_start_answers_nothing_for_one(worker):
    """A risk started on the edited file (restarted within the edit's answer) has no record of
    the edit: its readings never pass for the edit's ("already in force" would be a guess)."""
    w, path, _backups, _sent = worker
    from shared.config import load_config
    edit = RuleEdit("profile:default", "drawdown_guard", "line", "49000")
    assert answer(w, edit, load_config(path).digest) == ([], False)


def test_an_edit_of_a_disabled_account_says_no_rule_of_it_is_in_force(worker):
    """An account riskd does not guard (disabled, applied now) has no rule in force: the answer
    says so, never "already in force on Demo 3 at limit ?"."""
    from shared.messages.risk import RulesOverrideRequest
    w, path, backups, _sent = worker
    from shared.config.edit import set_config_value
    result = set_config_value(path, "accounts[2].enabled", "false", backups)
    assert w.reload_config(result.digest)
    assert w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="t", by="admin:root", account=str(DEMO3))).ok
    edit = RuleEdit("account:1003", "daily_realized_loss", "limit", "300")
    result = set_rule_param(path, "1003", "daily_realized_loss", "limit", "300", backups)
    assert w.reload_config(result.digest)
    lines, settled = answer(w, edit, result.digest)
    assert settled and lines == ["not in force on Demo 3 (id 1003): riskd does not guard it now "
                                 "(the account is disabled), so no rule of it is in force"], lines


def test_an_accounts_value_replacing_a_waiting_loosening_says_it_no_longer_waits(worker):
    """Trial21c finding 6: the profile's max_contracts limit 4 in force, its 6 waiting for
    the roll; `rules set 1003 max_contracts limit 3` put 3 in force on Demo 3, and the 6 was
    gone with neither the answer nor the phone saying so (the phone's last word about it was
    "takes effect at the roll"). Demo 1 and 2 keep waiting for the 6."""
    w, path, backups, sent = worker
    for value in ("4", "6"):                    # shipped 5: 4 in force, then 6 waits
        result = set_rule_param(path, "profile:default", "max_contracts", "limit", value,
                                backups)
        assert w.reload_config(result.digest)
    assert w.settings.waiting(DEMO3) == {"max_contracts": {"limit": (4, 6)}}

    edit = RuleEdit("account:1003", "max_contracts", "limit", "3")
    result = set_rule_param(path, "1003", "max_contracts", "limit", "3", backups)
    assert w.reload_config(result.digest)
    assert w.settings.waiting(DEMO3) == {}
    assert w.settings.for_account(w.engine.accounts[DEMO3]).max_contracts.limit == 3
    lines, settled = answer(w, edit, result.digest)
    assert settled and lines == [
        "applied live on Demo 3 (id 1003)",
        "Demo 3 (id 1003): the waiting max_contracts limit 6 no longer waits for the roll "
        "(replaced by limit 3, in force now)"], lines
    assert applied_now(edit, readings(w), result.digest) == {DEMO3}
    assert alert_lines(sent, "in force now")[-1] == (
        "Demo 3 (id 1003): max_contracts limit 4 -> 3, in force now")
    assert alert_lines(sent, "no longer waits") == [
        f"Demo 3 (id 1003): max_contracts limit 6 no longer waits for the roll, {ROLL}: 3 "
        f"stays in force"]
    assert w.settings.waiting(DEMO1) == {"max_contracts": {"limit": (4, 6)}}


UNKNOWN = ("none set: riskd's own line, not known yet (no high-water mark until riskd reads "
           "the balance)")


@pytest.mark.parametrize("line,waits", [("48500", True), ("49999", True), ("50000", False)])
def test_a_line_set_while_riskds_own_line_is_not_known_waits_unless_surely_no_lower(
        worker, line, waits):
    """Round 21 (admin21, left): with no high-water mark yet (no saved mark, the balance not
    read), a line set where none was was judged against "none" as the lowest line and applied
    at once, though riskd's own line, once it reads the balance, may be as high as
    starting_balance (50,000): a line below it is a loosening that waits, one at
    starting_balance is applied now."""
    w, path, backups, sent = worker
    acct = w.engine.accounts[DEMO3]
    acct.hwm, acct.balance = None, None
    result = set_rule_param(path, "1003", "drawdown_guard", "line", line, backups)
    assert w.reload_config(result.digest)
    shown = f"{Decimal(line):,.2f}"
    if waits:
        assert line_of(w, DEMO3) is None
        assert w.settings.waiting(DEMO3) == {"drawdown_guard": {"line": (None, Decimal(line))}}
        assert alert_lines(sent, "wait for the trading-day roll") == [
            f"Demo 3 (id 1003): drawdown_guard line {UNKNOWN} -> {shown}, takes effect at the "
            f"roll, {ROLL}"]
    else:
        assert line_of(w, DEMO3) == Decimal(line) and w.settings.waiting(DEMO3) == {}
        assert alert_lines(sent, "in force now") == [
            f"Demo 3 (id 1003): drawdown_guard line {UNKNOWN} -> {shown}, in force now"]
