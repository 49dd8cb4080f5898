"""An account riskd guards that the config does not list is never left out of a replay without
a word (fresh-user trial 18b, section 2b: SIM-DEMO-3, added by the broker, guarded with the
default profile and traded, was missing from `riskctl replay` with nothing said; docs/replay.md
keeps the default of every configured account, so the output names what it left out and the
options that replay it)."""
from __future__ import annotations

import json

import pytest

from cli.commands import replay as command
from cli.context import Context
from cli.main import build_parser
from shared.clock import FakeClock
from tests.support.replay_days import MNQ, BrokerOfDays, Days, chi

pytestmark = pytest.mark.timeout(60)


def day(account: int, name: str) -> Days:
    d = Days(account, name)
    t = chi(2026, 11, 25, 10, 0)
    d.bars(MNQ, t, [21000] * 3)
    d.trade(t + 10 * 10 ** 9, MNQ, "buy", 1, 21000)
    d.trade(t + 70 * 10 ** 9, MNQ, "sell", 1, 21001)
    return d


def replay(config, capsys, *extra):
    args = build_parser().parse_args(["replay", "--from", "2026-11-25", "--to", "2026-11-25",
                                      *extra])
    clock = FakeClock(chi(2026, 11, 27, 12, 0))
    broker = BrokerOfDays(day(1001, "SIM-DEMO-1").history(), day(1003, "SIM-DEMO-3").history())
    ctx = Context(config, json_output="--json" in extra)
    assert command.run(args, ctx, client=broker, clock=clock, sleep=clock.advance) == 0
    return capsys.readouterr().out


def test_an_account_the_config_does_not_list_is_said_to_be_left_out(config, capsys):
    doc = json.loads(replay(config, capsys, "--json"))
    assert {r["account_id"] for r in doc["days"]} == {1001}     # the default is kept
    assert doc["left_out"] == [{"account_id": 1003, "account": "SIM-DEMO-3 (id 1003)"}]
    [said] = [n for n in doc["notes"] if "1003" in n]
    assert "not in the config" in said and "--account 1001 --account 1003" in said, said
    text = replay(config, capsys)
    assert "SIM-DEMO-3 (id 1003) is not in the config" in " ".join(text.split())


def test_accounts_named_leave_nothing_to_say(config, capsys):
    doc = json.loads(replay(config, capsys, "--json", "--account", "1001", "--account", "1003"))
    assert {r["account_id"] for r in doc["days"]} == {1001, 1003}
    assert doc["left_out"] == [] and not [n for n in doc["notes"] if "not in the config" in n]
