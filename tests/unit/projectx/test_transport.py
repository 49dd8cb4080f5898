"""The client's HTTP: its error types (the kinds requests has), the environment's proxy, one
kept-alive connection.

Real sockets on loopback (a tiny HTTP server in a thread); the client against the sim broker is
tests/integration/test_projectx_client.py (TLS included)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.projectx.rest import ProjectXRest
from shared.projectx import transport as http
from shared.projectx.transport import Transport
from tests.support.ports import free_port

pytestmark = pytest.mark.timeout(30)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lines: list[str] = []
        self.connections = 0
        self.delay = delay
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):
        pass                   # the slow answer's client has gone: a broken pipe, expected

    def finish(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self):
        super().setup()
        self.server.connections += 1

    def _answer(self):
        self.server.lines.append(self.requestline)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.server.delay:
            threading.Event().wait(self.server.delay)
        body = b"pong" if self.command == "GET" else json.dumps(
            {"success": True, "errorCode": 0, "token": "t"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_a):
        pass


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.finish()


def test_calls_share_one_kept_alive_connection(server, monkeypatch):
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    client = ProjectXRest(server.url, "u", "k")
    for _ in range(5):
        assert client.ping()
    client.login()
    assert server.connections == 1
    assert len(server.lines) == 6


def test_the_proxy_of_the_environment_is_used_and_no_proxy_is_honoured(server, monkeypatch):
    # the "proxy" is the same little server: a request through a proxy names the whole URL
    target = f"http://127.0.0.1:{free_port()}"     # nothing listens there: only via the proxy
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert ProjectXRest(target, "u", "k").ping()
    assert server.lines == [f"GET {target}/api/Status/ping HTTP/1.1"]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert not ProjectXRest(target, "u", "k").ping()          # direct: refused
    assert len(server.lines) == 1


def test_refused_is_a_connection_error_and_a_slow_answer_a_read_timeout(monkeypatch):
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    url = f"http://127.0.0.1:{free_port()}/api/Status/ping"
    with pytest.raises(http.ConnectionError) as refused:
        Transport(url).request("GET", url, timeout=2)
    assert not isinstance(refused.value, http.Timeout)
    slow = _Server(delay=1.0)
    try:
        with pytest.raises(http.ReadTimeout):
            Transport(slow.url).request("GET", slow.url + "/x", timeout=0.2)
    finally:
        slow.finish()



def test_proxies_are_looked_up_only_where_there_can_be_some():
    """Without a *_proxy variable on Linux getproxies finds nothing, so urllib.request is not
    imported (0.25 MB in enforcement); Windows' registry and macOS's settings are always asked."""
    assert http.no_proxy_settings({"PATH": "/bin", "PROXY": "x"}, "linux", "posix")
    assert http.no_proxy_settings({"https_proxy": ""}, "linux", "posix")
    assert not http.no_proxy_settings({"HTTPS_PROXY": "http://p:3128"}, "linux", "posix")
    assert not http.no_proxy_settings({"no_proxy": "*"}, "linux", "posix")
    assert not http.no_proxy_settings({}, "darwin", "posix")
    assert not http.no_proxy_settings({}, "win32", "nt")


def test_a_call_to_the_gateway_goes_straight_to_its_pool_with_the_same_request(server,
                                                                               monkeypatch):
    """Round 18 (docs/performance.md): a call to the client's own gateway does not go through
    urllib3's PoolManager (its URL parse, pool lookup and header copy on every call); what the
    server reads is the same request on the same kept-alive connection, and an error is the
    same kind as before."""
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    import urllib3.poolmanager
    managed = []
    real = urllib3.poolmanager.PoolManager.urlopen
    monkeypatch.setattr(urllib3.poolmanager.PoolManager, "urlopen",
                        lambda self, *a, **kw: managed.append(a) or real(self, *a, **kw))
    client = ProjectXRest(server.url, "u", "k")
    client.login()
    assert client.ping()
    assert managed == []
    assert server.lines == ["POST /api/Auth/loginKey HTTP/1.1", "GET /api/Status/ping HTTP/1.1"]
    assert server.connections == 1
    # another URL (not the gateway's origin) still goes the PoolManager's way
    assert Transport(server.url).request("GET", server.url + "/a%20b", timeout=2).status_code \
        == 200
    assert managed and server.lines[-1] == "GET /a%20b HTTP/1.1"
    # the pool closed (the client closed) and asked again: a new connection, same answers
    client.transport.close()
    assert client.ping() and server.connections == 3


def test_the_short_way_times_out_and_refuses_as_the_long_way(monkeypatch):
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    monkeypatch.delenv("http_proxy", raising=False)
    port = free_port()
    with pytest.raises(http.ConnectionError) as refused:
        Transport(f"http://127.0.0.1:{port}").request(
            "POST", f"http://127.0.0.1:{port}/api/Position/closeContract", body=b"{}",
            headers={"Content-Type": "application/json"}, timeout=2)
    assert not isinstance(refused.value, http.Timeout)
    slow = _Server(delay=1.0)
    try:
        with pytest.raises(http.ReadTimeout):
            Transport(slow.url).request("POST", slow.url + "/api/Position/closeContract",
                                        body=b"{}", timeout=0.2)
    finally:
        slow.finish()
