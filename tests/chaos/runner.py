"""Run the scripted session against real processes, with or without chaos, and read the outcome.

The sim broker runs as its own process (it stands in for the outside
broker, so chaos never kills it and a riskd restart never resets it); riskd
runs the five guard workers. Chaos, when on, acts between trader steps,
driven by a seeded random generator and elapsed time:
  every ~2 s   kill -9 of a random worker (market, risk, enforcement, logging, notify),
               at most 3 times a minute for one worker (5 would be flapping by policy)
  every ~5 s   /sim/disconnect (every websocket dropped)
  once         /sim/fail: the next 2 closeContract calls answer 500
  once         kill -9 of riskd itself, and a new riskd started
The outcome is read only from the broker (sim REST) and riskd's replies.
"""
from __future__ import annotations

import os
import random
import signal
import time
from decimal import Decimal
from typing import Optional

import attrs

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.config.rules import RULE_NAMES
from shared.messages.risk import LockoutsRequest, RiskStatusRequest
from tests.chaos.session import (ACCOUNTS, CONTRACT, RULES, START, Step, interleave,
                                 order_count, stories)
from tests.e2e.harness import CLOSE, SimDesk
from tests.support.env import make_config, wait_for

GUARDS = ["logging", "notify", "market", "risk", "enforcement"]
VICTIMS = ("market", "risk", "enforcement", "logging", "notify")
EXPECT_TIMEOUT = 20.0
MAX_KILLS_PER_MIN = 3
CONVERGE_TIMEOUT = 15.0
PARTIAL = "/api/Position/partialCloseContract"


def session_config(tmp_path) -> str:
    rules = {name: {"enabled": False} for name in RULE_NAMES}
    for name, params in RULES.items():
        rules[name] = {"enabled": True, "mode": "enforce", **params}
    return make_config(
        tmp_path, workers=GUARDS,
        broker={"sim": {"tick_interval": 0,
                        "accounts": [{"id": i, "name": f"CHAOS-{n.upper()}", "balance": 50000.0}
                                     for n, i in ACCOUNTS.items()]}},
        accounts=[{"id": i, "name": f"CHAOS-{n.upper()}", "profile": "chaos"}
                  for n, i in ACCOUNTS.items()],
        profiles={"chaos": {"description": "the reliability suite's rules", "rules": rules}},
        supervisor={"workers": GUARDS, "backoff_initial": 0.2})


@attrs.frozen
class AccountOutcome:
    positions: dict
    working_orders: int
    broker_realized: Decimal          # net of fees, from Trade/search
    riskd_realized: Optional[Decimal]
    lockouts: tuple                   # sorted (rule, kind)


@attrs.frozen
class Outcome:
    accounts: dict                    # story name -> AccountOutcome
    close_calls: int                  # successful closeContract calls at the sim
    partial_calls: int
    orders: int
    failures: tuple                   # expectations the trader saw unmet within their wait
    chaos_actions: tuple


class Chaos:
    """Decides, between steps, whether to break something now (seeded, time-driven)."""

    def __init__(self, run: "SessionRun", seed: int, duration_hint: float):
        self.run = run
        self.rng = random.Random(seed)
        self.started = time.monotonic()
        self.next_kill = 1.0
        self.next_drop = 2.5
        self.fail_at = duration_hint * 0.3
        self.restart_at = duration_hint * 0.5
        self.failed = self.restarted = False
        self.actions: list[str] = []
        self.kills: dict[str, list[float]] = {}

    def act(self) -> None:
        t = time.monotonic() - self.started
        if t >= self.next_kill:
            self.next_kill = t + self.rng.uniform(1.5, 2.5)
            # at most 3 kills of one worker a minute: 5 would make the supervisor call it
            # flapping and hold it back on purpose (that policy has its own tests)
            allowed = [v for v in VICTIMS
                       if sum(1 for k in self.kills.get(v, []) if t - k < 60) < MAX_KILLS_PER_MIN]
            victim = self.rng.choice(allowed) if allowed else None
            if victim and self.run.kill_worker(victim):
                self.kills.setdefault(victim, []).append(t)
                self.actions.append(f"{t:.1f}s kill -9 {victim}")
        if t >= self.next_drop:
            self.next_drop = t + self.rng.uniform(4.0, 6.0)
            self.run.desk.sim("/sim/disconnect", {"mode": "abort"})
            self.actions.append(f"{t:.1f}s broker websockets dropped")
        if not self.failed and t >= self.fail_at:
            self.failed = True
            self.run.desk.fail(CLOSE, 500, 2)
            self.actions.append(f"{t:.1f}s next 2 closeContract calls fail with 500")
        if not self.restarted and t >= self.restart_at:
            self.restarted = True
            self.run.restart_riskd()
            self.actions.append(f"{t:.1f}s kill -9 riskd, new riskd started")


