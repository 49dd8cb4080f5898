"""Trial finding: `riskctl flatten 1001` printed COMMAND "manual-1796472363663144248.1001", STATE
"final", STATUS "done", DETAIL "close CON.F.US.MNQ.Z26" while the alert said "close MNQ". It now
says what a person needs: the account's name, the action, the outcome in the screens' words,
and what was done with contracts' short names."""
from __future__ import annotations

import re
from types import SimpleNamespace

from cli.commands import flatten
from shared.messages.control import StatusRequest, SupervisorStatus
from shared.messages.enforce import CommandState


class Ctx:
    json = False
    config_path = "no-such-riskd.toml"

    def __init__(self, states):
        self.states = states

    def request(self, _msg, **_kw):
        return SimpleNamespace(ok=True, body=SimpleNamespace(commands=self.states))

    def call(self, msg, **_kw):
        if isinstance(msg, StatusRequest):
            return SimpleNamespace(ok=True, body=SupervisorStatus(
                pid=1, started_ns=0, config_path="riskd.toml",
                account_labels={"1001": "Demo 1", "1002": "Demo 2"}))
        return SimpleNamespace(ok=False, body=None)


def test_flatten_says_account_action_outcome_and_short_names(capsys):
    states = [CommandState(command_id="manual-1796472363663144248.1001", account_id=1001,
                           action="flatten", state="final", status="done", first_answer_ns=5,
                           detail="flattened account 1001: close CON.F.US.MNQ.Z26 "
                                  "(verified flat)"),
              CommandState(command_id="manual-1796472363663144248.1002", account_id=1002,
                           action="flatten", state="final", status="done",
                           detail="account 1002 was already flat")]
    code = flatten.run(SimpleNamespace(account="", all=True, reason="end of day", wait=0),
                       Ctx(states))
    out = capsys.readouterr().out
    assert code == 0
    assert "manual-" not in out and "final" not in out and "CON.F.US" not in out, out
    [head, one, two] = out.splitlines()
    assert head.split() == ["ACCOUNT", "ACTION", "OUTCOME", "DETAIL"]
    assert one.startswith("Demo 1 (id 1001)") and " done " in one and "close MNQ" in one, one
    assert two.startswith("Demo 2 (id 1002)") and "nothing to do" in two, two


def test_an_unfinished_flatten_reads_accepted_as_last_actions_does():
    """Enforcement has it, not done: LAST ACTIONS' word (trial19b finding 5), not `pending`,
    which the screens keep for an action enforcement is not running to take."""
    running = CommandState(command_id="manual-1.1001", account_id=1001, action="flatten",
                           state="running")
    assert flatten.outcome_of(running) == "accepted"


def test_history_names_the_flatten_in_flight_by_rule_and_time_and_what_became_of_it():
    """Trial: "flatten not sent: already in flight, by decision 520bba36292541dab6a4
    (daily_net_loss)", where that flatten had found nothing to do."""
    from cli.commands.history import rows
    from shared.clock import NS_PER_S
    from shared.messages.risk import Decision, HistoryReply
    from tests.unit.cli.screens import CHICAGO, NOW

    first = Decision(id="520bba36292541dab6a4", ts_ns=NOW, rule="daily_net_loss",
                     account_id=1001, action="flatten", reason="net -612.00 <= -600.00",
                     what="flatten: close 1 position")
    second = Decision(id="77aa", ts_ns=NOW + NS_PER_S, rule="daily_realized_loss",
                      account_id=1001, action="flatten", reason="realized -507 <= -500",
                      suppressed="the same action is in flight (520bba36292541dab6a4.1)",
                      what="flatten not sent: already in flight, by decision "
                           "520bba36292541dab6a4 (daily_net_loss); lock the account (timer)")
    nothing = CommandState(command_id="520bba36292541dab6a4.1", account_id=1001,
                           action="flatten", state="final", status="done",
                           detail="account 1001 was already flat")
    [_, row] = rows(HistoryReply(decisions=[first, second]),
                    {"520bba36292541dab6a4.1": nothing}, CHICAGO)
    text = " ".join(map(str, row))
    assert "520bba" not in text, text
    # (the date is named too: the test's day is not today)
    # what was true when it decided (under way), then what became of it (trial: "already in
    # flight, by daily_net_loss's flatten at ..., which found nothing to do": both at once)
    assert re.fullmatch(r"flatten not sent: daily_net_loss's flatten of [^,]*14:03:27 CST was "
                        r"already under way \(it then found nothing to do\); lock the account "
                        r"\(timer\)", row[3]), row[3]
    assert re.fullmatch(r"not acted on: daily_net_loss's flatten of [^,]*14:03:27 CST was "
                        r"already under way \(it then found nothing to do\)", row[6]), row[6]
    assert "in flight" not in text, text
    # the flatten in flight is not in this history (--since after it): no id either
    [row] = rows(HistoryReply(decisions=[second]), {}, CHICAGO)
    assert "520bba" not in " ".join(map(str, row)) and "an earlier action" in row[3], row
