"""The "back" alert of a worker an operator stopped and started says both reasons (fresh-user
trial 17g, smaller things: `riskctl stop market --reason "ops test"`, then `start market
--reason "ops test done"`: "🟢 Worker market is back after 28s down" quoted only "ops test").
The supervisor's `start` command hands who started it and why to BackWatch; its "back" line
reads "market was down: stopped by an operator (riskctl stop: ops test); started again by
admin:root (riskctl start: ops test done)"."""
from __future__ import annotations

from types import SimpleNamespace

from services.supervisor.backalerts import BackWatch
from services.supervisor.commands import start

S = 10**9


def test_the_back_alert_quotes_the_stop_and_the_start():
    back = BackWatch()
    back.down("market", 1 * S, "stopped by an operator (riskctl stop: ops test)")
    started = []
    sup = SimpleNamespace(back=back, requester="admin:root", slots={"market": object()},
                          config=SimpleNamespace(supervisor=SimpleNamespace(risk_shards=1)),
                          start_worker=lambda name, respond: started.append(name))
    start.execute(sup, SimpleNamespace(name="market", reason="ops test done"), lambda r: None)
    assert started == ["market"]
    back.up("market", 29 * S)
    event = back.due(30 * S, [])
    assert event is not None and event.title.startswith("🟢 Worker market is back after 28s"), \
        event
    assert event.lines[0] == ("market was down: stopped by an operator (riskctl stop: ops test); "
                              "started again by admin:root (riskctl start: ops test done)"), \
        event.lines


def test_a_start_without_a_reason_or_a_crash_back_says_no_more():
    back = BackWatch()
    back.down("risk", 1 * S, "stopped by an operator (riskctl stop)")
    back.started("risk", "ops:ana")
    back.up("risk", 3 * S)
    event = back.due(20 * S, [])
    assert event.lines[0] == ("risk was down: stopped by an operator (riskctl stop); started "
                              "again by ops:ana (riskctl start)"), event.lines
    back.down("enforcement", 1 * S, "crashed: killed by signal 9 (SIGKILL)")   # riskd restarts it
    back.up("enforcement", 2 * S)
    event = back.due(20 * S, [])
    assert event.lines[0] == "enforcement was down: crashed: killed by signal 9 (SIGKILL)"
