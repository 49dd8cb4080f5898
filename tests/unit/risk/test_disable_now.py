"""`riskctl accounts disable ACCOUNT --now` and `accounts enable ACCOUNT` (trial 2026-12-06).

Demo 2 had a self-lockout; `accounts disable 1002 --now --reason "trial disable 2"` took Demo
1's waiting loosening (daily_realized_loss 500 -> 800, to wait for the roll) early too, the
phone heard "Demo 2 (strict): (account no longer guarded), takes effect at the roll" while it
stopped being guarded that second, the screens kept "guarded now" and "LOCKED OUT", and after
`accounts enable 1002` the MNQ bought while disabled stayed open under the lockout in force.

The real RiskWorker on loopback sockets (tests/unit/risk/test_waiting_notice.py's way), its
config etc/riskd.toml's with its two accounts, edited with the functions riskctl uses. The
CLI arms the disable before its edit (cli/commands/accounts.py arm_disable_now).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared.clock import FakeClock
from shared.config.account_edit import set_account_enabled
from shared.config.edit import set_rule_param
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from shared.messages.risk import (LockoutsRequest, RiskStatusRequest, RulesOverrideRequest,
                                  SelfLockRequest)
from tests.support.shiftedclock import ShiftedClock
from tests.unit.risk.worker_rig import reload, risk_worker

DEMO1, DEMO2 = 1001, 1002
MNQ = "CON.F.US.MNQ.Z26"
MIN = 60 * 1_000_000_000
ETC_ACCOUNTS = [      # etc/riskd.toml's two accounts, as shipped
    {"id": DEMO1, "name": "SIM-DEMO-1", "display_name": "Demo 1", "profile": "default"},
    {"id": DEMO2, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)", "profile": "default",
     "rules": {"daily_realized_loss": {"limit": 300}, "max_contracts": {"limit": 2}}}]


# Mon 2026-12-07 10:00 CST: the answers name the next roll, "Mon 17:00 CST". On the system
# clock they failed once the day had rolled (CI after 17:00 CT read "Tue 17:00 CST").
MONDAY_MORNING = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def worker(tmp_path):
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=ShiftedClock(MONDAY_MORNING)) as rig:
        yield rig


def ask(w, request):
    reply = w._handlers[type(request)](request)
    assert reply.ok, reply.reason
    return reply


def buy_mnq(w, trade_id: int, size: int) -> None:
    now = w.clock.now_ns()
    w._event(Fill(account_id=DEMO2, trade_id=trade_id, contract_id=MNQ, ts_ns=now,
                  price=Decimal(21000), pnl=None, fees=Decimal(0), side=SIDE_BUY, size=1))
    w._event(PositionUpdate(account_id=DEMO2, position_id=77, contract_id=MNQ, ts_ns=now,
                            type=POSITION_LONG, size=size, average_price=Decimal(21000)))
    w._flush_held()


def decisions(w) -> list:
    return [d for d in w.store.history(DEMO2, 0, 100).decisions if d.rule == "lockout"]


def disabled_demo2(worker):
    """Demo 1's loosening waits, Demo 2 self-locked, then `accounts disable 1002 --now`."""
    w, path, backups, sent = worker
    set_rule_param(path, "default", "daily_realized_loss", "limit", "800", backups)
    reload(w, path)
    assert w.settings.pending_for(DEMO1) == ["daily_realized_loss"]
    ask(w, SelfLockRequest(account="1002", until_ns=w.clock.now_ns() + 20 * MIN,
                           reason="trial"))
    sent.clear()
    ask(w, RulesOverrideRequest(reason="accounts disable 1002 --now: trial disable 2",
                                by="admin:root", account="1002", disable=True))
    set_account_enabled(path, "1002", False, backups)
    reload(w, path)
    return w, path, backups, sent