class SessionRun:
    def __init__(self, procs, tmp_path, chaos: bool, seed: int = 1, scale: int = 1,
                 pace: float = 0.05):
        self.procs, self.tmp_path = procs, tmp_path
        self.config = session_config(tmp_path)
        self.bus = load_config(self.config).config.bus
        self.chaos_on, self.seed, self.scale, self.pace = chaos, seed, scale, pace
        self.desk: Optional[SimDesk] = None
        self.riskd = None
        self.failures: list[str] = []

    # -- processes --------------------------------------------------------------------------
    def start(self) -> None:
        self.procs.worker("services.simbroker", self.config)
        self.desk = SimDesk(self.config)
        self.desk.wait_up()
        for contract, price in START.items():
            self.desk.sim("/sim/quote", {"contractId": contract, "lastPrice": float(price)})
        self.riskd = self.procs.riskd(self.config)
        self.procs.wait_running(self.config, GUARDS, timeout=30)
        self.wait_guarding()

    def wait_guarding(self, timeout: float = 30.0) -> None:
        """Until risk answers with every account of the session in its state."""
        def ready():
            status = self.risk_call(RiskStatusRequest())
            return status is not None and \
                {a.account_id for a in status.accounts} >= set(ACCOUNTS.values())
        wait_for(ready, timeout, what="risk guarding every account of the session")

    def kill_worker(self, name: str) -> bool:
        try:
            pid = self.procs.workers(self.config)[name].pid
        except Exception:
            return False
        if not pid:
            return False
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def restart_riskd(self) -> None:
        self.riskd.signal(signal.SIGKILL)
        self.riskd.wait(5)
        self.riskd = self.procs.riskd(self.config)

    def risk_call(self, request, timeout: float = 2.0):
        with RpcClient(self.bus.risk_control, "risk", timeout=timeout, retries=0,
                       name="chaos") as client:
            try:
                reply = client.call(request)
            except Exception:
                return None
        return reply.body if getattr(reply, "ok", False) else None

    # -- the session ------------------------------------------------------------------------
    def run(self) -> Outcome:
        per_account = stories(self.scale)
        steps = list(interleave(per_account))
        chaos = Chaos(self, self.seed, duration_hint=len(steps) * self.pace * 1.5) \
            if self.chaos_on else None
        for step in steps:
            self.do(step)
            if chaos is not None:
                chaos.act()
            time.sleep(self.pace)       # the trader's pace between actions
        self.settle()
        return self.outcome(order_count(per_account), chaos.actions if chaos else [])

    def do(self, step: Step) -> None:
        account = ACCOUNTS[step.account]
        if step.kind == "price":
            self.desk.sim("/sim/quote", {"contractId": step.contract,
                                         "lastPrice": float(step.value)})
        elif step.kind in ("buy", "sell"):
            place = self.desk.buy if step.kind == "buy" else self.desk.sell
            try:
                place(account, step.contract, int(step.value))
            except Exception as exc:       # a locked account's broker may refuse: fine
                self.failures.append(f"{step.account}: {step.kind} refused: {exc}") \
                    if "lock" not in str(exc).lower() else None
        elif step.kind == "expect":
            try:
                wait_for(lambda: step.expect(self.desk.positions(account)), EXPECT_TIMEOUT,
                         interval=0.05, what=step.what)
            except AssertionError:
                self.failures.append(f"{step.account}: {step.what}: not within "
                                     f"{EXPECT_TIMEOUT:g} s (positions "
                                     f"{self.desk.positions(account)})")

    def settle(self, timeout: float = 45.0) -> None:
        """Every worker up, risk re-synced, and every account flat with nothing working."""
        self.procs.wait_running(self.config, GUARDS, timeout=timeout)
        self.wait_guarding(timeout)
        wait_for(lambda: all(self.desk.flat(a) for a in ACCOUNTS.values()), timeout,
                 interval=0.2, what="every account flat with no working order")
        # A market worker restarted last reconciles over REST a moment after it is 'running';
        # give risk that moment. A fill that is really lost never converges, and the outcome
        # check then reports the difference.
        try:
            wait_for(self.converged, CONVERGE_TIMEOUT, interval=0.2,
                     what="risk's trades and PnL equal to the broker's")
        except AssertionError:
            pass

    def broker_day(self, account: int) -> tuple[int, Decimal]:
        """(trades, realized PnL net of fees) of today at the broker (voided trades excluded)."""
        trades = [t for t in self.desk.client.search_trades(account, 0) if not t.voided]
        return len(trades), sum(((t.profit_and_loss or Decimal(0)) - t.fees for t in trades),
                                Decimal(0))

    def converged(self) -> bool:
        status = self.risk_call(RiskStatusRequest())
        if status is None or not status.market_synced:
            return False
        mine = {a.account_id: (a.trades_today, a.realized) for a in status.accounts}
        return all(mine.get(a) == self.broker_day(a) for a in ACCOUNTS.values())

    def outcome(self, orders: int, actions) -> Outcome:
        status = self.risk_call(RiskStatusRequest()) or None
        by_id = {a.account_id: a for a in status.accounts} if status else {}
        lockouts = self.risk_call(LockoutsRequest())
        locks: dict[int, list] = {}
        for lock in (lockouts.lockouts if lockouts else []):
            locks.setdefault(lock.account_id, []).append((lock.rule, lock.kind))
        accounts = {}
        for name, account in ACCOUNTS.items():
            _count, realized = self.broker_day(account)
            mine = by_id.get(account)
            accounts[name] = AccountOutcome(
                positions=self.desk.positions(account),
                working_orders=len(self.desk.working(account)),
                broker_realized=realized,
                riskd_realized=mine.realized if mine else None,
                lockouts=tuple(sorted(locks.get(account, []))))
        return Outcome(accounts=accounts, close_calls=self.desk.succeeded(CLOSE),
                       partial_calls=self.desk.succeeded(PARTIAL), orders=orders,
                       failures=tuple(self.failures), chaos_actions=tuple(actions))


