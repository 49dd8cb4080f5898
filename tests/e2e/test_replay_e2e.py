"""riskctl replay against the sim broker with every real process running.

1. The same day processed live and replayed gives the same decisions: a scripted day is
   traded against the sim while riskd guards it (the shipped etc/riskd.toml, every default
   rule on), then `riskctl replay --json` rebuilds that day from the sim's own history
   (Trade/search, Order/search, History/retrieveBars) and its decisions are compared with
   riskd's history: same rule, account and action, times within one bar (60 s). The replay
   makes no trading call.
2. A broker failing mid-way: 429s and a dropped connection are retried and listed; a run of
   500s on History/retrieveBars stops the replay with one line naming the call, and the next
   run resumes from the cache (no Trade/search asked twice).
"""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from shared.messages.risk import HistoryRequest, RiskStatusRequest
from shared.tradingday import TradingCalendar
from tests.e2e.riskdesk import Desk as RiskDesk
from tests.support.env import wait_for
from tests.support.ports import free_ports
from tests.support.procs import Procs
from tests.support.replay_days import shipped_config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
DEMO1, DEMO2 = 1001, 1002
WORKERS = ["simbroker", "logging", "notify", "market", "risk", "enforcement"]
BAR_S = 60


class Desk(RiskDesk):
    """The e2e suite's desk (sim REST, riskd's control socket), plus replay's verbs."""

    def __init__(self, procs: Procs, config: str):
        super().__init__(procs, config, procs.tmp_path)

    def contract(self, ticker: str) -> str:
        return self.client.search_contracts(ticker)[0].id

    def price(self, contract: str, price: float) -> None:
        self.sim("/sim/quote", {"contractId": contract, "lastPrice": price})

    def size(self, account: int, contract: str) -> int:
        return self.positions(account).get(contract, 0)

    def replay(self, *args: str, config: str | None = None):
        return self.procs.riskctl(config or self.config, "replay", *args, timeout=120)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replay-e2e")
    procs = Procs(tmp)
    # the shipped config; only the sim's random walk is off (tick_interval 0), so the
    # scripted prices are the only prices of the day and the test knows every breach (the
    # shipped heartbeat timeout stays: `sim history` below must not stall the sim's loop)
    config = shipped_config(tmp, broker={"sim": {"tick_interval": 0}})
    try:
        procs.riskd(config)
        procs.wait_running(config, WORKERS, timeout=60)
        d = Desk(procs, config)
        wait_for(lambda: len(d.ask(RiskStatusRequest()).accounts) >= 2, 30,
                 what="risk to know both demo accounts")
        yield d
    finally:
        procs.cleanup()


def scripted_day(d: Desk) -> None:
    """DEMO1: buy 7 MNQ (max_contracts 5 cuts 2), the price falls 25 points: -250 on the 5
    left breaks daily_unrealized_loss (200 a position), riskd closes; its -250 loss is rule
    7's 200 tier: a 900 s cooldown. DEMO2 (max_contracts 2): buy 3 ES, cut to 2, sold flat."""
    mnq, es = d.contract("MNQ"), d.contract("ES")
    d.price(mnq, 21000)
    d.price(es, 6000)
    d.buy(DEMO1, mnq, 7)
    wait_for(lambda: d.size(DEMO1, mnq) == 5, 15, what="riskd cutting MNQ to 5")
    d.buy(DEMO2, es, 3)
    wait_for(lambda: d.size(DEMO2, es) == 2, 15, what="riskd cutting ES to 2")
    d.sell(DEMO2, es, 2)
    d.price(mnq, 20975)
    wait_for(lambda: d.size(DEMO1, mnq) == 0, 15, what="riskd closing MNQ")
    wait_for(lambda: [x for x in d.ask(HistoryRequest(account=str(DEMO1))).decisions
                      if x.rule == "cooldown_after_loss"], 15, what="the cooldown")


def key(rule, account, action):
    return (rule, int(account), action)


