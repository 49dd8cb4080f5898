"""Actions are never dropped (issue 14 point 3; RULES.md): a decision asking for more than the
lockouts in force is carried out, the longer lockout wins, and only the same action twice for
the same lockout is suppressed."""
from shared.messages.enforce import CommandResult
from tests.unit.risk.desk import MNQ, NQ, NS, SIDE_BUY, SIDE_SELL, Desk

FREQ = {"per_minute": 3, "per_minute_cooldown": 60}      # flatten = false


def three_trades(desk):
    for _ in range(3):
        desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)


def test_a_self_lockout_during_a_cooldown_without_flatten_flattens():
    # bug: "riskctl lockout ACCOUNT --until 10m" answered "locked" but left the 2-lot open
    desk = Desk(trade_frequency_limit=FREQ)
    desk.long(2, MNQ, 21000)
    three_trades(desk)
    assert [c.action for c in desk.commands()] == []       # the cooldown does not flatten
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 600 * NS)
    assert refusal == ""
    [cmd] = out.commands
    assert cmd.action == "flatten" and cmd.rule == "self_lockout"
    [d] = out.decisions
    assert not d.suppressed and d.by == "trader (self-lockout)"
    # the self-lockout is a row of its own; the cooldown's row stays as it was
    mine, cooldown = desk.engine.lockouts.all()                 # the longest first
    assert (cooldown.rule, cooldown.by, cooldown.until_ns) == \
        ("trade_frequency_limit", "rule", desk.now + 60 * NS)
    assert (mine.rule, mine.by, mine.until_ns) == ("self_lockout", "trader", desk.now + 600 * NS)


def test_a_shorter_self_lockout_still_flattens_and_keeps_the_longer_lock():
    desk = Desk(trade_frequency_limit=dict(FREQ, per_minute_cooldown=3600))
    desk.long(2, MNQ, 21000)
    three_trades(desk)
    out, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 60 * NS)
    assert [c.action for c in out.commands] == ["flatten"]
    cooldown, mine = desk.engine.lockouts.all()             # the longer lockout stays as it was
    assert (cooldown.rule, cooldown.until_ns) == ("trade_frequency_limit", desk.now + 3600 * NS)
    assert (mine.rule, mine.until_ns) == ("self_lockout", desk.now + 60 * NS)


def test_rule_7s_flatten_is_carried_out_when_rule_6_set_a_timer_on_the_same_fill():
    desk = Desk(trade_frequency_limit=FREQ,
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                     "flatten": True})
    desk.long(1, MNQ, 21000)
    desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)
    desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)
    out = desk.trade("-150", contract=NQ, side=SIDE_SELL, size=1, price=19990)  # third + loss
    assert [c.action for c in out.commands] == ["flatten"]
    assert [d.rule for d in out.decisions if not d.suppressed] == \
        ["trade_frequency_limit", "cooldown_after_loss"]
    [lock] = desk.engine.lockouts.all()
    assert lock.until_ns == desk.now + 300 * NS


def test_the_same_action_for_the_same_lockout_is_not_taken_twice():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(1, MNQ, 21000)
    desk.trade("-600", contract=NQ, side=SIDE_SELL)
    desk.trade("-10", contract=NQ, side=SIDE_SELL)
    assert [c.action for c in desk.commands()] == ["flatten"]


def flattened_then_restarted(tmp_path, **rules) -> Desk:
    """A loss of 600 flattens (its result stored), then a new risk loads the store."""
    from services.risk.store import Store
    desk = Desk(**rules)
    store, _ = Store.open(str(tmp_path))
    desk.long(1, MNQ, 21000)
    store.commit(desk.trade("-600", contract=NQ, side=SIDE_SELL), desk.engine)
    [cmd] = desk.commands()
    store.commit(desk.engine.on_result(CommandResult(command_id=cmd.id, account_id=1001,
                                                     status="done"), desk.now), desk.engine)
    store.close()
    later = Desk(**rules)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    return later


def test_after_a_restart_the_same_rule_breaching_again_does_not_flatten_twice(tmp_path):
    later = flattened_then_restarted(tmp_path, daily_realized_loss={"limit": 500})
    later.trade("-10", contract=NQ, side=SIDE_SELL, trade_id=99)     # still past the limit
    assert [c.action for c in later.commands()] == []               # flattened once, before


def test_after_a_restart_another_rule_under_the_same_lockout_does_not_flatten_again(tmp_path):
    """Chaos run, drawdown: daily_net_loss flattened and locked until the roll; risk was
    restarted; drawdown_guard then breached on the same loss (a lockout until the roll too)
    and flattened the account a second time. Without a restart it is the same action for the
    same lockout and is not taken twice."""
    later = flattened_then_restarted(tmp_path, daily_realized_loss={"limit": 500},
                                     daily_net_loss={"limit": 550})
    held = {lk.rule for lk in later.engine.lockouts.all()}
    later.trade("-10", contract=NQ, side=SIDE_SELL, trade_id=99)     # both still past
    assert [c.action for c in later.commands()] == [], held        # flattened once, before