def check(outcome: Outcome) -> list[str]:
    """Everything that is wrong with one run's outcome (empty when it held)."""
    problems = list(outcome.failures)
    for name, acct in outcome.accounts.items():
        if acct.positions or acct.working_orders:
            problems.append(f"{name}: not flat at the end: {acct.positions}, "
                            f"{acct.working_orders} working orders")
        if acct.riskd_realized != acct.broker_realized:
            problems.append(f"{name}: riskd's realized PnL {acct.riskd_realized} differs from "
                            f"the broker's {acct.broker_realized}")
    expected_locks = {"loser": (("daily_realized_loss", "until_reset"),)}
    for name, acct in outcome.accounts.items():
        rules = tuple(sorted({r for r, _k in acct.lockouts}))
        want = tuple(sorted({r for r, _k in expected_locks.get(name, ())}))
        if rules != want:
            problems.append(f"{name}: lockouts {acct.lockouts}, expected rules {want}")
    return problems


def compare(calm: Outcome, chaotic: Outcome) -> list[str]:
    """What differs between the run without chaos and the run with it."""
    problems = []
    for name in ACCOUNTS:
        a, b = calm.accounts[name], chaotic.accounts[name]
        if a.lockouts != b.lockouts:
            problems.append(f"{name}: lockouts {b.lockouts} with chaos, {a.lockouts} without")
        if a.broker_realized != b.broker_realized:
            problems.append(f"{name}: broker PnL {b.broker_realized} with chaos, "
                            f"{a.broker_realized} without")
    if (chaotic.close_calls, chaotic.partial_calls) != (calm.close_calls, calm.partial_calls):
        problems.append(f"closes executed at the broker: {chaotic.close_calls} closeContract + "
                        f"{chaotic.partial_calls} partial with chaos, {calm.close_calls} + "
                        f"{calm.partial_calls} without (an action ran twice or was lost)")
    return problems


__all__ = ["SessionRun", "Outcome", "check", "compare", "CONTRACT"]
