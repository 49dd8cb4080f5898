"""A rule edit made while riskd is stopped (`riskctl rules set --offline`, a hand edit) reaches
the phone at the next start as a live edit does: a tightening "in force now", a loosening
"waits for the roll", each saying it was changed while riskd was stopped. Fresh-user trial17a
section 6: `rules set 1003 max_contracts limit 8 --offline` (5 -> 8) and `rules set 1003
daily_realized_loss limit 100 --offline` (500 -> 100) were right in `rules list` after the
start, but the notify log had neither alert: the trader's loss limit was cut to a fifth with
nothing on the phone.

The real RiskWorker on loopback sockets in this process (tests/unit/risk/worker_rig.py), its
config etc/riskd.toml's rules; it runs, stops, the file is edited with the function `riskctl
rules set --offline` uses, and a new RiskWorker starts on the same data folder."""
from __future__ import annotations

from decimal import Decimal

import zmq

from services.risk.app import WHILE_DOWN, RiskWorker
from services.risk.loosening import NOW_TITLE, TITLE
from shared.config import load_config
from shared.config.edit import set_rule_param
from shared.messages.market import AccountUpdate, MarketSnapshot
from shared.rulenumbers import money_text
from tests.unit.risk.worker_rig import risk_worker

ACCOUNT = {"id": 1001, "name": "SIM-1", "display_name": "Demo 1"}


def started_again(path: str) -> tuple[RiskWorker, list]:
    w = RiskWorker(load_config(path), ctx=zmq.Context())
    w.bind()
    sent: list = []
    w._notify = lambda kind, sev, title, lines, line_accounts=None: sent.append(
        (kind, title, list(lines)))
    w.setup()
    w.on_snapshot(MarketSnapshot(seq=0, epoch="again", complete=True, accounts=[
        AccountUpdate(account_id=1001, name="SIM-1", balance=Decimal(50_000), can_trade=True)]))
    w._tick()
    return w, sent


def stop(w) -> None:
    w.teardown()
    for s in w._sockets:
        s.close(0)
    w.ctx.term()


def test_edits_made_while_riskd_was_stopped_are_said_at_its_start(tmp_path):
    with risk_worker(tmp_path, [ACCOUNT]) as (w, path, backups, _sent):
        rules = w.settings.for_account(w.engine.accounts[1001])
        loss, size = rules.daily_realized_loss.limit, rules.max_contracts.limit
        w._flush_marks()                    # what a running risk has saved by its stop
    # riskd stopped: a loosening and a tightening, offline
    set_rule_param(path, "default", "max_contracts", "limit", str(size + 3), backups)
    set_rule_param(path, "default", "daily_realized_loss", "limit", "100", backups)
    w, sent = started_again(path)
    try:
        now = [lines for kind, title, lines in sent
               if kind == "rules_in_force_now" and title == NOW_TITLE]
        assert now == [[f"Demo 1 (id 1001): daily_realized_loss limit {money_text(loss)} -> "
                        f"100.00, in force now ({WHILE_DOWN})"]], sent
        waits = [lines for kind, title, lines in sent
                 if kind == "rules_loosen_at_roll" and title == TITLE]
        assert len(waits) == 1 and len(waits[0]) == 1, sent
        assert waits[0][0].startswith(f"Demo 1 (id 1001): max_contracts limit {size} -> "
                                      f"{size + 3}, takes effect at the roll, "), waits
        assert waits[0][0].endswith(f" ({WHILE_DOWN})"), waits
        w._tick()                           # said once
        assert len(sent) == 2, sent
        w._flush_marks()
    finally:
        stop(w)
    # a start with nothing changed meanwhile says nothing, even with a loosening still waiting
    w, sent = started_again(path)
    try:
        assert [s for s in sent if s[0] in ("rules_in_force_now", "rules_loosen_at_roll")] \
            == [], sent
    finally:
        stop(w)


def test_a_waiting_loosening_dropped_while_riskd_was_stopped_is_said_at_its_start(tmp_path):
    """Round 21 (warn21b, left): max_contracts limit 5 -> 8 waited for the roll; while riskd
    was stopped the limit was set back (to 5: taken back) or below it (to 4: a tightening that
    replaces it). The start said the tightening, never that the waiting 8 was gone, so the
    phone's last word on it was still "takes effect at the roll"."""
    from services.risk.loosening import DROPPED_TITLE
    for back, in_force in (("5", "5"), ("4", "4")):
        folder = tmp_path / back
        folder.mkdir()
        with risk_worker(folder, [ACCOUNT]) as (w, path, backups, _sent):
            size = w.settings.for_account(w.engine.accounts[1001]).max_contracts.limit
            assert size == 5
            result = set_rule_param(path, "default", "max_contracts", "limit", "8", backups)
            assert w.reload_config(result.digest)
            assert w.settings.waiting(1001) == {"max_contracts": {"limit": (5, 8)}}
            w._flush_marks()
        set_rule_param(path, "default", "max_contracts", "limit", back, backups)   # offline
        w, sent = started_again(path)
        try:
            gone = [lines for kind, title, lines in sent
                    if kind == "rules_loosen_withdrawn" and title == DROPPED_TITLE]
            assert len(gone) == 1 and len(gone[0]) == 1, sent
            assert gone[0][0].startswith(
                "Demo 1 (id 1001): max_contracts limit 8 no longer waits for the roll, "), gone
            assert gone[0][0].endswith(f": {in_force} stays in force ({WHILE_DOWN})"), gone
            assert w.settings.waiting(1001) == {}
            assert not [s for s in sent if s[0] == "rules_loosen_at_roll"], sent
        finally:
            stop(w)
