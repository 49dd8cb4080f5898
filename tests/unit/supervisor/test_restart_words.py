"""`riskctl workers` after `riskctl restart risk` says who restarted it and when (trial13a: it
read "RESTARTS 1  LAST EXIT exited with code 0  NOTE -"; only the audit log said "restart by
admin:root"). The supervisor's own restart_worker, _exited and info on a real Slot and
policy; its clock, process and publisher are stand-ins."""
from __future__ import annotations

import datetime as dt
from types import MethodType, SimpleNamespace
from zoneinfo import ZoneInfo

from cli.commands.workers import render_workers
from services.supervisor.app import Slot, Supervisor
from services.supervisor.policy import PolicySettings
from shared.clock import to_ns

CHICAGO = ZoneInfo("America/Chicago")
S = 1_000_000_000
AT = to_ns(dt.datetime(2026, 12, 6, 6, 50, 12, tzinfo=CHICAGO))


def supervisor(now):
    risk = Slot("risk", "services.risk", PolicySettings())
    risk.policy.want_start(now["t"])
    risk.policy.spawned(now["t"])
    risk.policy.alive(now["t"])
    exited = {"code": None}
    risk.child = SimpleNamespace(shown_pid=4242, pid=4242, poll=lambda: exited["code"],
                                 terminate=lambda: exited.update(code=0))
    sup = SimpleNamespace(
        clock=SimpleNamespace(now_ns=lambda: AT + int((now["t"] - 1000) * S),
                              monotonic=lambda: now["t"]),
        slots={"risk": risk}, requester="admin:root",
        config=SimpleNamespace(supervisor=SimpleNamespace(stop_timeout=5.0),
                               notify=SimpleNamespace(timezone="America/Chicago"),
                               trading_day=SimpleNamespace(timezone="America/Chicago")),
        _changed=lambda slot: None, _tick_slot=lambda slot, at: None)
    for name in ("restart_worker", "stop_worker", "_slot", "_begin_stop", "_exited", "info"):
        setattr(sup, name, MethodType(getattr(Supervisor, name), sup))
    return sup, risk


def test_workers_after_an_admin_restart_says_who_restarted_it_and_when():
    now = {"t": 1000.0}
    sup, risk = supervisor(now)
    answers = []
    sup.restart_worker("risk", answers.append)
    now["t"] = 1000.3
    sup._exited(risk, 0, now["t"])               # the old process stopped for the restart
    risk.policy.spawned(now["t"])                # the new one runs (the supervisor's tick)
    risk.policy.alive(now["t"] + 0.2)
    risk.child = SimpleNamespace(shown_pid=4343, pid=4343, poll=lambda: None)
    info = sup.info(risk)
    assert info.restarts == 1
    assert info.last_exit_words == "exited with code 0, for a restart by admin:root", info
    assert info.reason == "restarted by admin:root at Sun 06:50:12 CST", info
    shown = render_workers([info])
    assert "for a restart by admin:root" in shown and "restarted by admin:root at" in shown, \
        shown


def test_a_crash_after_the_restart_is_said_as_a_crash():
    now = {"t": 1000.0}
    sup, risk = supervisor(now)
    sup.restart_worker("risk", lambda _r: None)
    sup._exited(risk, 0, 1000.3)
    risk.policy.spawned(1000.3)
    risk.policy.alive(1000.5)
    risk.child = SimpleNamespace(shown_pid=4343, pid=4343, poll=lambda: 1)
    now["t"] = 1100.0
    sup._exited(risk, 1, now["t"])               # it crashes later on its own
    info = sup.info(risk)
    assert "restart" not in info.last_exit_words and "restarted by" not in info.reason, info
