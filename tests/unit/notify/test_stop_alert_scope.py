"""The stop alerts list what each account leaves open; a Telegram chat that sees only some
accounts gets only their lines (trial 2026-12-06, finding 1: an alert about an account goes
only to the chats whose scope has it; the stop alerts are about riskd, so every chat gets one,
each with its own accounts). The supervisor's own line makers build the events (riskd stopping:
riskdalerts.held_lines; `riskctl stop risk`: commands/stop.left_open_lines), notify's queue()
and the real sender route them (tests/unit/notify/test_rule_change_scope.py)."""
from __future__ import annotations

from decimal import Decimal

from services.supervisor.backalerts import stopped_event as worker_stopped
from services.supervisor.commands.stop import left_open_lines
from services.supervisor.lastheld import Held
from services.supervisor.riskdalerts import held_lines, stopped_event
from shared.messages.market import OrdersTable, PositionRow, PositionsTable
from shared.messages.system import ok
from tests.unit.notify.test_rule_change_scope import ALL, GROUP, NONE, routed
from tests.unit.supervisor.test_stop_held import MNQ, status

NAMES = {1001: "Demo 1", 1002: "Demo 2 (strict)"}


def name(aid, _broker):
    return NAMES[aid]


def test_riskd_stopping_reaches_each_chat_with_its_own_accounts_only(tmp_path):
    held = Held((status(1001, "SIM-DEMO-1", (MNQ, "long", 2)),
                 status(1002, "SIM-DEMO-2", (MNQ, "short", 1))))
    e = stopped_event("signal SIGTERM (service stop)", 1, held_lines(held, name))
    got = routed(tmp_path, e.lines, e.line_accounts, title=e.title)
    title = "⛔ riskd is stopping: accounts are NOT guarded until riskd runs again"
    tail = "no rule is checked and nothing is flattened until someone starts riskd again"
    assert got[ALL] == ["\n".join([title, "stopped by signal SIGTERM (service stop)",
                                   "left open, unguarded (as risk knew them at the stop):",
                                   "Demo 1 (id 1001) holds MNQ long 2",
                                   "Demo 2 (strict, id 1002) holds MNQ short 1",
                                   tail])]
    assert got[GROUP] == ["\n".join([title, "stopped by signal SIGTERM (service stop)",
                                     "left open, unguarded (as risk knew them at the stop):",
                                     "Demo 2 (strict, id 1002) holds MNQ short 1", tail])]
    # a chat none of whose accounts holds anything: the stop, without the others' holdings
    assert got[NONE] == ["\n".join([title, "stopped by signal SIGTERM (service stop)", tail])]


def test_a_guard_worker_stop_lists_only_the_chats_accounts(tmp_path):
    held = ok(PositionsTable(positions=[PositionRow(
        account_id=aid, account_name=f"SIM-DEMO-{aid - 1000}", contract_id=MNQ, ticker="MNQ",
        side="long", size=1, average_price=Decimal("21000")) for aid in (1001, 1002)]))
    lines = left_open_lines(held, ok(OrdersTable()), name)
    e = worker_stopped(["risk"], 1, "", "admin:root", lines)
    got = routed(tmp_path, e.lines, e.line_accounts, title=e.title)
    assert "Demo 1 (id 1001) holds MNQ long 1" in got[ALL][0]
    assert "Demo 1" not in got[GROUP][0]
    assert "Demo 2 (strict, id 1002) holds MNQ long 1" in got[GROUP][0]
    assert "holds" not in got[NONE][0] and "left open" not in got[NONE][0]
