"""A symbol newly listed in symbol_blocks while it is held: one breach, one record.

Fresh-user trial 17a, finding 8: `rules set 1002 symbol_blocks symbols '["CL"]' --yes` while
holding 1 CL gave two "rule symbol_blocks" lines in history at the same instant, "lock CL on
the account (manual)" and "done: CL closed; lock CL on the account (manual)", and two
"Breach symbol_blocks" blocks in the alert ("action: lock CL" and "action: close the position
CL"): a reader counts two breaches for one. The reload locked every listed symbol first (a
record of its own), then closed what was held in it (a second record, under that lock).

The shipped rules (etc/riskd.toml, account 1001) and a live edit of the default profile's
symbol_blocks.symbols (a tightening: in force at once), ES held (CL is not in the test's
contracts; the symbol does not matter).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.notify.steps import step_alert
from services.notify.templates import Context
from services.risk.preview import preview
from shared.config.load import load_config
from shared.messages.market import (ORDER_STOP, SIDE_SELL, STATUS_OPEN, AccountUpdate,
                                    OrderUpdate)
from tests.unit.risk.desk import CHI, ES, NS, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, START, Broker

pytestmark = pytest.mark.timeout(30)


def listing(tmp_path, symbols: str):
    text = open(SHIPPED, encoding="utf-8").read()
    at = text.index("symbols = []", text.index("[profiles.default.rules.symbol_blocks]\n"))
    text = text[:at] + f"symbols = {symbols}" + text[at + len("symbols = []"):]
    copy = tmp_path / "riskd.toml"
    copy.write_text(text, encoding="utf-8")
    return load_config(SHIPPED, text_from=str(copy)).config


def test_listing_a_held_symbol_records_one_breach_with_its_close_and_its_lock(tmp_path):
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(ES, "6000")
    broker.fill(ES, 1, "6000", None, 1, "6000")
    broker.now += 5 * NS
    assert engine.settings.update(listing(tmp_path, '["ES"]'),
                                  list(engine.accounts.values())) == []     # in force now
    out = engine.recheck(broker.now)
    [d] = out.decisions
    assert (d.rule, d.action, d.contract_id) == ("symbol_blocks", "close_position", ES), d
    assert d.lock is not None and d.lock.symbol == "ES", d
    assert d.what == "close the ES position; lock ES on the account " \
                     "(manual)", d.what
    [c] = out.commands
    assert (c.action, c.contract_id) == ("close_position", ES)
    [lock] = engine.lockouts.all()
    assert (lock.symbol, lock.rule) == ("ES", "symbol_blocks")
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert alert.text.count("Breach symbol_blocks") == 1, alert.text
    assert engine.recheck(broker.now).decisions == []           # and not again


def test_listing_a_symbol_nothing_is_held_in_records_its_lock(tmp_path):
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    engine.settings.update(listing(tmp_path, '["ES"]'), list(engine.accounts.values()))
    [d] = engine.recheck(broker.now).decisions
    assert d.what == "lock ES on the account (manual)", d.what


def test_listing_a_held_symbol_with_its_stop_is_one_breach_the_close_cancels_the_stop(tmp_path):
    """Fresh-user trial 21b, finding 6: GC long 1 with its sell stop, GC listed: two history
    lines and two alert blocks ("close the position GC", "cancel working orders GC"), the
    close cancelling that stop already (close_position cancels every working order of its
    contract). One breach: the close, its lock, and the stop cancelled by it."""
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(ES, "6000")
    broker.fill(ES, 1, "6000", None, 1, "6000")
    broker.feed(OrderUpdate(account_id=ACCOUNT, order_id=15, contract_id=ES,
                            created_ns=broker.now, updated_ns=broker.now, status=STATUS_OPEN,
                            type=ORDER_STOP, side=SIDE_SELL, size=1,
                            stop_price=Decimal("5990"), limit_price=None))
    broker.now += 5 * NS
    # the edit's question says one action too (rules set asks first: services/risk/preview.py)
    [asked] = preview(engine, listing(tmp_path, '["ES"]'), broker.now)
    assert (asked.action, asked.contract_id) == ("close_position", ES), asked
    assert engine.settings.update(listing(tmp_path, '["ES"]'),
                                  list(engine.accounts.values())) == []     # in force now
    out = engine.recheck(broker.now)
    [d] = out.decisions
    assert (d.rule, d.action, d.contract_id) == ("symbol_blocks", "close_position", ES), d
    assert d.what == "close the ES position, cancel 1 order on it; lock ES on the account " \
                     "(manual)", d.what
    assert [(c.action, c.contract_id) for c in out.commands] == [("close_position", ES)]
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert alert.text.count("Breach symbol_blocks") == 1, alert.text
