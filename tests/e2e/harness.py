"""Test harness for enforcement scenarios: the sim broker driven through its REST API and /sim/*
controls, and a stand-in for risk (a PUB bound at bus.risk_pub sending Commands, a SUB on
enforcement's PUB reading the CommandResults), re-sending until a final result like risk does.

Shared by tests/integration/test_enforcement*.py and the end-to-end tests in tests/e2e/.
"""
from __future__ import annotations

import itertools
import time
from decimal import Decimal
from typing import Optional

import attrs
import requests
import zmq

from shared import codec, topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.enforce import FINAL_STATUSES, Command, CommandResult
from shared.projectx.ratebudget import RateBudget
from shared.projectx.rest import ProjectXRest
from tests.support.sim import wait_sim_up
from tests.support.env import wait_for

MNQ, ES, NQ = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26"
LIMIT, MARKET, STOP = 1, 2, 4
BUY, SELL = 0, 1
WORKING = (1, 6, 7, 8)
TRADING = ("/api/Position/closeContract", "/api/Position/partialCloseContract",
           "/api/Order/cancel", "/api/Order/modify", "/api/Order/place")
CLOSE = "/api/Position/closeContract"
PARTIAL = "/api/Position/partialCloseContract"
CANCEL = "/api/Order/cancel"
NO_POSITION = 2          # closeContract / partialCloseContract errorCode: no open position


class SimDesk:
    """A trader's view of the sim: orders placed and positions read over the ProjectX REST API."""

    def __init__(self, config_path: str):
        self.loaded = load_config(config_path)
        broker = self.loaded.config.broker
        self.rest_url = broker.endpoints()[0]
        # the trader's platform is not riskd: it polls the sim as fast as a test needs, so it
        # gets no 200-per-minute budget (which would hold its orders back in a long suite)
        self.client = ProjectXRest(self.rest_url, broker.user_name, broker.api_key, timeout=5,
                                   budget=RateBudget(limit=1_000_000, window=60))

    def wait_up(self, timeout: float = 15.0) -> None:
        wait_sim_up(self.rest_url, timeout)

    def sim(self, path: str, body: Optional[dict] = None) -> dict:
        answer = requests.post(self.rest_url + path, json=body or {}, timeout=5)
        assert answer.ok, f"{path}: {answer.status_code} {answer.text}"
        return answer.json()

    def counts_doc(self) -> dict:
        """The sim's /sim/calls answer: calls, failed, tookEffect, refused, byAccount."""
        return requests.get(self.rest_url + "/sim/calls", timeout=5).json()

    def counts(self) -> tuple[dict, dict]:
        doc = self.counts_doc()
        return doc["calls"], doc["failed"]

    def calls(self, endpoint: str) -> int:
        return self.counts()[0].get(endpoint, 0)

    def succeeded(self, endpoint: str) -> int:
        calls, failed = self.counts()
        return calls.get(endpoint, 0) - failed.get(endpoint, 0)

    def took_effect(self, endpoint: str) -> int:
        """Calls the broker carried out (answered success, or applied and the answer lost)."""
        return self.counts_doc()["tookEffect"].get(endpoint, 0)

    def refused(self, endpoint: str, code: int) -> int:
        """Calls the broker refused with this errorCode (closeContract 2: no position)."""
        return self.counts_doc()["refused"].get(endpoint, {}).get(str(code), 0)

    def trading_calls(self) -> int:
        calls, _failed = self.counts()
        return sum(calls.get(e, 0) for e in TRADING)

    def reset_calls(self) -> None:
        self.sim("/sim/calls/reset")

    def fail(self, endpoint: str, status: int, count: int, **extra) -> None:
        self.sim("/sim/fail", {"endpoint": endpoint, "status": status, "count": count, **extra})

    def release(self, endpoint: str) -> None:
        """The calls held by fail(..., hold=True) are carried out and answered."""
        self.sim("/sim/release", {"endpoint": endpoint})

    # -- trading like a platform would ------------------------------------------------------
    def buy(self, account: int, contract: str, size: int) -> int:
        return self.client.place_order(account, contract, MARKET, BUY, size)

    def sell(self, account: int, contract: str, size: int) -> int:
        return self.client.place_order(account, contract, MARKET, SELL, size)

    def resting_buy(self, account: int, contract: str, below: Decimal = Decimal(500),
                    brackets: bool = False) -> int:
        """A buy limit far below the market (it rests); with brackets: two suspended children."""
        price = Decimal(str(self.quote(contract))) - below
        extra = {}
        if brackets:
            extra = {"stop_loss_bracket": {"ticks": 40, "type": STOP},
                     "take_profit_bracket": {"ticks": 80, "type": LIMIT}}
        return self.client.place_order(account, contract, LIMIT, BUY, 1, limit_price=price, **extra)

    def quote(self, contract: str) -> str:
        return self.sim("/sim/quote", {"contractId": contract,
                                       "lastPrice": float(self._last(contract))})["quote"][
            "lastPrice"]

    def _last(self, contract: str) -> Decimal:
        return {MNQ: Decimal("21000"), ES: Decimal("6000"), NQ: Decimal("21000")}[contract]

    def positions(self, account: int) -> dict[str, int]:
        return {p.contract_id: p.signed_size for p in self.client.open_positions(account)}

    def working(self, account: int) -> list:
        return self.client.query_orders(account, statuses=WORKING).orders

    def flat(self, account: int) -> bool:
        return not self.positions(account) and not self.working(account)

    def make_busy(self, account: int) -> None:
        """2 positions (MNQ long 2, ES short 1) and 4 working orders (2 suspended children)."""
        for contract in (MNQ, ES):
            self.quote(contract)
        self.buy(account, MNQ, 2)
        self.sell(account, ES, 1)
        self.resting_buy(account, MNQ)
        self.resting_buy(account, ES, below=Decimal(300), brackets=True)
        assert self.positions(account) == {MNQ: 2, ES: -1}
        assert len(self.working(account)) == 4


