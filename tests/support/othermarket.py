"""Another riskd's market worker on this riskd's ports: it binds bus.market_pub and
bus.market_control as a worker does (its frames and replies stamped with ITS riskd's instance
id, RISKD_INSTANCE in its environment) and answers risk's SnapshotRequest with its own
accounts: one account, OTHER_ACCOUNT, named "THEIRS-<id>". Run as
`python -m tests.support.othermarket --config FILE` (tests/integration/test_bus_other_riskd.py);
ends when it is stopped.
"""
from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal

import zmq

from shared.bus.publisher import Publisher
from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.market import AccountUpdate, MarketSnapshot, SnapshotRequest
from shared.messages.system import error, ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    bus = load_config(args.config).config.bus
    ctx = zmq.Context.instance()
    pub = Publisher(make_socket(ctx, zmq.XPUB, bind=bus.market_pub), "market")
    rep = make_socket(ctx, zmq.REP, bind=bus.market_control)
    account = int(os.environ["OTHER_ACCOUNT"])
    print(f"other market: riskd instance {pub.instance.decode()} on {bus.market_control}",
          flush=True)

    def answer(req):
        if not isinstance(req, SnapshotRequest):
            return error("unsupported", type(req).__name__)
        return ok(MarketSnapshot(seq=pub.seq, epoch=pub.epoch, accounts=[AccountUpdate(
            account_id=account, name=f"THEIRS-{account}", balance=Decimal(50000),
            can_trade=True)]))

    while True:
        pub.subscriptions()
        if rep.poll(100):
            rep.send(handle_request(rep.recv(), answer, "market"))


if __name__ == "__main__":
    sys.exit(main())