def test_disable_now_takes_only_the_named_account_and_says_it_once(worker):
    w, _path, _backups, sent = disabled_demo2(worker)
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is None       # not guarded now
    # Demo 1's loosening still waits for the roll: the admin named Demo 2 only
    assert w.settings.pending_for(DEMO1) == ["daily_realized_loss"]
    assert w.settings.for_account(w.engine.accounts[DEMO1]).daily_realized_loss.limit == 500
    # one true alert: no "takes effect at the roll", no "in force now" for Demo 1
    assert [k for k, *_ in sent] == ["account_not_guarded"], sent
    [(_k, _sev, _title, lines)] = sent
    assert lines[0].startswith("Demo 2 (strict, id 1002) is no longer guarded, now: disabled by "
                               "admin:root at "), lines
    assert lines[0].endswith("(accounts disable 1002 --now: trial disable 2)"), lines
    assert lines[1].startswith("not enforced while it is disabled: account Demo 2 (strict, id 1002)")


def test_status_and_lockouts_say_the_account_is_not_guarded(worker):
    w, *_ = disabled_demo2(worker)
    [status] = ask(w, RiskStatusRequest(account="1002")).body.accounts
    assert status.not_guarded.startswith("disabled by admin:root at "), status.not_guarded
    assert status.lockouts                     # still listed: it holds again on enable
    [demo1] = ask(w, RiskStatusRequest(account="1001")).body.accounts
    assert demo1.not_guarded == ""
    body = ask(w, LockoutsRequest()).body
    assert list(body.not_guarded) == ["1002"]


def test_enable_closes_what_was_bought_while_disabled_under_the_lockout(worker):
    w, path, backups, sent = disabled_demo2(worker)
    buy_mnq(w, 501, 1)
    assert decisions(w) == []                  # disabled: nothing guards it
    sent.clear()
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)
    [d] = decisions(w)
    assert (d.action, d.contract_id) == ("close_position", MNQ), d
    assert "while the account was disabled" in d.reason, d.reason
    # bought from flat: opened, not "grew by 1" (fresh-user trial 2026-12-06)
    assert d.reason.startswith("MNQ position opened long 1 while the account was disabled"), \
        d.reason
    assert w.engine.not_guarded(DEMO2) == ""
    again = [lines for k, _s, _t, lines in sent if k == "account_guarded_again"]
    assert again and again[0][0] == "Demo 2 (strict, id 1002) is guarded again, now", sent


def test_enable_keeps_what_was_held_before_the_lockout(worker):
    """What Demo 2 held when guarding stopped (here: opened before the lock) is not new."""
    w, path, backups, _sent = worker
    buy_mnq(w, 400, 1)
    disabled_demo2(worker)
    held = decisions(w)          # the self-lockout's own flatten closes it: that one only
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)
    assert decisions(w) == held


def test_disable_now_after_a_disable_that_waits_applies_at_once(worker):
    """`accounts disable 1002` (waits for the roll), then `accounts disable 1002 --now`: risk
    has read the disable already, so the arming applies it at once, for Demo 2 only."""
    w, path, backups, sent = worker
    set_rule_param(path, "default", "daily_realized_loss", "limit", "800", backups)
    sent.clear()
    set_account_enabled(path, "1002", False, backups)
    reload(w, path)
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is not None      # waits
    # the phone hears when it stops guarding, never "(account no longer guarded)" before it
    # is (fresh-user trial 2026-12-06)
    [waits] = [lines for k, _s, _t, lines in sent if k == "rules_loosen_at_roll"]
    demo2 = [line for line in waits if line.startswith("Demo 2")]
    assert demo2 == ["Demo 2 (strict, id 1002): disabled in the config; riskd guards it until the roll, "
                     "Mon 17:00 CST, and stops guarding it then"], waits
    assert "no longer guarded" not in " ".join(waits)
    sent.clear()
    reply = ask(w, RulesOverrideRequest(reason="trial disable 2", by="admin:root",
                                        account="Demo 2 (strict)", disable=True))
    assert reply.reason.startswith("Demo 2 (strict, id 1002) is no longer guarded, now: disabled by "
                                   "admin:root at "), reply.reason
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is None
    assert w.settings.pending_for(DEMO1) == ["daily_realized_loss"]
    assert [k for k, *_ in sent] == ["account_not_guarded"], sent


