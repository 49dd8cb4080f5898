"""Another riskd's risk worker on this riskd's ports: it binds bus.risk_pub as a worker does (an
XPUB, its frames stamped with ITS riskd's instance id, RISKD_INSTANCE in its environment) and
publishes one flatten Command again and again, as risk re-sends a command until enforcement
answers, each after its Decision (id "d-<command id>", topic 'decision', what `riskctl watch`
shows). Run as `python -m tests.support.otherrisk --config FILE` with OTHER_COMMAND_ID and
OTHER_ACCOUNT set (tests/integration/test_bus_other_riskd.py); ends when it is stopped.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import zmq

from shared import topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.enforce import Command
from shared.messages.risk import Decision


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    bus = load_config(args.config).config.bus
    pub = Publisher(make_socket(zmq.Context.instance(), zmq.XPUB, bind=bus.risk_pub), "risk")
    cid, account = os.environ["OTHER_COMMAND_ID"], int(os.environ["OTHER_ACCOUNT"])
    print(f"other risk: riskd instance {pub.instance.decode()} on {bus.risk_pub}", flush=True)
    while True:
        now = time.time_ns()
        pub.publish(topics.DECISION, Decision(id=f"d-{cid}", ts_ns=now, rule="daily_realized_loss",
                                              account_id=account, action="flatten"))
        pub.publish(topics.COMMAND, Command(id=cid, decision_id=f"d-{cid}", account_id=account,
                                            action="flatten", issued_ns=now, event_ns=now,
                                            rule="daily_realized_loss"))
        pub.subscriptions()          # an XPUB's subscriptions are read, as a worker's are
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
