"""`riskctl accounts enable ACCOUNT` after `accounts disable ACCOUNT --now` (fresh-user trial).

- Demo 2 (etc/riskd.toml: max_contracts limit 2) bought MNQ up to 3 while disabled; after
  `accounts enable 1002` status kept "max_contracts 3/2 150%" for over a minute with nothing in
  history, until the trader's next trade: risk judged the account again only on its next event.
  Now an account guarded again is judged at once with every rule, as a restart judges it.
- `rules set 1002 max_contracts limit 1` (a tightening: in force), then `limit 3` (a loosening:
  waits for the roll), then disable --now and enable: limit 3 was in force at once, with no
  alert and no audit line. Now the enable starts from the rules in force as guarding stopped:
  the loosening waits for the roll again.

The real RiskWorker on loopback sockets, etc/riskd.toml's two accounts (test_disable_now.py's
rig), edited with the functions riskctl uses.
"""
from __future__ import annotations

from shared.config.account_edit import set_account_enabled
from shared.config.edit import set_rule_param
from shared.messages.risk import RulesOverrideRequest
from tests.unit.risk.test_disable_now import DEMO2, ask, buy_mnq, worker  # noqa: F401
from tests.unit.risk.worker_rig import reload


def disable_now(w, path, backups) -> None:
    """`accounts disable 1002 --now --reason t7`: armed, then the edit read."""
    ask(w, RulesOverrideRequest(reason="accounts disable 1002 --now: t7", by="admin:root",
                                account="1002", disable=True))
    set_account_enabled(path, "1002", False, backups)
    reload(w, path)
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is None


def test_enable_acts_at_once_on_a_breach_held_while_disabled(worker):
    w, path, backups, _sent = worker
    disable_now(w, path, backups)
    for trade_id, size in ((601, 1), (602, 2), (603, 3)):     # sim buy MNQ 3 --account 1002
        buy_mnq(w, trade_id, size)
    assert w.store.history(DEMO2, 0, 100).decisions == []    # not guarded: nothing judged
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)                                          # accounts enable 1002
    acted = [d for d in w.store.history(DEMO2, 0, 100).decisions if d.rule == "max_contracts"]
    assert acted, w.store.history(DEMO2, 0, 100).decisions
    assert acted[0].action == "reduce_position", acted[0]


def test_enable_keeps_a_waiting_loosening_waiting(worker):
    w, path, backups, sent = worker
    set_rule_param(path, "1002", "max_contracts", "limit", "1", backups)     # tightening
    reload(w, path)
    demo2 = w.engine.accounts[DEMO2]
    assert w.settings.for_account(demo2).max_contracts.limit == 1
    set_rule_param(path, "1002", "max_contracts", "limit", "3", backups)     # waits
    reload(w, path)
    assert w.settings.pending_for(DEMO2) == ["max_contracts"]
    disable_now(w, path, backups)
    sent.clear()
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)
    assert w.settings.for_account(demo2).max_contracts.limit == 1            # not loosened
    assert w.settings.pending_for(DEMO2) == ["max_contracts"]                 # still waits
    assert w.settings.waiting(DEMO2)["max_contracts"]["limit"] == (1, 3)
    # and the phone hears it waits, as any loosening's
    waits = [lines for kind, _s, _t, lines in sent if kind == "rules_loosen_at_roll"]
    assert waits == [["Demo 2 (strict, id 1002): max_contracts limit 1 -> 3, takes effect at the roll, "
                      "Mon 17:00 CST"]], sent
    # the roll lands it, as any waiting loosening
    w.settings.roll(w.clock.now_ns())
    assert w.settings.for_account(demo2).max_contracts.limit == 3



def test_a_waiting_loosening_still_waits_after_a_restart_while_disabled(worker):
    """Risk restarted while Demo 2 was disabled: the enable still starts from the rules it had
    when guarding stopped (the store's meta 'off_rules'), not from the config's looser ones."""
    from services.risk.engine import Engine
    from services.risk.settings import RuleSettings
    from shared.config.load import load_config
    w, path, backups, _sent = worker
    set_rule_param(path, "1002", "max_contracts", "limit", "1", backups)
    reload(w, path)
    set_rule_param(path, "1002", "max_contracts", "limit", "3", backups)
    reload(w, path)
    disable_now(w, path, backups)
    w._flush_marks()
    set_account_enabled(path, "1002", True, backups)
    config = load_config(path).config
    fresh = Engine(w.engine.calendar, RuleSettings(w.settings.config))   # a restarted risk
    w.store.load(fresh, w.clock.now_ns())
    demo2 = fresh.account(DEMO2)
    demo2.name = "SIM-DEMO-2"
    assert fresh.settings.for_account(demo2) is None                      # still disabled
    fresh.settings.update(config, [demo2])                                # accounts enable
    assert fresh.settings.for_account(demo2).max_contracts.limit == 1
    assert fresh.settings.pending_for(DEMO2) == ["max_contracts"]

# -- the same, on the engine alone (etc/riskd.toml as shipped, an injected clock) ----------------

def shipped_with(tmp_path, edit):
    """etc/riskd.toml copied, `edit(path, backups)` applied, loaded."""
    import shutil
    from shared.config.load import load_config
    from tests.unit.risk.desk import SHIPPED
    path = str(tmp_path / "riskd.toml")
    if not (tmp_path / "riskd.toml").exists():
        shutil.copy(SHIPPED, path)
    edit(path, str(tmp_path / "backups"))
    return load_config(path)


def test_engine_judges_an_account_guarded_again_at_once(tmp_path):
    from decimal import Decimal
    from shared.messages.market import POSITION_LONG, PositionUpdate, Quote
    from tests.unit.risk.desk import MNQ, NS, chi, shipped_engine
    now = chi(2026, 11, 25, 9, 0)           # a Wednesday, the market open
    loaded = shipped_with(tmp_path, lambda p, b: None)
    engine = shipped_engine(loaded, now)
    engine.on_event(Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000),
                          bid=Decimal(21000), ask=Decimal("21000.25")), now)
    demo2 = engine.account(DEMO2)
    # accounts disable 1002 --now: the config read, the admin's override applied
    off = shipped_with(tmp_path, lambda p, b: set_account_enabled(p, "1002", False, b)).config
    before = engine.settings.rules_of([demo2])
    engine.settings.update(off, [demo2])
    engine.settings.apply_now([demo2], DEMO2)
    engine.guarding_changed(before, now, "admin:root", "t7")
    assert engine.not_guarded(DEMO2)
    now += NS
    out = engine.on_event(PositionUpdate(account_id=DEMO2, position_id=9, contract_id=MNQ,
                                         ts_ns=now, type=POSITION_LONG, size=3,
                                         average_price=Decimal(21000)), now)
    now += 2 * NS
    out.decisions += engine.tick(now).decisions
    assert out.decisions == []              # not guarded: 3 of 2 is nobody's business
    # accounts enable 1002
    on = shipped_with(tmp_path, lambda p, b: set_account_enabled(p, "1002", True, b)).config
    before = engine.settings.rules_of([demo2])
    engine.settings.update(on, [demo2])
    now += NS
    again = engine.guarding_changed(before, now, "")
    [d] = [d for d in again.decisions if d.rule == "max_contracts"]
    assert (d.action, d.contract_id) == ("reduce_position", MNQ), d