def test_a_disable_that_waited_is_said_when_the_roll_lands_it(worker):
    """Without --now the disable waits for the roll; when the roll lands it, the phone hears
    that Demo 2 is no longer guarded, as for --now (in the config's words)."""
    w, path, backups, sent = worker
    sent.clear()
    set_account_enabled(path, "1002", False, backups)
    reload(w, path)
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is not None      # waits
    # the phone hears when it stops guarding, never "(account no longer guarded)" before it
    # is (fresh-user trial 2026-12-06)
    [waits] = [lines for k, _s, _t, lines in sent if k == "rules_loosen_at_roll"]
    demo2 = [line for line in waits if line.startswith("Demo 2")]
    assert demo2 == ["Demo 2 (strict, id 1002): disabled in the config; riskd guards it until the roll, "
                     "Mon 17:00 CST, and stops guarding it then"], waits
    assert "no longer guarded" not in " ".join(waits)
    sent.clear()
    w.clock = FakeClock(w.engine.calendar.next_roll(w.clock.now_ns()) + 1)
    w._tick()
    assert w.settings.for_account(w.engine.accounts[DEMO2]) is None
    off = [lines for k, _s, _t, lines in sent if k == "account_not_guarded"]
    assert off and off[0][0].startswith("Demo 2 (strict, id 1002) is no longer guarded, now: disabled in "
                                        "the config since "), sent


def test_a_restarted_risk_still_says_who_disabled_the_account(worker):
    """Who, when, why and what the account held are in the store: after a restart of risk
    the screens do not fall back to "disabled in the config"."""
    from services.risk.engine import Engine
    from services.risk.settings import RuleSettings
    w, *_ = disabled_demo2(worker)
    w._flush_marks()
    said = w.engine.not_guarded(DEMO2)
    assert said.startswith("disabled by admin:root at ")
    fresh = Engine(w.engine.calendar, RuleSettings(w.settings.config))
    fresh.zone = w.engine.zone
    w.store.load(fresh, w.clock.now_ns())        # what a restarted risk reads
    fresh.account(DEMO2).name = "SIM-DEMO-2"
    assert fresh.not_guarded(DEMO2) == said


def test_disable_and_enable_alerts_reach_only_the_chats_that_see_the_account(worker):
    """Every line of them is about Demo 2: notify's per-chat split (services/notify/
    scopesplit.py) sends them only to chats that see Demo 2 (phone9's report: they went to
    every chat)."""
    w, path, backups, sent = disabled_demo2(worker)
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)
    owners = dict((k, o) for k, o in w.line_owners
                  if k in ("account_not_guarded", "account_guarded_again"))
    assert set(owners) == {"account_not_guarded", "account_guarded_again"}, w.line_owners
    assert all(o and set(o) == {DEMO2} for o in owners.values()), owners


def test_enable_says_who_enabled_the_account_and_why(worker):
    """`accounts enable 1002 --reason "the firm reopened it"`: the supervisor's reload says who
    and why (ConfigChanged.note, services/supervisor/commands/accounts_enable.py), and the
    "guarded again" alert says it as the disable's says its own; a file edit says neither."""
    from services.supervisor.commands.accounts_enable import enabled_note
    from shared.messages.accounts import AccountEnable
    w, path, backups, sent = disabled_demo2(worker)
    w.config_note = enabled_note("admin:ana", AccountEnable(account="1002", enabled=True,
                                                            reason="the firm reopened it"))
    set_account_enabled(path, "1002", True, backups)
    reload(w, path)
    [again] = [lines for kind, _s, _t, lines in sent if kind == "account_guarded_again"]
    assert again[0] == ("Demo 2 (strict, id 1002) is guarded again, now: enabled by admin:ana "
                        "(the firm reopened it)"), again
    assert enabled_note("admin:ana", AccountEnable(account="1", enabled=True)) == \
        "enabled by admin:ana"
