"""`riskctl watch` while riskd starts (fresh-user trial16g section 10).

Open across `riskctl shutdown` / `make run`: with the banner "NOT GUARDED now: market not
running; risk not running; enforcement not running" the rows read "LOCKED OUT 1d23h57m (until
Tue 15:59:54 CST)" and "COOLDOWN 27s", counting down as if enforced (while riskd was down they
read "NOT ENFORCED while riskd is down"). Then, all running, LAST ACTIONS said "later actions
cannot be read (risk is starting: try again in a few seconds" for a refresh: an answer true
when asked, said as now under a header showing risk running. Both fail on main's code.
"""
from __future__ import annotations

from cli.watch.model import ActionsUnknown, build_screen
from shared.clock import NS_PER_S
from shared.messages.control import StatusRequest, SupervisorStatus, WorkerInfo
from shared.messages.risk import Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, WORKERS, account, lockout, state

STARTING = ("market", "risk", "enforcement")


def supervisor(states: dict) -> SupervisorStatus:
    return SupervisorStatus(pid=2, started_ns=NOW, config_path="riskd.toml",
                            workers=[WorkerInfo(name=n, state=states.get(n, "running"))
                                     for n in WORKERS],
                            unguarded_now=[f"{n} not running" for n, s in states.items()
                                           if s != "running" and n in STARTING])


def banner(s):
    [b] = build_screen(s, NOW + 5 * NS_PER_S, CHICAGO, CALENDAR).accounts[0].banners
    return b


def test_lockouts_are_said_not_enforced_until_the_workers_that_enforce_them_run():
    s = state(account(lockouts=[lockout()]))
    assert banner(s).countdown.startswith("2h56m")                # all running: counts down
    s.apply(supervisor({n: "starting" for n in STARTING}))
    b = banner(s)
    assert b.kind == "LOCKED OUT"
    assert b.countdown == "NOT ENFORCED until market, risk and enforcement run", b
    assert b.text.endswith("; until Wed 17:00:00 CST"), b.text    # its end stays, no countdown
    s.apply(supervisor({"risk": "running", "market": "running", "enforcement": "starting"}))
    assert banner(s).countdown == "NOT ENFORCED until enforcement runs"
    s.apply(supervisor({"logging": "backoff"}))                   # no guard worker down
    assert banner(s).countdown.startswith("2h56m")


def test_a_shard_not_running_says_risk_once():
    s = state(account(lockouts=[lockout(kind="timer", rule_name="cooldown_after_loss",
                                        until_ns=NOW + 27 * NS_PER_S)]))
    s.apply(SupervisorStatus(pid=2, started_ns=NOW, config_path="riskd.toml",
                             workers=[WorkerInfo(name=n, state="starting")
                                      for n in ("risk-0", "risk-1")]
                             + [WorkerInfo(name="market", state="running"),
                                WorkerInfo(name="enforcement", state="running")],
                             unguarded_now=["risk-0 not running", "risk-1 not running"]))
    b = banner(s)
    assert b.kind == "COOLDOWN" and b.countdown == "NOT ENFORCED until risk runs", b


def decision():
    return Decision(id="d1", account_id=1001, rule="daily_realized_loss", action="flatten",
                    ts_ns=NOW - 60 * NS_PER_S, reason="realized -512.50 <= -500.00")


def test_a_history_refused_while_risk_was_starting_is_not_said_as_now_once_risk_runs():
    s = state(account())
    s.apply(decision())
    s.apply(supervisor({"risk": "starting"}))
    s.apply(ActionsUnknown(reason="risk is starting: try again in a few seconds (`riskctl "
                                  "status` shows what riskd runs)"))
    note = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions_note
    assert note == "later actions cannot be read while risk is not running (starting)", note
    s.apply(supervisor({}))                           # risk runs now: the reason is past
    note = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions_note
    assert note == "later actions today: asking riskd again (risk was starting when asked)", note
    assert "cannot be read" not in note


class Riskd:
    """Stands in for riskd's control socket (cli/watch/source.py asks it through an RpcClient):
    the supervisor's status with `states`, and risk's history refused while risk is starting,
    in the supervisor's words (services/supervisor/unreachable.py)."""

    def __init__(self):
        self.states = {"risk": "starting"}
        self.asked: list[str] = []
        self.answered_by = b""

    def call(self, request, timeout, retries):
        from shared.messages.risk import HistoryReply, HistoryRequest
        from shared.messages.system import error, ok
        msg = request.command
        self.asked.append(type(msg).__name__)
        if isinstance(msg, StatusRequest):
            return ok(supervisor(self.states))
        if isinstance(msg, HistoryRequest):
            if self.states.get("risk", "running") != "running":
                return error("unreachable", "risk is starting: try again in a few seconds "
                                            "(`riskctl status` shows what riskd runs)")
            return ok(HistoryReply(decisions=[decision()]))
        return error("unreachable", "not in this test")


def test_the_history_is_asked_again_as_soon_as_risk_runs():
    """Refused while risk was starting, the history was asked again only HISTORY_RETRY (5 s)
    later, the screen saying the refusal meanwhile; now at the first snapshot showing risk
    running. Fails on main's code (no second HistoryRequest)."""
    import attrs
    from cli.watch.source import Source
    from shared.config.sections import BusConfig
    src = Source(attrs.evolve(BusConfig(), control="tcp://127.0.0.1:5551"),
                 day_start=lambda now: now - 3600 * NS_PER_S)
    riskd = Riskd()
    src.snapshot(riskd)
    assert riskd.asked.count("HistoryRequest") == 1
    assert [m.reason for m in src.drain() if isinstance(m, ActionsUnknown)] == [
        "risk is starting: try again in a few seconds (`riskctl status` shows what riskd runs)"]
    src.snapshot(riskd)                          # still starting: not asked again at once
    assert riskd.asked.count("HistoryRequest") == 1
    riskd.states = {}                            # risk runs
    src.snapshot(riskd)
    assert riskd.asked.count("HistoryRequest") == 2, riskd.asked
    s = state(account())
    for msg in src.drain():
        s.apply(msg)
    note = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions_note
    assert "cannot be read" not in note and "starting" not in note, note     # the day's read
