"""A trade count's warning says on the phone what the next trade does, in history's words
(trial16g, finding 11: the rule_warning alert "🟡 trade_frequency_limit at 67% of its limit ...
value 2 vs limit 3 per minute" omitted "the next trade starts the cooldown", which history had).
One function writes it for both (shared/rulenumbers.warning_next). Shipped rules (etc/riskd.toml,
account 1001: 3 trades a minute), the warning risk gives at the 2nd trade.
"""
from __future__ import annotations

import pytest

from services.notify.templates import Context, build
from shared.historywords import rows
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import CHI, MNQ, shipped_desk
from tests.unit.risk.engine_run import LOADED

pytestmark = pytest.mark.timeout(30)


def test_the_warning_alert_and_history_say_what_the_next_trade_does():
    desk = shipped_desk(LOADED)
    desk.filled(1, MNQ, 21000)
    desk.wait(1)
    desk.filled(2, MNQ, 21000)
    [w] = [w for w in desk.warnings() if w.rule == "trade_frequency_limit"]
    [row] = rows(HistoryReply(warnings=[w]), {}, CHI)
    assert row[6] == "the next trade starts the cooldown", row
    alert = build(w, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.lines == ("value 2 vs limit 3 per minute", row[6]), alert.lines
