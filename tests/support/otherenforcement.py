"""Another riskd's enforcement worker on this riskd's ports: it binds bus.enforcement_control
as a worker does (its replies stamped with ITS riskd's instance id, RISKD_INSTANCE in its
environment) and answers EnforcementStatusRequest with its own journal: account OTHER_ACCOUNT
it cannot enforce on, reason "THEIRS". Run as
`python -m tests.support.otherenforcement --config FILE` (tests/integration/
test_bus_other_riskd.py); ends when it is stopped.
"""
from __future__ import annotations

import argparse
import os
import sys

import zmq

from shared import instanceid
from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.enforce import EnforcementStatus, EnforcementStatusRequest, Unenforceable
from shared.messages.system import error, ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    args = parser.parse_args()
    bus = load_config(args.config).config.bus
    rep = make_socket(zmq.Context.instance(), zmq.REP, bind=bus.enforcement_control)
    account = int(os.environ["OTHER_ACCOUNT"])
    print(f"other enforcement: riskd instance {instanceid.own()} on {bus.enforcement_control}",
          flush=True)

    def answer(req):
        if not isinstance(req, EnforcementStatusRequest):
            return error("unsupported", type(req).__name__)
        return ok(EnforcementStatus(cannot_enforce=[Unenforceable(
            account_id=account, reason="THEIRS", since_ns=1)]))

    while True:
        if rep.poll(100):
            rep.send(handle_request(rep.recv(), answer, "enforcement"))


if __name__ == "__main__":
    sys.exit(main())
