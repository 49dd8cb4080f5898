"""The status document the screen shows: PnL, positions, each rule's value vs limit, lockouts."""
from services.risk.rules.base import symbol_matches
from services.risk.views import account_rules, account_status
from tests.unit.risk.desk import ACCOUNT, ES, MNQ, D, Desk, chi


def test_status_shows_pnl_positions_rules_and_lockouts():
    desk = Desk(start=chi(2026, 11, 25, 10), daily_realized_loss={"limit": 500},
                daily_unrealized_loss={"limit": 200})
    desk.trade(pnl="-120", fees="2")
    desk.long(2, MNQ, 21000)
    desk.price(MNQ, 20990)
    desk.short(1, ES, 6000)                   # no price yet
    st = account_status(desk.engine, ACCOUNT, desk.now)
    assert st.trading_day == "2026-11-25" and st.next_roll_ns == chi(2026, 11, 25, 17)
    assert (st.realized, st.fees, st.unrealized) == (D("-122"), D("2"), D("-40"))
    assert st.unrealized_complete is False
    assert [(p.symbol, p.side, p.size, p.unrealized) for p in st.positions] == [
        ("ES", "short", 1, None), ("MNQ", "long", 2, D("-40"))]
    rules = {r.rule: r for r in st.rules}
    assert (rules["daily_realized_loss"].value, rules["daily_realized_loss"].limit) == (
        D("-122"), D("-500"))
    assert rules["daily_realized_loss"].progress == 0.244
    assert rules["max_contracts"].enabled is False and rules["max_contracts"].value is None
    assert st.lockouts == []
    desk.trade(pnl="-400")
    st = account_status(desk.engine, ACCOUNT, desk.now)
    assert [lk.kind for lk in st.lockouts] == ["until_reset"]
    listed = account_rules(desk.engine, ACCOUNT, desk.now)
    assert dict(listed.rules[2].params) == {"limit": "500", "include_fees": "true"}   # TOML, not a repr


def test_configured_symbols_match_tickers_roots_ids():
    assert symbol_matches("ES", ES) and symbol_matches("EP", ES)
    assert symbol_matches("F.US.EP", ES) and symbol_matches("con.f.us.ep.z26", ES)
    assert not symbol_matches("MES", ES) and not symbol_matches("CON.F.US.EP.H27", ES)


def test_params_text_is_written_once_per_params_object_and_follows_a_new_one(monkeypatch):
    """The status's params text is cached per (frozen) params object: the same object is not
    written again, a changed rule (attrs.evolve: a new object) shows its new values, and what
    a caller does with the dict it got never reaches the next caller."""
    import attrs
    from services.risk import views
    from shared.config.rules import DailyRealizedLoss
    rule = DailyRealizedLoss(limit=500)
    calls = []
    real = views.value_text
    monkeypatch.setattr(views, "value_text", lambda v: calls.append(v) or real(v))
    first = views.params_text(rule)
    first["limit"] = "spoiled"
    assert views.params_text(rule) == {"limit": "500", "include_fees": "true"}
    assert len(calls) == 2                                   # written once, not twice
    assert views.params_text(attrs.evolve(rule, limit=300))["limit"] == "300"
