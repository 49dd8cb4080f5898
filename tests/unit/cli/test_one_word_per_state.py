"""One word for one state of an action on every screen (shared/outcomewords.py unfinished).

trial19b finding 5: while a close was held at the broker, `riskctl status` LAST ACTIONS read
`daily_unrealized_loss close_position pending` (from enforcement's journal: running), `riskctl
watch` at the same seconds `accepted` (its live result) and `riskctl history` "planned, not
done yet (running)"; the ES close waiting behind it "(received)". docs/operations.md keeps
`pending` for an action enforcement is not running to take. Each state now reads one word:
enforcement has it (received, running, its 'accepted' result): `accepted`; held until the
market opens: `waits: market closed`; decided while enforcement is not running: `pending`.
"""
from __future__ import annotations

from cli.commands import flatten
from cli.commands.history import rows as history_rows
from cli.watch.model import build_screen
from shared.actedby import WAITS
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult, CommandState, EnforcementStatus
from shared.messages.risk import Decision, HistoryReply
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

HELD = "held at the broker"


def close() -> Decision:
    return Decision(id="d", ts_ns=NOW, rule="daily_unrealized_loss", account_id=1001,
                    action="close_position", contract_id="CON.F.US.MNQ.Z26",
                    reason="MNQ open PnL -300.00 <= -200.00")


def journal(st: str, detail: str = "") -> CommandState:
    return CommandState(command_id="d.1", account_id=1001, action="close_position",
                        state=st, detail=detail, received_ns=NOW)


def last_actions(*msgs) -> str:
    s = state(account())
    s.apply(close())
    for m in msgs:
        s.apply(m)
    [row] = build_screen(s, NOW + 5 * NS_PER_S, CHICAGO, CALENDAR).accounts[0].actions
    return row.outcome


def history(entry: CommandState) -> str:
    [row] = history_rows(HistoryReply(decisions=[close()]), {"d.1": entry}, CHICAGO)
    return row[3]


def test_a_close_enforcement_is_running_reads_accepted_on_every_screen():
    """Fails on main's code: status `pending`, history "(running)"."""
    watch = last_actions(CommandResult(command_id="d.1", account_id=1001, status="accepted",
                                       action="close_position",
                                       rule="daily_unrealized_loss", started_ns=NOW))
    for st in ("running", "received"):
        status = last_actions(EnforcementStatus(commands=[journal(st, HELD)]))
        assert (watch, status) == ("accepted", "accepted"), (st, watch, status)
        assert history(journal(st, HELD)) == f"planned, not done yet (accepted): {HELD}"
        assert flatten.outcome_of(journal(st)) == "accepted"


def test_pending_is_kept_for_an_action_enforcement_is_not_running_to_take():
    waiting = journal("pending", WAITS)              # shared/actedby.py journal_of's entry
    assert last_actions(EnforcementStatus(commands=[waiting])) == "pending"
    assert history(waiting) == f"planned, not done yet (pending): {WAITS}"


def test_a_close_held_for_the_market_reads_waits_market_closed_on_every_screen():
    held = journal("pending", "close_position waits for the market to open")
    assert last_actions(EnforcementStatus(commands=[held])) == "waits: market closed"
    assert history(held).startswith("planned, not done yet (waits: market closed): ")
    assert flatten.outcome_of(held) == "waits: market closed"
