"""The real RiskWorker on loopback sockets in the test's own process, for tests of what it tells
the phone on a config change (tests/unit/risk/test_waiting_notice.py, test_disable_now.py):
its config is etc/riskd.toml's rules (make_config) with the accounts a test names, every
account starts from a complete snapshot with 50,000.00, and each notice is recorded where the
worker hands it to its PUB (RiskWorker._notify)."""
from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Iterator

import zmq

from services.risk.app import RiskWorker
from shared.clock import SYSTEM_CLOCK
from shared.config import load_config
from shared.messages.market import AccountUpdate, MarketSnapshot
from tests.support.env import make_config


@contextlib.contextmanager
def risk_worker(tmp_path, accounts: list[dict], clock=SYSTEM_CLOCK,
                sections: dict | None = None, path: str | None = None) -> Iterator[tuple]:
    """(worker, config path, backups folder, sent): sent gets (kind, severity, title, lines)
    per notice; worker.line_owners the accounts each notice's lines are about. clock: the
    worker's (a FakeClock for a story at a set time: the market closed, open). sections:
    TOML tables over make_config's (a rule the story is about turned on). path: a config an
    earlier rig of the test wrote (risk started again on its data directory: a restart)."""
    loaded = load_config(path or make_config(tmp_path, accounts=accounts, **(sections or {})))
    w = RiskWorker(loaded, clock=clock, ctx=zmq.Context())
    w.bind()
    w.setup()
    sent: list[tuple] = []
    publish = w._notify
    w.line_owners = []

    def recorded(kind, severity, title, lines, line_accounts=None):
        sent.append((kind, severity, title, list(lines)))
        w.line_owners.append((kind, list(line_accounts or [])))
        publish(kind, severity, title, lines, line_accounts)
    w._notify = recorded
    w.on_snapshot(MarketSnapshot(seq=0, epoch="test", complete=True, accounts=[
        AccountUpdate(account_id=a["id"], name=a["name"], balance=Decimal(50_000),
                      can_trade=True) for a in accounts]))
    try:
        yield w, loaded.path, str(tmp_path / "backups"), sent
    finally:
        w.teardown()
        for s in w._sockets:
            s.close(0)
        w.ctx.term()


def reload(w, path: str) -> None:
    """The worker takes the config file as it is now (as on a file change)."""
    w.on_config(w.config, load_config(path).config)
