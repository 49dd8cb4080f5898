"""The real RiskWorker in the test's process, on loopback sockets from a shipped-rules config,
with a publisher standing in for market: the set-up of the tests that drive risk's loop
step by step (test_event_before_other_accounts, test_fill_during_judging)."""
from __future__ import annotations

import contextlib

import zmq

from services.risk.app import RiskWorker
from shared.bus.publisher import Publisher
from shared.config import load_config
from tests.support.env import make_config


@contextlib.contextmanager
def risk_in_process(tmp_path):
    """(the set-up worker, market's stand-in publisher); everything closed after."""
    loaded = load_config(make_config(tmp_path))
    ctx = zmq.Context()
    market = ctx.socket(zmq.PUB)
    market.bind(loaded.config.bus.market_pub)
    w = RiskWorker(loaded, ctx=ctx)
    w.bind()
    w.setup()
    try:
        yield w, Publisher(market, "market")
    finally:
        w.teardown()
        for s in w._sockets + [market]:
            s.close(0)
        ctx.term()
