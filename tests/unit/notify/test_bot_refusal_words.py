"""What riskd refuses reaches the chat in words, without its internal code (round 7's trial:
"[auth_refused]", "[unreachable]" in the answers people read). A real REP socket on loopback
answers the bot's client."""
from __future__ import annotations

import threading

import pytest
import zmq

from services.notify.bot.riskd import Riskd, Unavailable
from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket
from shared.messages.risk import LockoutsRequest
from shared.messages.system import error

pytestmark = pytest.mark.timeout(30)


def test_a_refusal_is_said_in_words_without_its_code():
    ctx = zmq.Context.instance()
    rep = make_socket(ctx, zmq.REP, bind="tcp://127.0.0.1:*")
    address = rep.getsockopt(zmq.LAST_ENDPOINT).decode()

    def answer():
        if rep.poll(10_000):
            frame = rep.recv()
            rep.send(handle_request(frame, lambda _req: error(
                "unknown_account", "no account 1009 in riskd's config")))
    server = threading.Thread(target=answer, daemon=True)
    server.start()
    riskd = Riskd(address)
    try:
        with pytest.raises(Unavailable) as refused:
            riskd.ask(LockoutsRequest(account="1009"))
        assert str(refused.value) == "no account 1009 in riskd's config"
    finally:
        server.join(10)
        riskd.client.close()
        rep.close(0)
