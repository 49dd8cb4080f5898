"""`riskctl positions` while market is not there prints riskd's own words and asks nothing more
(riskctl used to recognise "market is not reachable" with a regex and send a second
WorkersRequest to word it: the supervisor says it now, services/supervisor/unreachable.py).
A REP socket on loopback stands in for the supervisor and counts what riskctl sends."""
from __future__ import annotations

import threading

import pytest
import zmq

from cli.main import main
from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket
from shared.messages.system import error

pytestmark = pytest.mark.timeout(30)

WORDS = ("market is stopped: admin:ana stopped it at Sat 21:03:10 CST; it stays stopped until "
         "an admin or ops starts it (`riskctl start market`) "
         "(`riskctl status` shows what riskd runs)")


@pytest.fixture
def supervisor(tmp_path, monkeypatch):
    """(config path, the requests riskctl sent): every request is answered 'unreachable'."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    ctx = zmq.Context.instance()
    rep = make_socket(ctx, zmq.REP, bind="tcp://127.0.0.1:*")
    address = rep.getsockopt(zmq.LAST_ENDPOINT).decode()
    config = tmp_path / "riskd.toml"
    config.write_text(f'[bus]\ncontrol = "{address}"\n')
    asked: list = []
    done = threading.Event()

    def serve():
        while not done.is_set():
            if rep.poll(50):
                def answer(request):
                    asked.append(type(request.command).__name__)
                    return error("unreachable", WORDS)
                rep.send(handle_request(rep.recv(), answer))
    server = threading.Thread(target=serve, daemon=True)
    server.start()
    yield str(config), asked
    done.set()
    server.join(5)
    rep.close(0)


def test_riskctl_prints_the_supervisor_s_words_after_one_request(supervisor, capsys):
    config, asked = supervisor
    assert main(["--config", config, "positions"]) == 1
    assert capsys.readouterr().err == f"riskctl positions: {WORDS}\n"
    # riskd's identity (cli/whichriskd.py), then the command; no second request to word it
    assert asked == ["Ping", "PositionsRequest"]


def test_json_keeps_the_machine_code_after_the_words(supervisor, capsys):
    config, asked = supervisor
    assert main(["--config", config, "positions", "--json"]) == 1
    assert capsys.readouterr().err == f"riskctl positions: {WORDS} [unreachable]\n"
    assert asked == ["Ping", "PositionsRequest"]
