"""LAST ACTIONS' header stands over its columns (fresh-user trial 2026-12-06: 'LAST ACTIONS
rule ...' sat 4 columns left of 'Sun 01:23:57 CST  lockout ...': the time column was 12
wide, its times 16)."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.view import action_lines, plain


def test_the_rule_column_starts_where_its_header_does():
    action = SimpleNamespace(time="Sun 01:23:57 CST", rule="max_contracts",
                             action="reduce_position", outcome="done", status="done",
                             colour="green", latency="0.014s")
    account = SimpleNamespace(actions=[action], actions_note="")
    head, row = plain(action_lines(account, 120)).splitlines()
    assert head.index("rule") == row.index("max_contracts"), (head, row)
    assert head.index("latency") + len("latency") == row.index("0.014s") + len("0.014s")