# The orders a fill's events reach riskd in (services/simbroker/ordering.py): TopstepX's (the
# Trade first), the Position first, and a seeded random order with every event twice. The key
# end-to-end scenarios run under each (tests/e2e/conftest.py `event_order`).
EVENT_ORDERS = {
    "trade_first": {},
    "position_first": {"positionBeforeTrade": True},
    "random_twice": {"randomOrder": True, "duplicateFills": True, "seed": 14},
}
NO_QUIRKS = {"positionBeforeTrade": False, "randomOrder": False, "duplicateFills": False}


class RiskStandIn:
    """Plays risk's side of the command protocol: publish Commands on bus.risk_pub, read results."""

    _ids = itertools.count(1)

    def __init__(self, config_path: str):
        bus = load_config(config_path).config.bus
        self.ctx = zmq.Context.instance()
        self.pub = Publisher(make_socket(self.ctx, zmq.PUB, bind=bus.risk_pub), "risk")
        self.sub = make_socket(self.ctx, zmq.SUB, connect=bus.enforcement_pub)
        self.sub.setsockopt(zmq.SUBSCRIBE, topics.RESULT.encode())
        self.results: list[CommandResult] = []

    def command(self, account: int, action: str, **fields) -> Command:
        n = next(self._ids)
        now = time.time_ns()
        fields.setdefault("rule", "test")
        return Command(id=f"t{now}.{n}", decision_id=f"t{now}", account_id=account,
                       action=action, issued_ns=now, event_ns=now, **fields)

    def send(self, cmd: Command) -> None:
        self.pub.publish(topics.COMMAND, cmd)

    def pump(self, wait_ms: int = 20) -> None:
        if not self.sub.poll(wait_ms):
            return
        while True:
            try:
                _topic, body = self.sub.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            msg = codec.decode(body).msg
            if isinstance(msg, CommandResult):
                self.results.append(msg)

    def of(self, command_id: str) -> list[CommandResult]:
        return [r for r in self.results if r.command_id == command_id]

    def final(self, command_id: str) -> Optional[CommandResult]:
        done = [r for r in self.of(command_id) if r.status in FINAL_STATUSES]
        return done[0] if done else None

    def until(self, cmd: Command, cond, timeout: float, what: str, resend: float = 0.5):
        """Re-send cmd every `resend` s (as risk does) until cond() is true."""
        state = {"next": 0.0, "attempt": cmd.attempt}

        def check():
            now = time.monotonic()
            if now >= state["next"]:
                self.send(Command(**{**_fields(cmd), "attempt": state["attempt"]}))
                state["attempt"] += 1
                state["next"] = now + resend
            self.pump()
            return cond()
        return wait_for(check, timeout, interval=0.0, what=what)

    def run(self, cmd: Command, timeout: float = 20.0) -> CommandResult:
        """Send until enforcement answers with a final result; return it."""
        return self.until(cmd, lambda: self.final(cmd.id), timeout,
                          f"a final result for {cmd.action} {cmd.id}")

    def accepted(self, cmd: Command, timeout: float = 10.0) -> CommandResult:
        return self.until(cmd, lambda: (self.of(cmd.id) or [None])[0], timeout,
                          f"enforcement to acknowledge {cmd.id}")

    def close(self) -> None:
        self.pub.sock.close(0)
        self.sub.close(0)


def _fields(cmd: Command) -> dict:
    return attrs.asdict(cmd, recurse=False)
