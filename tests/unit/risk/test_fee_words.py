"""One loss, one story about fees (third trial: open PnL read -400.00 while the position was
open, the cooldown said "one trade lost 400.37" and realized PnL read -400.74, with no word on
fees). Each reason says which figure includes fees; what a rule decides is unchanged."""
from __future__ import annotations

from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, ES, SIDE_BUY, SIDE_SELL, Desk


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
    assert cooldown.reason == ("closing fill lost 400.37 incl. its fees 0.37 (tier 300.00): "
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
    assert cooldown.reason == "closing fill lost 150.00 (tier 100.00): cooldown 5m00s"


def test_the_net_loss_says_its_realized_part_includes_fees():
    desk = Desk(daily_net_loss={"limit": 400})
    round_turn(desk)
    [net] = desk.decisions("daily_net_loss")
    # each part with its sign and figure (trial: "(realized incl. fees 3.33 + open)" read as
    # if realized were +3.33, and never gave the open figure)
    assert net.reason.startswith("net PnL -400.74 (realized -400.74 incl. fees 0.74, open "
                                 "0.00) reached the daily loss line -400.00"), net.reason


def test_the_trials_es_loss_says_closing_fill_beside_the_days_realized():
    """Trial 2026-12-05: 2 ES bought (fees 2.80), closed 975.00 lower (fees 2.80). One alert read
    daily_realized_loss 'realized PnL -980.60 incl. fees 5.60' beside cooldown_after_loss 'one
    trade lost 977.80 incl. fees 2.80' -- two losses for one round trip. Rule 7 counts one trade
    (a fill, RULES.md) with that fill's fees; the words now say so. Shipped tiers and limit
    (etc/riskd.toml: tiers 100/200/300, limit 500); flatten off so only the reasons matter."""
    desk = Desk(cooldown_after_loss={"flatten": False}, daily_realized_loss={})
    desk.trade(None, fees="2.80", contract=ES, side=SIDE_BUY, size=2, price="6000")
    desk.trade("-975.00", fees="2.80", contract=ES, side=SIDE_SELL, size=2, price="5990.25")
    [cooldown] = desk.decisions("cooldown_after_loss")
    assert cooldown.reason == ("closing fill lost 977.80 incl. its fees 2.80 (tier 300.00): "
                               "cooldown 30m00s")
    [daily] = desk.decisions("daily_realized_loss")
    assert daily.reason.startswith("realized PnL -980.60 incl. fees 5.60 reached"), daily.reason


def test_the_tier_is_chosen_on_the_closing_fill_not_the_round_trip():
    """The decision behind the words, pinned at a tier boundary: the closing fill lost 99.87
    with its fee (the round trip 100.24 with the entry's): under the 100 tier, no cooldown."""
    desk = Desk(cooldown_after_loss={"flatten": False})
    desk.trade(None, fees="0.37", side=SIDE_BUY)
    desk.trade("-99.50", fees="0.37", side=SIDE_SELL)
    assert desk.decisions("cooldown_after_loss") == []
