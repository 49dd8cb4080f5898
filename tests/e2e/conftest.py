"""One riskd for the end-to-end tests a test process runs one after another (tests/e2e/
riskdesk.py), and the event orders the key scenarios run under.

The desk is package-scoped: it ends once the test process moves on past tests/e2e. Session-
scoped, it idled in each test process that had run an e2e file until the end of `make test`
(round 19: 30-46 minutes of riskd at about 2 % of a core each)."""
from __future__ import annotations

import pytest

from shared.messages.risk import RiskStatusRequest
from tests.e2e.harness import EVENT_ORDERS
from tests.e2e.riskdesk import POOL, WORKERS, Desk, build_config
from tests.support.env import wait_for
from tests.support.procs import Procs


@pytest.fixture(scope="package")
def desk(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    procs = Procs(tmp)
    config = build_config(tmp)
    try:
        procs.riskd(config)
        procs.wait_running(config, WORKERS, timeout=40)
        d = Desk(procs, config, tmp)
        wait_for(lambda: len(d.ask(RiskStatusRequest()).accounts) >= sum(POOL.values()), 40,
                 what="risk to know every account (market snapshot)")
        d.quiet(20)
        d.keep_mnq_quotes()
        yield d
    finally:
        procs.end()


@pytest.fixture(params=list(EVENT_ORDERS))
def event_order(request, desk):
    """Run the test with the sim sending each fill's events in this order."""
    desk.event_order(request.param)
    try:
        yield request.param
    finally:
        desk.event_order("trade_first")


@pytest.fixture(autouse=True)
def close_out(desk):
    """Each scenario's accounts are left flat for the next one."""
    yield
    desk.close_out()
