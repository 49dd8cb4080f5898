"""drawdown_guard: the firm's trailing max-loss line, with a buffer, never re-baselined."""
from shared.messages.market import AccountUpdate
from tests.unit.risk.desk import ACCOUNT, MNQ, D, Desk, chi

RULE = {"max_loss": 2000, "buffer": 100, "starting_balance": 50000}


def balance(desk, amount):
    return desk.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(amount),
                                   can_trade=True))


def test_equity_within_100_of_the_48000_line_flattens():
    desk = Desk(drawdown_guard=RULE)
    balance(desk, 48_500)
    desk.long(1, MNQ, 21000)
    assert desk.price(MNQ, 20800.5).decisions == []     # equity 48101: 101 above the line
    [d] = desk.price(MNQ, 20800).decisions              # equity 48100
    assert d.action == "flatten" and d.value == 48100 and d.limit == 48100
    assert d.lock.kind == "until_reset"


def test_eod_mark_rises_at_the_roll_and_the_line_stops_at_starting_balance():
    desk = Desk(start=chi(2026, 11, 25, 9), drawdown_guard=RULE)
    balance(desk, 51_000)
    desk.at(chi(2026, 11, 25, 17))                      # roll: mark 51000 -> line 49000
    assert desk.account.hwm == 51_000
    assert balance(desk, 49_101).decisions == []
    [d] = balance(desk, 49_100).decisions
    assert d.limit == 49_100
    desk2 = Desk(drawdown_guard=RULE)
    balance(desk2, 53_000)
    desk2.at(chi(2026, 11, 25, 17))                      # mark 53000, line capped at 50000
    [d] = balance(desk2, 50_100).decisions
    assert d.limit == 50_100


def test_intraday_mark_follows_open_equity():
    desk = Desk(drawdown_guard=dict(RULE, trailing="intraday"))
    desk.long(1, MNQ, 21000)
    desk.price(MNQ, 21500)                              # equity 51000: mark 51000, line 49000
    assert desk.account.hwm == 51_000
    [d] = desk.price(MNQ, 20050).decisions              # equity 48100 <= 49100
    assert d.limit == 49_100


def test_without_a_saved_mark_the_highest_known_line_wins_and_a_warning_asks_to_check():
    desk = Desk(balance=49_000, drawdown_guard=dict(RULE, line=48_500))
    desk.price(MNQ, 21000)
    balance(desk, 49_000)
    assert desk.account.hwm == 50_500                    # line 48500 + 2000 > balance, start
    [w] = [w for w in desk.warnings() if w.rule == "drawdown_guard"]
    assert "check the max-loss line" in w.reason


def test_after_risk_was_down_over_a_roll_the_eod_mark_rises_with_the_first_balance(tmp_path):
    from services.risk.store import Store
    desk = Desk(start=chi(2026, 11, 24, 10), drawdown_guard=RULE)
    store, _ = Store.open(str(tmp_path))
    store.commit(balance(desk, 50_500), desk.engine)          # eod: the mark is still 50000
    store.save_marks(desk.engine)
    store.close()
    later = Desk(start=chi(2026, 11, 25, 10), drawdown_guard=RULE)   # Wednesday: a roll missed
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    assert later.account.hwm == 50_000
    balance(later, 51_200)                                    # Tuesday's close, seen late
    assert later.account.hwm == 51_200
