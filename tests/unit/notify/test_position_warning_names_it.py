"""Trial22a F4: the phone's 80 % warning of daily_unrealized_loss (scope position, as shipped)
read "value -161.00 vs limit -200.00" and not which position, while history's reason named it
("MNQ open PnL -161.00") and docs/rules.md quotes "MNQ open PnL -188.00". With two positions
the trader could not tell which one was near its close. Shipped rules (etc/riskd.toml:
limit 200, warn_at 0.8), the warning risk gives."""
from __future__ import annotations

import pytest

from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, MNQ
from tests.unit.risk.desk import shipped_desk
from tests.unit.risk.engine_run import LOADED

pytestmark = pytest.mark.timeout(30)


def test_a_position_scope_warning_names_the_position():
    desk = shipped_desk(LOADED)
    desk.filled(1, MNQ, 21000)
    desk.wait(1)
    desk.price(MNQ, 20919)                      # MNQ open PnL -162.00: 81 % of -200.00
    [w] = [w for w in desk.warnings() if w.rule == "daily_unrealized_loss"]
    alert = build(w, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.title == "🟡 daily_unrealized_loss at 81% of its limit on Demo 1 (id 1001)", \
        alert.title
    assert alert.lines[0] == "MNQ open PnL -162.00 vs limit -200.00", alert.lines
