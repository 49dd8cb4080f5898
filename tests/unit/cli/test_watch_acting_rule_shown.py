"""trial18c section 8: at 80x24 `watch` with a cooldown banner and a position left
no_stop_loss_grace off RULES ('+3 more rules') while its close was "not sent: in flight",
and LAST ACTIONS read its rule names 'no_sto…_grace', 'lockou…cement'. Now the rules left
off when the rows are short are never one acting now, and LAST ACTIONS' action column gives
way to short words ('close') before a rule name loses letters."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.view import CUT, action_lines, plain, rule_lines
from tests.unit.cli.test_watch_rule_names_cut import RULES

GRACE = "no_stop_loss_grace"
LOCKOUT = "lockout enforcement"


def act(time, rule, action, outcome, status, colour="dim", latency="-"):
    return SimpleNamespace(time=time, rule=rule, action=action, outcome=outcome, status=status,
                           colour=colour, latency=latency)


IN_FLIGHT = [
    act("Sun 22:05:53 CST", GRACE, "close_position", "not sent: in flight", "not sent: in flight"),
    act("Sun 22:05:40 CST", LOCKOUT, "close_position", "accepted", "accepted", "amber"),
    act("Sun 22:05:12 CST", "max_contracts_per_instrument", "reduce_position", "done", "done",
        "green", "0.030s"),
    act("Sun 22:04:58 CST", "daily_unrealized_loss", "cancel_orders",
        "not sent: locked already", "skipped", "amber", "6.2s")]


def account(actions):
    rules = [SimpleNamespace(rule=r, text="0 / 5", colour="") for r in RULES]
    rules.append(SimpleNamespace(rule=GRACE, text="closed in 0s unless a stop is placed",
                                 colour=""))
    return SimpleNamespace(rules_off=0, not_guarded="", bars=[], rules=rules, actions=actions,
                           actions_note="")


def test_a_rule_acting_now_is_never_the_one_left_off():
    """Put back (old view.py): the last rules, no_stop_loss_grace among them, are left off."""
    lines = plain(rule_lines(account(IN_FLIGHT), 80, max_rows=4)).split("\n")
    assert lines[-1].strip().endswith("more rules (riskctl rules list)"), lines
    shown = [w for line in lines[1:] for w in line.split()]
    assert GRACE in shown, lines
    # nothing in flight: the rules keep their order (the last left off)
    done = [act("Sun 22:05:53 CST", GRACE, "close_position", "not sent: in flight",
                "not sent: in flight"),
            act("Sun 22:05:40 CST", LOCKOUT, "close_position", "done", "done", "green")]
    lines = plain(rule_lines(account(done), 80, max_rows=4)).split("\n")
    assert GRACE not in " ".join(lines) and RULES[0] in lines[1], lines
    # a rule at its limit (red) is acting too
    red = account([])
    red.rules[-2].colour = "red"
    lines = plain(rule_lines(red, 80, max_rows=4)).split("\n")
    assert red.rules[-2].rule in " ".join(lines), lines


def test_last_actions_at_80_columns_keeps_the_rule_names_whole():
    """Put back (old columns.py): 'no_sto…_grace' and 'lockou…cement'."""
    head, *rows = plain(action_lines(account(IN_FLIGHT), 80)).splitlines()
    assert all(len(r) <= 80 for r in [head, *rows]), rows
    assert rows[0].split()[3] == GRACE and " ".join(rows[1].split()[3:5]) == LOCKOUT, rows
    assert rows[0].split()[4] == "close" and rows[2].split()[4] == "reduce", rows
    assert "not sent: in flight" in rows[0] and "not sent: locked already" in rows[3], rows
    assert rows[3].split()[4] == "cancel" and rows[3].split()[-1] == "6.2s", rows
    assert CUT in rows[2].split()[3], rows         # max_contracts_per_instrument: 28 letters
    # wide enough, the actions' own names
    _head, *wide = plain(action_lines(account(IN_FLIGHT), 120)).splitlines()
    assert wide[0].split()[4] == "close_position", wide


def test_a_contract_in_the_action_column_cuts_the_outcome_not_the_rule_name():
    """Round 20's fresh-clone make test: with the contract in the action column ('reduce MNQ')
    and a two-part latency, 80 columns read 'lockou…cement' and 'trade_…_limit' while the
    outcome, whose words a line under the row gives whole, kept its letters. Put back (the
    old order: rule, outcome, action): the rule names are cut again."""
    rows = [act("Mon 03:55:46 CST", LOCKOUT, "reduce_position MNQ", "left to max_contracts",
                "skipped", "amber"),
            act("Mon 03:55:46 CST", "trade_frequency_limit", "lock", "locked until 03:56:46",
                "locked", "amber", "no call"),
            act("Mon 03:55:45 CST", "max_contracts", "reduce_position MNQ", "done", "done",
                "green", "0.537s, done 0.939s")]
    head, *lines = plain(action_lines(account(rows), 80)).splitlines()
    assert all(len(r) <= 80 for r in [head, *lines]), lines
    shown = [r for r in lines if r.startswith("Mon ")]
    assert " ".join(shown[0].split()[3:5]) == LOCKOUT, lines
    assert shown[1].split()[3] == "trade_frequency_limit", lines
    assert shown[0].split()[5:7] == ["reduce", "MNQ"], lines
    # the outcome's words whole under the row it was cut in
    assert "left to max_contracts" in " ".join(lines), lines
