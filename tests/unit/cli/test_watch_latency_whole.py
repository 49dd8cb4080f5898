"""LAST ACTIONS at 80 columns shows each latency whole (fresh-user trial 2026-12-06: at 80x24
it read "6…", "0.0…" or "…"): the outcome, rule and action columns give way first; narrower
than they can go, the latency column is left out, never cut. The rule column cuts a name in
the middle as the RULES panel does, so max_contracts_per_instrument stays itself."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.view import CUT, action_lines, plain

ACTIONS = [
    SimpleNamespace(time="Sun 04:20:05 CST", rule="max_contracts_per_instrument",
                    action="reduce_position", outcome="done", status="done", colour="green",
                    latency="0.030s"),
    SimpleNamespace(time="Sun 04:19:58 CST", rule="daily_unrealized_loss",
                    action="close_position", outcome="not sent: locked already",
                    status="skipped", colour="amber", latency="6.2s"),
    SimpleNamespace(time="Sun 04:19:50 CST", rule="max_contracts", action="reduce_position",
                    outcome="failed", status="failed", colour="red", latency="-")]


def lines(width: int) -> list[str]:
    account = SimpleNamespace(actions=ACTIONS, actions_note="")
    return plain(action_lines(account, width)).splitlines()


def test_every_latency_shows_whole_at_80_columns():
    head, *rows = lines(80)
    assert head.rstrip().endswith("latency"), head
    assert [r.split()[-1] for r in rows] == ["0.030s", "6.2s", "-"], rows
    assert all(len(r) <= 80 for r in [head, *rows])
    rule = rows[0].split()[3]
    assert rule.startswith("max_co") and CUT in rule and rule.endswith("ment"), rows[0]
    assert "not sent: locked already" in rows[1], rows          # the outcome kept whole
    assert CUT not in rows[0].split()[-1] and CUT not in rows[1].split()[-1], rows


def test_too_narrow_for_it_whole_the_latency_is_left_out():
    head, *rows = lines(50)
    assert "latency" not in head, head
    assert not any(r.rstrip().endswith(("0.0" + CUT, "6" + CUT)) for r in rows), rows


def test_wide_enough_nothing_gives_way():
    head, *rows = lines(120)
    assert "max_contracts_per_instrument"[:22] not in rows[0] or CUT in rows[0], rows[0]
    assert "not sent: locked already" in rows[1] and rows[1].split()[-1] == "6.2s", rows
