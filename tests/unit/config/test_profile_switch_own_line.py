"""The profile-switch preview (`riskctl accounts set ACCOUNT profile P`) does not read
drawdown_guard's line "none" as the lowest line (round 22, small22a left): "none" is riskd's
own line (high-water mark - max_loss), known to risk only, so a line set or removed by the
switch is listed as judged by riskd against it, never "in force now" nor "waits for the
roll", and the switch is asked about as a possible loosening. Before, `line none -> 48,500.00`
was listed in force now, while risk, on an account whose high-water mark is 51,000 (its own
line 49,000.00 at the shipped max_loss 2000), keeps it waiting for the roll, a loosening.

The shipped config (etc/riskd.toml: drawdown_guard on, line none); a second profile differs
from the default in the drawdown_guard parameters each case names, nothing else."""
from __future__ import annotations

import copy

import pytest

from shared.config import load_config
from shared.config.profileswitch import profile_switch, switch_lines, switch_question
from tests.support.env import make_config, shipped_accounts, shipped_rules

ROLL = "Mon 17:00 CST"


def switch_to(tmp_path, default_line, eval_line, **eval_guard):
    """Account 1001 switched from default (drawdown_guard line default_line) to eval (the
    default's rules, drawdown_guard line eval_line and eval_guard)."""
    rules = shipped_rules()
    guard = dict(rules["drawdown_guard"])
    guard.pop("line", None)
    default = copy.deepcopy(rules)
    default["drawdown_guard"] = {**guard, **({"line": default_line} if default_line else {})}
    other = copy.deepcopy(rules)
    other["drawdown_guard"] = {**guard, **({"line": eval_line} if eval_line else {}),
                               **eval_guard}
    tmp_path.mkdir(exist_ok=True)
    path = make_config(tmp_path, accounts=shipped_accounts(), profiles={
        "default": {"rules": default}, "eval": {"rules": other}})
    switch = profile_switch(load_config(path).config, "1001", "eval")
    assert switch is not None
    return switch, " ".join(switch_lines(switch, "Demo 1 (id 1001)", "eval", ROLL))


@pytest.mark.parametrize("default_line, eval_line, change", [
    (None, 48500, "drawdown_guard line none -> 48,500.00"),
    (None, 50000, "drawdown_guard line none -> 50,000.00"),
    (48500, None, "drawdown_guard line 48,500.00 -> none"),
])
def test_a_line_set_or_removed_is_judged_against_riskds_own_line(tmp_path, default_line,
                                                                  eval_line, change):
    switch, words = switch_to(tmp_path, default_line, eval_line)
    assert switch.now == () and switch.at_roll == (), switch
    assert switch.own_line == (change,)
    assert switch.loosens           # it may loosen: asked first, saying it may
    asked = switch_question(switch, "eval", ["LINES"])
    assert asked == ("the switch to profile eval may loosen drawdown_guard's line (riskd "
                     "judges it against its own line); all it changes:\n  LINES"), asked
    assert ("judged by riskd against its own drawdown line (high-water mark - max_loss) on "
            f"Demo 1 (id 1001): {change}: in force now if the new line is no lower, else it "
            f"waits for the roll at {ROLL} (riskd's rule-change alert says which)") in words


def test_the_other_parameters_beside_it_keep_their_verdicts(tmp_path):
    switch, _ = switch_to(tmp_path, None, 49000, max_loss=1500)
    assert switch.now == ("drawdown_guard max_loss 2,000.00 -> 1,500.00",), switch
    assert switch.at_roll == () and switch.own_line == ("drawdown_guard line none -> "
                                                        "49,000.00",)


def test_a_line_set_on_both_sides_is_judged_by_the_config(tmp_path):
    lower, _ = switch_to(tmp_path / "a", 49000, 48500)
    assert lower.at_roll == ("drawdown_guard line 49,000.00 -> 48,500.00",) \
        and lower.own_line == () and lower.now == (), lower
    higher, _ = switch_to(tmp_path / "b", 48500, 49000)
    assert higher.now == ("drawdown_guard line 48,500.00 -> 49,000.00",) \
        and higher.own_line == () and not higher.loosens, higher


def test_risk_decides_it_by_the_high_water_mark_the_config_does_not_hold(tmp_path):
    """Why the preview cannot say which: risk's own merge of the same switch (strictness.
    merge_rule with its own line) keeps `none -> 48,500.00` waiting on an account whose own
    line is 49,000.00 and applies it at once where the own line is 48,000.00."""
    from shared.config.strictness import merge_rule
    from shared.config.checks import apply_overrides, effective_rules, profile_rules
    from shared.config.accounts import find_account
    switch_to(tmp_path, None, 48500)       # writes the config
    config = load_config(str(tmp_path / "riskd.toml")).config
    account = find_account(config.accounts, "1001")
    old = effective_rules(config, account).drawdown_guard
    new = apply_overrides(profile_rules(config, "eval"), account.rules).drawdown_guard
    now, later = merge_rule("drawdown_guard", old, new, lambda params: 49000.0)
    assert now.line is None and later.line == 48500
    now, later = merge_rule("drawdown_guard", old, new, lambda params: 48000.0)
    assert now.line == 48500 and later is None


def test_a_switch_that_surely_loosens_is_asked_about_as_before(tmp_path):
    switch, _ = switch_to(tmp_path, 49000, 48500)
    assert switch_question(switch, "eval", ["A", "B"]) == (
        "the switch to profile eval loosens rules (they wait for the roll); all it changes:"
        "\n  A\n  B")
