"""riskctl replay's speed: 20 trading days of one account trading 5 contracts, one-minute bars.

- warm cache: the whole command (read the cache, rebuild the events, run the live engine
  with the shipped rules, build the report) after a first run filled the cache. Budget 5 s.
- cold: bounded by the broker's limits, not by riskd: the row gives the bar requests the range
  needs and the time the History limit (50 per 30 s) alone imposes on them.
The data source is in-process (tests/support/replay_days.py), so no broker is measured.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import tempfile
import time
from contextlib import redirect_stdout

from cli.commands import replay as command
from cli.context import Context
from cli.main import build_parser
from shared.clock import FakeClock
from tests.support.replay_days import CL, ES, MES, MNQ, NQ, BrokerOfDays, Days, chi

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRICES = {MNQ: 20000, ES: 5000, NQ: 20000, MES: 5000, CL: 70}
STEP = {MNQ: 1, ES: 0.25, NQ: 1, MES: 0.25, CL: 0.01}
BUDGET_S = 5.0


def history(days: list[dt.date], seed: int = 7):
    """Each day 09:00-14:30: round trips of 1-3 contracts held 3-15 minutes, 5 contracts."""
    rnd = random.Random(seed)
    d = Days(1001, "SIM-DEMO-1")
    for day in days:
        for k, cid in enumerate(PRICES):
            t = chi(day.year, day.month, day.day, 9, 0) + k * 60 * 10 ** 9
            end = chi(day.year, day.month, day.day, 14, 30)
            price = PRICES[cid]
            while t < end:
                hold = rnd.randint(3, 15)
                path = [price]
                for _ in range(hold):
                    path.append(round(path[-1] + rnd.choice((-4, -2, -1, 0, 1, 2, 4))
                                      * STEP[cid], 2))
                d.bars(cid, t, [(p, max(p, q), min(p, q), q) for p, q in zip(path, path[1:])]
                       + [path[-1]])
                size = rnd.randint(1, 3)
                side, other = rnd.choice((("buy", "sell"), ("sell", "buy")))
                d.trade(t, cid, side, size, path[0])
                d.trade(t + hold * 60 * 10 ** 9, cid, other, size, path[-1])
                price = path[-1]
                t += (hold + rnd.randint(5, 30)) * 60 * 10 ** 9
    return d.history()


def run(report) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-replay-")
    try:
        text = open(os.path.join(REPO, "etc", "riskd.toml"), encoding="utf-8").read()
        config = os.path.join(tmp, "riskd.toml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write(text.replace('data_dir = "../var"', f'data_dir = "{tmp}/var"'))
        clock = FakeClock(chi(2026, 12, 4, 18, 0))
        from cli.replay.engine import calendar_of
        from shared.config.load import load_config
        cal = calendar_of(load_config(config))
        days = [cal.prev_trading_date(cal.trading_day(clock.now_ns()))]
        while len(days) < 20:
            days.append(cal.prev_trading_date(days[-1]))
        h = history(sorted(days))
        broker = BrokerOfDays(h)
        args = build_parser().parse_args(["replay", "SIM-DEMO-1", "--json"])
        ctx = Context(config, json_output=True)

        def once() -> float:
            t0 = time.perf_counter()
            with redirect_stdout(io.StringIO()):
                command.run(args, ctx, client=broker, clock=clock, sleep=clock.advance)
            return time.perf_counter() - t0

        once()
        bar_calls = broker.by_endpoint.get("/api/History/retrieveBars", 0)
        calls = broker.calls
        warm = min(once() for _ in range(2))
        if broker.calls != calls:
            raise RuntimeError(f"a warm replay called the broker {broker.calls - calls} times")
        bars = sum(len(v) for v in h.bars.values())
        report.add("replay: 20 days, 1 account, 5 contracts, warm cache", warm, "s",
                   note=f"budget < {BUDGET_S:g} s: {'ok' if warm < BUDGET_S else 'OVER'}; "
                        f"{len(h.fills)} fills, {bars} 1-min bars")
        floor = max(0, bar_calls - 25) * 30 / 25
        report.add("replay: cold, History limit alone (50/30 s)", floor, "s",
                   note=f"{bar_calls} bar requests + {calls - bar_calls} other calls "
                        f"(200/60 s): the limits bound a cold replay, not riskd")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
