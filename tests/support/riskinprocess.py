"""The real RiskWorker in the caller's process, on loopback sockets from a shipped-rules config,
with a publisher standing in for market: the one set-up of the tests that drive risk's loop
step by step (tests/unit/risk: test_event_before_other_accounts, test_fill_during_judging)
and of the in-process risk benches (tests/bench: risk_quote_cpu, risk_fill_wait)."""
from __future__ import annotations

import contextlib
import pathlib

import zmq

from services.risk.app import RiskWorker
from shared.bus.publisher import Publisher
from shared.config import load_config
from tests.support.env import make_config


@contextlib.contextmanager
def risk_in_process(folder, unbounded: bool = False, before_bind=None, **sections):
    """(the set-up worker, market's stand-in publisher); everything closed after.

    unbounded: no high-water mark on market's PUB nor on risk's market SUB (a bench's storm:
    nothing dropped, every run takes it all). before_bind(worker): called before bind and
    setup (a bench wraps the loop's steps there: its timers and readers take the wrapped
    ones). sections: config tables over the shipped ones (make_config's)."""
    loaded = load_config(make_config(pathlib.Path(folder), **sections))
    ctx = zmq.Context()
    market = ctx.socket(zmq.PUB)
    if unbounded:
        market.setsockopt(zmq.SNDHWM, 0)
    market.bind(loaded.config.bus.market_pub)
    w = RiskWorker(loaded, ctx=ctx)
    if before_bind is not None:
        before_bind(w)
    w.bind()
    w.setup()
    try:
        if unbounded:
            w.market.sock.setsockopt(zmq.RCVHWM, 0)
        yield w, Publisher(market, "market")
    finally:
        w.teardown()
        for s in w._sockets + [market]:
            s.close(0)
        ctx.term()
