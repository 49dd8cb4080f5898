"""The "riskd is stopping" alert lists a symbol_blocks lockout in words, not with the rule's
name tacked on (fresh-user trial 17g section 6: "Demo 1 (id 1001) CL locked while CL is listed
in symbol_blocks (an admin's unlock ends it until CL's next trade, symbol_blocks)": the rule
name inside the bracket of how the lockout ends). The words name the rule already and say what
ends it; other rules' lockouts keep their rule in the bracket. From risk's real lockout of a
listed symbol (the engine's recheck, as a `rules set ... symbol_blocks` reload runs it)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs

from services.risk.outcome import FixedRules
from services.supervisor.lastheld import Held
from services.supervisor.riskdalerts import held_lines
from shared.accountname import account_name
from shared.config.accounts import AccountConfig
from shared.messages.risk import AccountStatus
from tests.unit.risk.desk import Desk, only

CHI = ZoneInfo("America/Chicago")
CONFIGURED = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1")]


def test_a_listed_symbols_lockout_reads_as_its_words_without_the_rule_tacked_on():
    desk = Desk(symbol_blocks={"symbols": []})
    desk.engine.settings = FixedRules(only(symbol_blocks={"symbols": ["CL"]},
                                           cooldown_after_loss={}))
    desk.engine.recheck(desk.now)                    # CL listed: its lockout, nothing held
    locks = desk.engine.lockouts.all(1001)
    assert [lk.symbol for lk in locks] == ["CL"], locks
    at_stop = AccountStatus(account_id=1001, name="SIM-DEMO-1", ts_ns=desk.now,
                            trading_day="2026-11-25", lockouts=locks)
    lines = held_lines(Held((at_stop,)), lambda aid, n: account_name(CONFIGURED, aid, n), CHI,
                       desk.now)
    assert lines[-1] == ("Demo 1 (id 1001) CL locked while CL is listed in symbol_blocks (an "
                         "admin's unlock does not free it: CL's next trade is closed and CL locked "
                         "again)"), lines
    # another rule's lockout keeps its rule beside its kind
    timer = attrs.evolve(locks[0], symbol=None, rule="cooldown_after_loss", kind="timer",
                         clears_on="", until_ns=desk.now + 300 * 10**9)
    lines = held_lines(Held((attrs.evolve(at_stop, lockouts=[timer]),)),
                       lambda aid, n: account_name(CONFIGURED, aid, n), CHI, desk.now)
    assert lines[-1] == "Demo 1 (id 1001) locked until Wed 09:05 CST (timer, cooldown_after_loss)"
    assert dt.datetime.fromtimestamp(desk.now / 1e9, CHI).strftime("%a %H:%M") == "Wed 09:00"
