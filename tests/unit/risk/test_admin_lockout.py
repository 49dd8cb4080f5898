"""An admin's lockout of an account (`riskctl lockout ACCOUNT --admin`) is the admin's, not the
trader's self-lockout: before it, an admin locking a trader out ran `riskctl lockout` as the
same OS user and risk recorded the trader's own lockout. Its own row (owner admin) beside the
trader's, kept across a restart; the alert, the watch/status banner, `riskctl lockouts` and
history say "locked by the admin"; only an admin session may send it (supervisor role admin,
gated by the control key)."""
from __future__ import annotations

from cli.commands._risk_view import lockout_rows
from cli.commands.history import rows as history_rows
from cli.watch.model import build_screen
from services.notify.steps import step_alert
from services.notify.templates import Context
from services.risk.views import account_status
from services.supervisor.commands import REGISTRY
from shared.commandwords import words
from shared.controlkey import is_gated
from shared.messages.risk import AdminLockRequest, SelfLockRequest
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, state
from tests.unit.risk.desk import MNQ, NS, Desk


def admin_locked():
    desk = Desk(start=NOW)
    desk.long(1, MNQ, 21000)
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS,
                                         reason="end of desk", admin="admin:root")
    assert refusal == ""
    return desk, out


def test_the_admins_lockout_is_its_own_row_beside_the_traders():
    desk, out = admin_locked()
    [lock] = desk.engine.lockouts.all(1001)
    assert (lock.rule, lock.by, lock.reason) == ("admin_lockout", "admin", "end of desk")
    [d] = out.decisions
    assert (d.rule, d.by, d.action) == ("admin_lockout", "admin:root", "flatten")
    mine, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 7200 * NS,
                                          reason="tilt")
    assert refusal == ""
    assert sorted((lk.rule, lk.by) for lk in desk.engine.lockouts.all(1001)) == \
        [("admin_lockout", "admin"), ("self_lockout", "trader")]


def test_screens_history_and_the_alert_say_locked_by_the_admin():
    desk, out = admin_locked()
    table = lockout_rows(desk.engine.lockouts.all(1001), tz=CHICAGO)
    assert "admin lockout" in table and "self-lockout" not in table, table
    screen = build_screen(state(account_status(desk.engine, 1001, desk.now)), desk.now,
                          CHICAGO, CALENDAR)
    assert [(b.kind, b.text) for b in screen.accounts[0].banners] == \
        [("LOCKED OUT", "locked by the admin: end of desk")]

    class Body:
        decisions, warnings, lockouts = out.decisions, [], out.lockouts
    rows = history_rows(Body, tz=CHICAGO)
    assert [(r[2], r[3]) for r in rows if "lockout" in r[2]] == \
        [("admin lockout", "added by the admin")]
    assert not any("self-lockout" in str(cell) for r in rows for cell in r), rows
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHICAGO, accounts={1001: "Demo 1"}))
    text = "\n".join([alert.title, *alert.lines])
    # one title (the account's end), then who locked it (trial15c: two titles)
    assert alert.title.startswith("🔒 Demo 1 (id 1001) locked until ") and \
        alert.title.endswith("(admin_lockout)"), text
    assert alert.lines[0] == "locked by the admin (admin:root)", text
    assert text.count("🔒") == 1, text
    assert "Self-lockout" not in text and "reason: end of desk" in text, text


def test_the_admins_lockout_survives_a_restart(tmp_path):
    from services.risk.store import Store
    desk, out = admin_locked()
    store, _ = Store.open(str(tmp_path))
    store.commit(out, desk.engine)
    store.close()
    later = Desk(start=desk.now)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    store.close()
    assert later.engine.lockouts.all(1001) == desk.engine.lockouts.all(1001)


def test_only_an_admin_session_sends_it():
    assert REGISTRY.get(AdminLockRequest).role == "admin"
    assert REGISTRY.get(AdminLockRequest).audited
    assert REGISTRY.get(SelfLockRequest).role == "trader"
    assert is_gated(AdminLockRequest(account="1001", session=True))
    assert words("AdminLockRequest") == "lockout --admin"
