"""The phone names one lockout two rules made as the screens do: trade_frequency_limit's
cooldown extended by cooldown_after_loss (one timer per account, services/risk/lockouts.py) is
'cooldown_after_loss, extending trade_frequency_limit's cooldown' on /status and /lockouts, as
on the COOLDOWN banner and in `riskctl lockouts` (shared/lockwords.holder_words). Before, the
phone named cooldown_after_loss alone while history said trade_frequency_limit's lockout was
taken and extended (trial20a section 4: one lockout or two?)."""
from __future__ import annotations

import attrs
import pytest

from cli.commands._risk_view import lockout_rows
from tests.unit.cli.screens import CHICAGO, NOW, account
from tests.unit.cli.test_one_lockout_two_rules import taken_then_extended
from services.notify.templates import Context
from shared.clock import NS_PER_S, FakeClock
from tests.unit.notify.test_bot_not_live import Riskd
from tests.unit.notify.test_commands import S, STATUS_FROM_111, chat_poller

pytestmark = pytest.mark.timeout(30)


def answer(tmp_path, text: str, market: str, accounts, now_ns: int = NOW) -> str:
    """The bot's answer to text, riskd giving these accounts, at now_ns."""
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = Riskd(market, accounts)
    poller.ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    poller.clock = FakeClock(now_ns)
    poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=now_ns // S,
                                                    text=text)})
    return outbox.next_reply("telegram").text

BOTH = "cooldown_after_loss, extending trade_frequency_limit's cooldown"


@pytest.mark.parametrize("command", ["/status", "/lockouts"])
def test_the_phone_names_both_rules_of_the_one_lockout(tmp_path, command):
    _book, _changes, lock = taken_then_extended()
    assert (lock.rule, lock.took_over_rule) == ("cooldown_after_loss", "trade_frequency_limit")
    text = answer(tmp_path, command, "running", [account(lockouts=[lock])])
    [line] = [ln for ln in text.splitlines() if "🔒" in ln]
    assert f", {BOTH} by rule" in line, text
    # the words riskctl lockouts gives the same lockout
    assert BOTH in " ".join(lockout_rows([lock], tz=CHICAGO, now_ns=NOW).split())


def test_a_lockout_no_other_rule_extended_names_its_rule_alone(tmp_path):
    _book, _changes, lock = taken_then_extended()
    own = attrs.evolve(lock, took_over_rule="")
    text = answer(tmp_path, "/status", "running", [account(lockouts=[own])])
    [line] = [ln for ln in text.splitlines() if "🔒" in ln]
    assert ", cooldown_after_loss by rule" in line and "extending" not in line, text


def test_a_lockout_past_its_end_reads_ended_clearing_as_riskctl_lockouts_says(tmp_path):
    """riskctl lockouts: 'Wed 14:01:03 CST (ended, clearing)' for a lockout risk lists until
    its next tick; the phone said 'until 14:01:03 CST (in 0s)'."""
    _book, _changes, lock = taken_then_extended()
    past = lock.until_ns + 5 * NS_PER_S
    text = answer(tmp_path, "/lockouts", "running", [account(lockouts=[lock])], now_ns=past)
    [line] = [ln for ln in text.splitlines() if "🔒" in ln]
    assert "(ended, clearing)" in line and "(in 0s)" not in line, text
    assert "(ended, clearing)" in lockout_rows([lock], tz=CHICAGO, now_ns=past)
