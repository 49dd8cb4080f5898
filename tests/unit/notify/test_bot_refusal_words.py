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
from shared.messages.system import Reply, error

pytestmark = pytest.mark.timeout(30)


def refusal(answer: Reply) -> Unavailable:
    """What the bot's client raises when riskd answers `answer` to a read."""
    ctx = zmq.Context.instance()
    rep = make_socket(ctx, zmq.REP, bind="tcp://127.0.0.1:*")
    address = rep.getsockopt(zmq.LAST_ENDPOINT).decode()

    def respond():
        if rep.poll(10_000):
            frame = rep.recv()
            rep.send(handle_request(frame, lambda _req: answer))
    server = threading.Thread(target=respond, daemon=True)
    server.start()
    riskd = Riskd(address)
    try:
        with pytest.raises(Unavailable) as refused:
            riskd.ask(LockoutsRequest(account="1009"))
        return refused.value
    finally:
        server.join(10)
        riskd.client.close()
        rep.close(0)


def test_a_refusal_is_said_in_words_without_its_code():
    refused = refusal(error("unknown_account", "no account 1009 in riskd's config"))
    assert str(refused) == "no account 1009 in riskd's config"
    assert not refused.worded


def test_a_worker_riskd_cannot_reach_keeps_the_supervisor_s_words_and_code():
    """The supervisor words it (services/supervisor/unreachable.py): the chat adds nothing."""
    words = ("risk is stopped: admin:ana stopped it at Sat 21:03:10 CST; it stays stopped until "
             "an admin or ops starts it (`riskctl start risk`) "
             "(`riskctl status` shows what riskd runs)")
    refused = refusal(error("unreachable", words))
    assert str(refused) == words and refused.code == "unreachable" and refused.worded
