"""A trade count already past its limit when trade_frequency_limit is enabled is a breach at
once (RULES.md: enabling a rule applies at once; a count reaching its limit acts at once).
Fresh-user trial 2026-12-06: `rules enable` answered "nothing held breaks it now" at 53 of 50
trades per session, then only a warning came: "trade_frequency_limit at 106% of its limit"."""
from services.risk.outcome import FixedRules
from tests.unit.risk.desk import MNQ, SIDE_BUY, SIDE_SELL, Desk, only

NS = 1_000_000_000
ON = dict(per_minute=0, per_hour=0, per_session=5, per_session_cooldown=3600, flatten=False)


def traded(n: int, every_s: int = 30) -> Desk:
    """n trades with the rule off (another rule on so the account is guarded)."""
    desk = Desk(daily_realized_loss={"limit": 500})
    for i in range(n):
        desk.trade(side=SIDE_BUY if i % 2 == 0 else SIDE_SELL, contract=MNQ)
        desk.now += every_s * NS
    return desk


def enable(desk: Desk, **params):
    desk.engine.settings = FixedRules(only(daily_realized_loss={"limit": 500},
                                           trade_frequency_limit={**ON, **params}))
    return desk.engine.rejudge({1001: {"trade_frequency_limit"}}, desk.now)


def test_enabled_past_its_session_count_the_cooldown_runs_from_the_latest_trade():
    desk = traded(6)                                         # 6 of 5, the last 30 s ago
    out = enable(desk)
    [d] = [d for d in out.decisions if d.rule == "trade_frequency_limit"]
    assert d.reason == "6 trades this session reached the limit of 5", d.reason
    [change] = out.lockouts
    last = desk.now - 30 * NS
    assert change.lockout.until_ns == last + 3600 * NS
    assert not [w for w in out.warnings if w.rule == "trade_frequency_limit"]


def test_enabled_past_a_minute_window_it_starts_that_cooldown():
    desk = traded(4, every_s=5)                              # 4 in 20 s
    out = enable(desk, per_minute=3, per_minute_cooldown=60, per_session=0)
    [d] = [d for d in out.decisions if d.rule == "trade_frequency_limit"]
    assert d.reason == "4 trades this minute reached the limit of 3", d.reason


def test_a_cooldown_that_would_have_ended_already_takes_nothing():
    desk = traded(6)
    desk.now += 2 * 3600 * NS                                # the last trade 2 h ago
    out = enable(desk)
    assert [d for d in out.decisions if d.rule == "trade_frequency_limit"] == []
    assert out.lockouts == []


def test_below_the_limit_enabling_judges_nothing():
    out = enable(traded(3))
    assert [d for d in out.decisions if d.rule == "trade_frequency_limit"] == []
