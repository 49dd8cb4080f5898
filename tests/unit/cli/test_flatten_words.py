"""Trial finding: `riskctl flatten 1001` printed COMMAND "manual-1796472363663144248.1001", STATE
"final", STATUS "done", DETAIL "close CON.F.US.MNQ.Z26" while the alert said "close MNQ". It now
says what a person needs: the account's name, the action, the outcome in the screens' words,
and what was done with contracts' short names."""
from __future__ import annotations

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
    assert one.startswith("Demo 1 (1001)") and " done " in one and "close MNQ" in one, one
    assert two.startswith("Demo 2 (1002)") and "nothing to do" in two, two


def test_an_unfinished_flatten_reads_pending():
    running = CommandState(command_id="manual-1.1001", account_id=1001, action="flatten",
                           state="running")
    assert flatten.outcome_of(running) == "pending"
