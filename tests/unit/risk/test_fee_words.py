"""One loss, one story about fees (third trial: open PnL read -400.00 while the position was
open, the cooldown said "one trade lost 400.37" and realized PnL read -400.74, with no word on
fees). Each reason says which figure includes fees; what a rule decides is unchanged."""
from __future__ import annotations

from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, SIDE_BUY, SIDE_SELL, Desk


def round_turn(desk):
    """The trial's trade: MNQ bought (fee 0.37) and sold 400.00 lower (fee 0.37)."""
    desk.trade(None, fees="0.37", side=SIDE_BUY, price="21000")
    desk.trade("-400.00", fees="0.37", side=SIDE_SELL, price="20800")


def test_the_cooldown_and_the_daily_loss_say_their_figures_include_fees():
    desk = Desk(cooldown_after_loss={"tiers": [{"loss": 300, "seconds": 1800}],
                                     "flatten": False},
                daily_realized_loss={"limit": 400})
    round_turn(desk)
    [cooldown] = desk.decisions("cooldown_after_loss")
    assert cooldown.reason == ("one trade lost 400.37 incl. fees 0.37 (tier 300.00): "
                               "cooldown 30m00s")
    [daily] = desk.decisions("daily_realized_loss")
    assert daily.reason == ("realized PnL -400.74 incl. fees 0.74 reached the daily loss limit "
                            "-400.00")
    alert = build(daily, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert any("realized PnL -400.74 incl. fees 0.74" in line for line in alert.lines), alert


def test_a_rule_that_leaves_fees_out_says_so():
    desk = Desk(daily_realized_loss={"limit": 400, "include_fees": False})
    round_turn(desk)
    [daily] = desk.decisions("daily_realized_loss")
    assert daily.reason == ("realized PnL -400.00 (fees 0.74 not counted) reached the daily "
                            "loss limit -400.00")


def test_no_fees_no_words():
    desk = Desk(cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                     "flatten": False})
    desk.trade(None, side=SIDE_BUY)
    desk.trade("-150.00", side=SIDE_SELL)
    [cooldown] = desk.decisions("cooldown_after_loss")
    assert cooldown.reason == "one trade lost 150.00 (tier 100.00): cooldown 5m00s"


def test_the_net_loss_says_its_realized_part_includes_fees():
    desk = Desk(daily_net_loss={"limit": 400})
    round_turn(desk)
    [net] = desk.decisions("daily_net_loss")
    # each part with its sign and figure (trial: "(realized incl. fees 3.33 + open)" read as
    # if realized were +3.33, and never gave the open figure)
    assert net.reason.startswith("net PnL -400.74 (realized -400.74 incl. fees 0.74, open "
                                 "0.00) reached the daily loss line -400.00"), net.reason
