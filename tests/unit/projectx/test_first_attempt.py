"""A call's first attempt runs without tenacity; what retries after it is the same as before:
the same waits (each round's backoff, an answer's Retry-After), the same number of attempts, the
same error with the attempts counted (round 18, docs/performance.md: tenacity's Retrying and
its rounds of actions were Python before every request left, a close's included).

Real sockets on loopback: a tiny HTTP server that answers a given list of statuses."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import tenacity

from shared.projectx.errors import BrokerUnavailable, ProjectXError
from shared.projectx.rest import ProjectXRest

pytestmark = pytest.mark.timeout(30)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, statuses: list[int]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.statuses = list(statuses)       # answered in turn; then 200 with success
        self.paths: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.paths.append(self.path)
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        body = json.dumps({"success": True, "errorCode": 0, "token": "t",
                           "positions": []}).encode()
        self.send_response(status)
        if status == 502:
            self.send_header("Retry-After", "0.3")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_a):
        pass


@pytest.fixture
def no_proxy(monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def client(url: str, waits: list) -> ProjectXRest:
    c = ProjectXRest(url, "u", "k", attempts=3, backoff_base=0.2, backoff_max=2.0,
                     sleep=waits.append)
    c._token, c._renew_at_ns = "t", 2 ** 62       # logged in: only the calls under test
    return c


def test_a_call_that_works_makes_no_retrying(no_proxy, monkeypatch):
    made = []
    real = tenacity.Retrying.__init__
    monkeypatch.setattr(tenacity.Retrying, "__init__",
                        lambda self, *a, **kw: made.append(1) or real(self, *a, **kw))
    server = _Server([])
    try:
        waits: list = []
        assert client(server.url, waits).open_positions(1001) == []
        assert made == [] and waits == [] and server.paths == ["/api/Position/searchOpen"]
    finally:
        server.shutdown()


def test_retries_wait_and_count_as_before(no_proxy):
    server = _Server([503, 502])
    try:
        waits: list = []
        assert client(server.url, waits).open_positions(1001) == []
        assert waits == [0.2, 0.3]            # round 1's backoff, then round 2's Retry-After
        assert len(server.paths) == 3
    finally:
        server.shutdown()
    server = _Server([503, 503, 503, 503])
    try:
        waits = []
        with pytest.raises(BrokerUnavailable) as failed:
            client(server.url, waits).open_positions(1001)
        assert failed.value.attempts == 3 and waits == [0.2, 0.4]
        assert len(server.paths) == 3
    finally:
        server.shutdown()


def test_a_close_is_not_retried_after_the_broker_may_have_acted(no_proxy):
    server = _Server([503, 503])
    try:
        waits: list = []
        with pytest.raises(BrokerUnavailable) as failed:
            client(server.url, waits).close_contract(1001, "CON.F.US.MNQ.Z26")
        assert failed.value.attempts == 1 and waits == []
        assert server.paths == ["/api/Position/closeContract"]
    finally:
        server.shutdown()
    server = _Server([400])
    try:
        with pytest.raises(ProjectXError):
            client(server.url, []).close_contract(1001, "CON.F.US.MNQ.Z26")
    finally:
        server.shutdown()
