"""riskd's late fill of a call whose answer was lost is credited to the close that sent that
call, not to an earlier decision the replay matched (trial25b F3).

The trial: "riskd closed MNQ 1 at 16:50:29 (its lockout reduce_position decided at 16:49:26)";
riskd's own history named it the late cut of max_contracts decided at 16:50:03 ("its earlier
cut (sent at 16:50:03, before enforcement restarted) was carried out late at 16:50:29"); the
lockout reduce of 16:49:26 had been carried out at 16:49:43 by its own fill. Here: the trader
buys 6 at 10:00:01 (6 > max_contracts' limit 5, shipped): riskd's reduce by 1, decided then,
sells 1 at 10:00:01.300 (its result not in the journal: any fill of riskd's may be its); at
10:00:20 riskd's daily_unrealized_loss close of MNQ (a decision the replay, with no bar low,
does not make) ends done at 10:00:21 with its call unanswered (HTTP 500: unsettled); riskd's
sell of the 5 left, at 10:00:40, no result named: that call, carried out late. riskd's records
are built as the risk worker and enforcement leave them; the config is etc/riskd.toml."""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import LiveClose, RiskdRecords
from cli.replay.runner import Runner
from shared.messages.enforce import CommandResult, LostCall
from tests.support.replay_days import MNQ, Days, chi, recorded

pytestmark = pytest.mark.timeout(30)
NS = 1_000_000_000
MS = 1_000_000
T0 = chi(2026, 11, 25, 10, 0)
ACCOUNT = 1001


def test_a_late_fill_is_the_close_whose_call_got_no_answer(config):
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    rec = RiskdRecords()
    recorded(d, rec, T0, [(NS, "buy", 6, 9001), (1_300 * MS, "sell", 1, 9100),
                          (40 * NS, "sell", 5, 9101)])
    rec.closes = [
        LiveClose(T0 + NS, "max_contracts", "reduce_position", MNQ, "d1", "d1.1",
                  reason="6 contracts open (gross), limit 5: reduce MNQ by 1", event_ns=T0 + NS),
        LiveClose(T0 + 20 * NS, "daily_unrealized_loss", "close_position", MNQ, "d2", "d2.1",
                  reason="MNQ open PnL -210.00 reached the unrealized loss limit -200.00",
                  event_ns=T0 + 20 * NS)]
    rec.outcomes([CommandResult(
        command_id="d2.1", account_id=ACCOUNT, status="done", action="close_position",
        rule="daily_unrealized_loss", finished_ns=T0 + 21 * NS, orders_known=True,
        unsettled=[LostCall(contract_id=MNQ, lost_ns=T0 + 21 * NS, how="HTTP 500")])])
    r = Runner(build_engine(load(config), {}), d.history(), rec).run()
    assert r.rules["max_contracts"].contracts_closed == 1, r.rules
    assert r.rules["daily_unrealized_loss"].contracts_closed == 5, r.rules
    assert not [n for n in r.notes if "max_contracts reduce_position decided" in n], r.notes