def test_the_same_day_live_and_replayed_gives_the_same_decisions(desk):
    scripted_day(desk)
    time.sleep(1.0)                         # the sim saves its ledger every second
    live = [x for a in (DEMO1, DEMO2)
            for x in desk.ask(HistoryRequest(account=str(a))).decisions if not x.suppressed]
    assert {key(x.rule, x.account_id, x.action) for x in live} >= {
        key("max_contracts", DEMO1, "reduce_position"),
        key("daily_unrealized_loss", DEMO1, "close_position"),
        key("cooldown_after_loss", DEMO1, "flatten"),
        key("max_contracts", DEMO2, "reduce_position")}
    today = TradingCalendar.make().trading_day(time.time_ns()).isoformat()
    trading_before = desk.trading_calls()
    run = desk.replay("--from", today, "--to", today, "--json")
    assert run.returncode == 0, run.stderr
    assert desk.trading_calls() == trading_before, "the replay placed, changed or cancelled"
    doc = json.loads(run.stdout)
    replayed = [x for x in doc["decisions"] if not x["suppressed"]]
    assert sorted(key(x["rule"], x["account_id"], x["action"]) for x in replayed) == sorted(
        key(x.rule, x.account_id, x.action) for x in live)
    for x in live:
        match = [r for r in replayed if key(r["rule"], r["account_id"], r["action"])
                 == key(x.rule, x.account_id, x.action)]
        assert min(abs(r["ts_ns"] - x.ts_ns) for r in match) <= BAR_S * 10 ** 9, (x, match)


class DroppingProxy:
    """A TCP proxy in front of the sim's REST port that drops the connection of the next
    `drops` requests whose bytes contain `needle` (the client sees the peer vanish)."""

    def __init__(self, target_port: int, needle: bytes, drops: int):
        self.target, self.needle, self.drops = target_port, needle, drops
        self.port = free_ports(1)[0]
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.dropped = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.target))
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        try:
            while True:
                chunk = client.recv(65536)
                if not chunk:
                    break
                if self.needle in chunk and self.drops > 0:
                    self.drops -= 1
                    self.dropped += 1
                    break
                upstream.sendall(chunk)
        except OSError:
            pass
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                chunk = src.recv(65536)
                if not chunk:
                    break
                dst.sendall(chunk)
        except OSError:
            pass

    def close(self):
        self.server.close()


def test_a_broker_failing_mid_way_is_retried_and_resumed_from_the_cache(desk, tmp_path):
    run = desk.procs.riskctl(desk.config, "sim", "history", "--days", "3", "--account",
                             str(DEMO1), "--json", timeout=120)
    assert run.returncode == 0, run.stderr
    # the three days written, not the default 20: a day without trades is asked again on
    # every replay (never cached as empty), and "resumed from the cache" counts Trade/search
    written = json.loads(run.stdout)["written"]
    days = ("--from", written[0], "--to", written[-1])
    sim_port = int(desk.rest_url.rsplit(":", 1)[1])
    proxy = DroppingProxy(sim_port, b"retrieveBars", drops=0)
    # the same riskd config, its broker reached through the proxy as a "projectx" URL. Its
    # client budget refills over 6 s, not 60 s: a 429 empties the bucket, and at the shipped
    # 100 calls a minute each of the ~60 calls after it waited 0.6 s (~35 s of this test).
    # The 200-call limit stays, and what is proven (429s and a dropped connection retried,
    # 500s stopping with one line, the resume from the cache) does not depend on the window.
    other = shipped_config(tmp_path, broker={"kind": "projectx",
                                             "rest_url": f"http://127.0.0.1:{proxy.port}",
                                             "user_name": "sim-user",
                                             "api_key": "sim-api-key",
                                             "rate_window": 6.0})
    cache = str(tmp_path / "cache")
    try:
        desk.reset_calls()
        desk.fail("/api/Trade/search", 429, 2, retryAfter=0.2)
        desk.fail("/api/History/retrieveBars", 500, 40)       # beyond every retry
        first = desk.replay(DEMO1.__str__(), *days, "--cache", cache, config=other)
        assert first.returncode == 1
        line = first.stderr.strip().splitlines()[-1]
        assert "History/retrieveBars" in line and "run the same replay again" in line
        assert "Trade/search" in line and "retr" in line          # the 429s were retried
        trades_asked = desk.calls("/api/Trade/search")
        desk.fail("/api/History/retrieveBars", 500, 0)
        proxy.drops = 1                                        # then one dropped connection
        second = desk.replay(DEMO1.__str__(), *days, "--cache", cache, "--json", config=other)
        assert second.returncode == 0, second.stderr
        assert desk.calls("/api/Trade/search") == trades_asked   # resumed from the cache
        doc = json.loads(second.stdout)
        assert doc["days"] and doc["broker_calls"] > 0
        assert any("retrieveBars" in r for r in doc["retried"]) and proxy.dropped == 1
        third = desk.replay(DEMO1.__str__(), *days, "--cache", cache, "--json", config=other)
        assert json.loads(third.stdout)["broker_calls"] == 0
    finally:
        proxy.close()
