"""Each outcome alert names the rule or action it answers, as history's WHO does (trial16g,
finding 6): in a burst on a self-locked Demo 1, "✅ Done on Demo 1 (id 1001) / MNQ on account
Demo 1 (id 1001) closed" and "Nothing to do on Demo 1 (id 1001) / MNQ on account Demo 1 (id 1001)
was already flat" came at the same millisecond, and nothing said the first was lockout
enforcement's close and the second max_contracts's reduce (history: "rule max_contracts /
nothing to do: MNQ was already flat"). The second is logged only (docs/alerts.md); both name
their action now. Results as enforcement sends them (services/enforcement: action and rule).
"""
from __future__ import annotations

from services.notify.templates import LOG_ONLY, Context, result_alert
from shared.messages.enforce import CommandResult

CTX = Context(accounts={1001: "Demo 1"})
T = 1_796_000_000_000_000_000


def result(action, rule, detail, first_answer_ns):
    return CommandResult(command_id=f"{rule}.1", account_id=1001, status="done", detail=detail,
                         attempts=1, started_ns=T, finished_ns=T, action=action, rule=rule,
                         first_answer_ns=first_answer_ns, broker_calls=1)


def test_the_done_and_the_nothing_to_do_of_one_burst_name_their_actions():
    done = result_alert(result("close_position", "lockout",
                               "MNQ on account Demo 1 (id 1001) closed", T), CTX)
    nothing = result_alert(result("reduce_position", "max_contracts",
                                  "MNQ on account Demo 1 (id 1001) was already flat", 0), CTX)
    assert done.title == "✅ Done on Demo 1 (id 1001)"
    assert done.lines == ("close by lockout enforcement: MNQ on account Demo 1 (id 1001) "
                          "closed",), done.lines
    assert nothing.kind in LOG_ONLY
    assert nothing.lines == ("reduce by rule max_contracts: MNQ on account Demo 1 (id 1001) "
                             "was already flat",), nothing.lines


def test_the_self_lockouts_and_the_admins_flatten_name_who():
    own = result_alert(result("flatten", "self_lockout", "flattened account Demo 1", T), CTX)
    assert own.lines[0].startswith("flatten by trader (self-lockout): "), own.lines
