"""The notice "looser rule settings wait for the trading-day roll" goes out when what waits
changes, not at every config reload (trial finding 4), and says what waits: the account, the
rule's parameter old -> new, and when it takes effect (services/risk/loosening.py).

The real RiskWorker on loopback sockets in this process; its config is etc/riskd.toml's
(make_config), edited with the same function `riskctl rules set` uses. The notices are
taken where the worker hands them to its PUB (RiskWorker._notify).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import zmq

from services.risk.app import RiskWorker
from shared import showtime
from shared.config import load_config
from shared.config.edit import set_rule_param
from shared.messages.market import AccountUpdate, MarketSnapshot
from shared.rulenumbers import money_text
from tests.support.env import make_config
from tests.unit.risk.worker_rig import reload, risk_worker

ACCOUNT = 1001
NOTICE = "rules_loosen_at_roll"


@pytest.fixture
def worker(tmp_path):
    # the account configured with a display name, as etc/riskd.toml's are: the notice names
    # it the way alerts do
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1",
                                 "display_name": "Demo 1"}]) as rig:
        yield rig


def notices(sent) -> list[list[str]]:
    return [lines for kind, _sev, _title, lines in sent if kind == NOTICE]


def test_the_waiting_notice_is_sent_when_what_waits_changes_and_only_then(worker):
    w, path, backups, sent = worker
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit
    # a loosening: a higher daily loss limit than the shipped one waits for the roll
    set_rule_param(path, "default", "daily_realized_loss", "limit", str(limit + 400), backups)
    reload(w, path)
    # which account (named as alerts name it), rule and parameter, old -> new, and when
    # (trial: it said "1001: daily_realized_loss", no values, no time)
    roll = showtime.at(w.engine.calendar.next_roll(w.clock.now_ns()),
                       showtime.zone_of(w.config), w.clock.now_ns())
    assert notices(sent) == [[f"Demo 1 (id 1001): daily_realized_loss limit {money_text(limit)} -> "
                              f"{money_text(limit + 400)}, "
                              f"takes effect at the roll, {roll}"]]

    reload(w, path)                               # nothing changed in what waits
    reload(w, path)
    assert len(notices(sent)) == 1

    # a tightening elsewhere applies now; what waits is the same
    set_rule_param(path, "default", "max_contracts", "limit", "1", backups)
    reload(w, path)
    assert len(notices(sent)) == 1

    # the same rule loosened further: a different value waits, so it is said again
    set_rule_param(path, "default", "daily_realized_loss", "limit", str(limit + 900), backups)
    reload(w, path)
    assert len(notices(sent)) == 2

    # the admin override applies what waits; reloads of that file wait for nothing more
    w.settings.apply_now(list(w.engine.accounts.values()))
    reload(w, path)
    assert len(notices(sent)) == 2

    # a new loosening after that (a trading-day roll clears what waits the same way)
    set_rule_param(path, "default", "daily_realized_loss", "limit", str(limit + 1000), backups)
    reload(w, path)
    [[line]] = notices(sent)[2:]
    assert line.startswith(f"Demo 1 (id 1001): daily_realized_loss limit {money_text(limit + 900)} -> "
                           f"{money_text(limit + 1000)}, "
                           "takes effect at the roll, ")


def test_a_notice_names_only_what_its_change_made_wait(worker):
    # trial: with daily_realized_loss 250 -> 400 waiting, `rules disable 1002
    # trade_frequency_limit` sent a notice that announced the old 250 -> 400 again
    w, path, backups, sent = worker
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit
    set_rule_param(path, "default", "daily_realized_loss", "limit", str(limit + 400), backups)
    reload(w, path)
    assert len(notices(sent)) == 1
    # disabling a rule loosens too: it waits, and the notice says that and only that
    set_rule_param(path, "default", "trade_frequency_limit", "enabled", "false", backups)
    reload(w, path)
    [[line]] = notices(sent)[1:]
    assert line.startswith("Demo 1 (id 1001): trade_frequency_limit enabled true -> false, takes effect")
    assert w.settings.pending_for(ACCOUNT) == ["daily_realized_loss", "trade_frequency_limit"]


def start(path):
    w = RiskWorker(load_config(path), ctx=zmq.Context())
    w.bind()
    w.setup()
    return w


def stop(w):
    w.teardown()
    for s in w._sockets:
        s.close(0)
    w.ctx.term()


def named(w):
    w.on_snapshot(MarketSnapshot(seq=0, epoch="test", complete=True, accounts=[
        AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                      can_trade=True)]))


def what_waits_shown(w):
    """What the screens and `rules list` show waiting for the account, and what is in force."""
    from services.risk.views import account_rules
    now = w.clock.now_ns()
    listed = account_rules(w.engine, ACCOUNT, now)
    [row] = [r for r in listed.rules if r.rule == "daily_realized_loss"]
    limit = w.settings.for_account(w.engine.accounts[ACCOUNT]).daily_realized_loss.limit
    return limit, listed.pending, row.waiting


def test_the_trial_sequence_leaves_nothing_waiting_before_and_after_a_restart(tmp_path):
    # trial: set 250, 400 (waits), a riskd restart (its accounts read before the broker's
    # names arrive), 3000, override 250 -> 3000: the screens still said "limit 400 at roll"
    path = load_config(make_config(tmp_path, accounts=[
        {"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}])).path
    backups = str(tmp_path / "backups")
    w = start(path)
    try:
        named(w)
        set_rule_param(path, "default", "daily_realized_loss", "limit", "250", backups)
        reload(w, path)
        set_rule_param(path, "default", "daily_realized_loss", "limit", "400", backups)
        reload(w, path)
        assert what_waits_shown(w) == (250, ["daily_realized_loss"], {"limit": "400"})
        w._flush_marks()
    finally:
        stop(w)
    w = start(path)
    try:
        w._publish_status()                  # before market's snapshot names the account (no
        # watch screen: no status is made; rules list resolves the settings itself)
        assert what_waits_shown(w) == (250, ["daily_realized_loss"], {"limit": "400"})
        named(w)
        assert what_waits_shown(w) == (250, ["daily_realized_loss"], {"limit": "400"})
        set_rule_param(path, "default", "daily_realized_loss", "limit", "3000", backups)
        reload(w, path)
        assert what_waits_shown(w) == (250, ["daily_realized_loss"], {"limit": "3000"})
        [(aid, rule, diff)] = w.settings.apply_now(list(w.engine.accounts.values()), ACCOUNT,
                                                    "daily_realized_loss")
        assert diff == {"limit": (250, 3000)}
        assert what_waits_shown(w) == (3000, [], {})
        w._flush_marks()
    finally:
        stop(w)
    w = start(path)                          # and a restart says the same
    try:
        named(w)
        assert what_waits_shown(w) == (3000, [], {})
    finally:
        stop(w)
