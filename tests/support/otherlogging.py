"""Another riskd's logging worker on this riskd's ports: it binds bus.logging_pub as the
logging worker does (an XPUB; its frames stamped with ITS riskd's instance id, RISKD_INSTANCE
in its environment) and republishes one log record again and again, message OTHER_LINE, with
its heartbeat. Run as `python -m tests.support.otherlogging --config FILE`
(tests/integration/test_bus_other_riskd.py); ends when it is stopped.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time

import zmq

from shared import instanceid, topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.logs import LogRecord
from shared.messages.system import Heartbeat


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    bus = load_config(args.config).config.bus
    pub = Publisher(make_socket(zmq.Context.instance(), zmq.XPUB, bind=bus.logging_pub),
                    "logging")
    line = os.environ["OTHER_LINE"]
    print(f"other logging: riskd instance {instanceid.own()} on {bus.logging_pub}", flush=True)
    while True:
        now = time.time_ns()
        pub.publish("log.WARNING.risk", LogRecord(
            ts_ns=now, level="WARNING", levelno=logging.WARNING, process="risk",
            pid=os.getpid(), logger="riskd", message=line, instance=instanceid.own()))
        pub.publish(topics.HEARTBEAT, Heartbeat(name="logging", pid=os.getpid(), started_ns=0))
        pub.subscriptions()
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
