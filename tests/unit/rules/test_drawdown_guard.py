"""drawdown_guard: the firm's trailing max-loss line, with a buffer, never re-baselined."""
from shared.messages.market import AccountUpdate
from tests.unit.risk.desk import ACCOUNT, MNQ, D, Desk, chi, only

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
    # trial 2026-12-05: the alert read "+48,100.00" beside "equity 48100.00": money reads
    # one way (shared/rulenumbers.py money_text) in reasons too
    assert d.reason == ("equity 48,100.00 is 100.00 above the firm's max-loss line 48,000.00, "
                        "inside the 100.00 buffer where riskd acts")


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


def test_without_a_saved_mark_or_a_line_a_note_asks_to_check_it_without_fake_numbers():
    desk = Desk(balance=49_000, drawdown_guard=RULE)
    desk.price(MNQ, 21000)
    balance(desk, 49_000)
    assert desk.account.hwm == 50_000                    # starting balance > balance
    [w] = [w for w in desk.warnings() if w.rule == "drawdown_guard"]
    assert "check the max-loss line" in w.reason
    assert "set to 50,000.00 with no saved mark" in w.reason     # grouped, as screens show it
    assert w.value is None and w.limit is None           # a note, not a reading at 0 vs 0


def test_a_set_line_is_the_line_and_the_check_the_line_note_stops():
    # the firm's dashboard says 48,500 although riskd's own mark would give 48,000
    desk = Desk(balance=50_000, drawdown_guard=dict(RULE, line=48_500))
    balance(desk, 50_000)
    assert [w for w in desk.warnings() if w.rule == "drawdown_guard"] == []
    assert balance(desk, 48_601).decisions == []
    [d] = balance(desk, 48_600).decisions                # line 48500 + buffer 100
    assert d.limit == 48_600 and d.action == "flatten"


def test_a_line_set_by_a_live_edit_replaces_the_mark_at_once():
    desk = Desk(drawdown_guard=RULE)
    balance(desk, 50_000)
    desk.at(chi(2026, 11, 25, 17))
    balance(desk, 50_400)                                # mark 50000, own line 48000
    desk.engine.settings.rules = only(drawdown_guard=dict(RULE, line=50_000))   # the edit
    [d] = balance(desk, 50_100).decisions                # the firm's 50000 line, + buffer
    assert d.limit == 50_100


def test_after_risk_was_down_over_a_roll_the_mark_stays_the_last_one_taken(tmp_path):
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
    balance(later, 51_200)          # today's intraday balance is not Tuesday's close
    assert later.account.hwm == 50_000


def test_an_account_update_before_its_fill_does_not_count_the_loss_twice():
    # the broker's new balance (the -400 close already in it) comes before the close's Trade
    # and Position: balance + the still-open -400 would read 47,900 and flatten at 48,100
    from tests.unit.risk.desk import SIDE_BUY, SIDE_SELL
    desk = Desk(drawdown_guard=RULE)
    balance(desk, 48_700)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=2, price=21000)
    desk.long(2, MNQ, 21000)
    assert desk.price(MNQ, 20900).decisions == []               # equity 48,300
    assert balance(desk, 48_300).decisions == []                # the account update first
    assert desk.price(MNQ, "20900.25").decisions == []
    assert desk.trade("-400", contract=MNQ, side=SIDE_SELL, size=2, price=20900).decisions == []
    desk.flat(MNQ)
    assert desk.price(MNQ, 20000).decisions == []               # flat: 48,300 stays
    assert desk.account.book_balance() == 48_300 and desk.account.balance_since == 0


def test_the_check_the_line_note_names_the_profile_table_the_line_goes_in():
    # the account's rules come from a profile named "combine50k": the note names that table
    import os

    import attrs

    from services.risk.settings import RuleSettings
    from shared.config.accounts import AccountConfig
    from shared.config.load import load_config
    here = os.path.dirname(os.path.abspath(__file__))
    config = load_config(os.path.join(here, "..", "..", "..", "etc", "riskd.toml")).config
    rules = attrs.evolve(config.profiles["default"].rules,
                         drawdown_guard=only(drawdown_guard=RULE).drawdown_guard)
    profile = attrs.evolve(config.profiles["default"], rules=rules)
    config = attrs.evolve(config, profiles={**config.profiles, "combine50k": profile},
                          accounts=[AccountConfig(id=ACCOUNT, profile="combine50k")])
    desk = Desk(balance=49_000, drawdown_guard=RULE)
    desk.engine.settings = RuleSettings(config)
    desk.engine.accounts.clear()           # start over under this config
    desk.engine.warned.clear()
    desk.history.clear()
    balance(desk, 49_000)
    notes = [w.reason for w in desk.warnings() if w.rule == "drawdown_guard"]
    # the account's own line, not the profile's (every account of it): trial 2026-12-06
    assert notes and all(f"`riskctl rules set {ACCOUNT} drawdown_guard line <the line>`" in n
                         for n in notes), notes
