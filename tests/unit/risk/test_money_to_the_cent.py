"""Money is exact cents on every screen and in `riskctl history --json` (trial23a finding 7):
open PnL from the broker's average price of several fills (a float's repr, "21052.916666666668")
came out as -917.5000000000080, history --json as "-609.21000000000000032"; a short at its own
price was "-0.00"; and a rule row printed a profit without its sign, "45.43/-500.00", beside a
bar reading "+45.43 / -500.00"."""
from __future__ import annotations

from decimal import Decimal

from cli.watch.model import fmt_money
from services.risk.pnl import unrealized
from shared.rulenumbers import money_text, value_limit_text
from tests.unit.risk.desk import CONTRACTS, MNQ


def test_open_pnl_from_a_float_average_price_is_exact_cents():
    avg = Decimal(str(sum([21053.25, 21052.75, 21052.75]) / 3))      # 21052.916666666668
    value = unrealized(1, 3, avg, Decimal("20900"), CONTRACTS[MNQ])
    # the fills: 63,158.75 points bought, 3 x 20,900 now: -458.75 points x 2.00 = -917.50
    assert str(value) == "-917.50", value


def test_a_short_at_its_own_price_is_zero_not_minus_zero():
    value = unrealized(-1, 5, Decimal("21000"), Decimal("21000"), CONTRACTS[MNQ])
    assert str(value) == "0" and not value.is_signed(), value
    assert fmt_money(Decimal("-0.00")) == "+0.00" and fmt_money(Decimal("-0.001")) == "+0.00"
    assert money_text(Decimal("-0.00")) == "0.00" and money_text(Decimal("-0.004")) == "0.00"


def test_a_rule_row_signs_a_profit():
    assert value_limit_text("daily_realized_loss", Decimal("45.43"), Decimal("-500"),
                            sep="/") == "+45.43/-500.00"
    assert value_limit_text("daily_realized_loss", Decimal("-45.43"), Decimal("-500"),
                            sep="/") == "-45.43/-500.00"
    assert value_limit_text("daily_realized_loss", Decimal("0"), Decimal("-500"),
                            sep="/") == "0.00/-500.00"
    assert value_limit_text("max_contracts", Decimal("2"), Decimal("5")) == "2 / 5"
    # drawdown_guard's value is equity, not a profit (shown in words on the screens)
    assert value_limit_text("drawdown_guard", Decimal("49732.5"), Decimal("48100")) == \
        "49,732.50 / 48,100.00"
