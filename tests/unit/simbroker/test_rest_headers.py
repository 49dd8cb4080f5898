"""The sim's REST server reads a request's headers itself, not through the email package the
standard library uses (round 15, docs/performance.md: ~25 us of every call to the sim, riskd's
closeContract included): keep-alive, Connection, Expect and the limits as before."""
from __future__ import annotations

import http.client
import socket

import pytest

from services.simbroker.gateway import Response
from services.simbroker.rest import MAX_HEADERS, RestServer


class Recorder:
    """The gateway's REST entry point: remembers each call, answers a fixed body."""

    def __init__(self):
        self.calls = []

    def api_call(self, path, authorization, raw):
        self.calls.append((path, authorization, raw))
        return Response(200, b'{"success": true}', {"Content-Type": "application/json"})


@pytest.fixture
def server():
    gateway = Recorder()
    srv = RestServer("127.0.0.1", 0, gateway, None)
    srv.start()
    try:
        yield srv, gateway
    finally:
        srv.stop()


def _exchange(port: int, *requests: bytes) -> bytes:
    """Send the requests on one connection, return all that came back until it closed or
    went quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        for req in requests:
            sock.sendall(req)
        sock.settimeout(0.5)
        got = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                got += chunk
        except socket.timeout:
            pass
    return got


def _post(body: bytes, *headers: str, version: str = "HTTP/1.1") -> bytes:
    lines = [f"POST /api/Position/closeContract {version}", "Host: x", *headers,
             f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_headers_are_read_without_the_email_package(server, monkeypatch):
    srv, gateway = server

    def no_email(*_a, **_k):
        raise AssertionError("the sim parsed headers through http.client")
    monkeypatch.setattr(http.client, "parse_headers", no_email)
    got = _exchange(srv.server_address[1],
                    _post(b'{"a":1}', "authorization: Bearer t1"),
                    _post(b'{"b":2}', "AUTHORIZATION:Bearer t2 "))
    assert got.count(b"HTTP/1.1 200 OK") == 2          # keep-alive: both on one connection
    assert gateway.calls == [("/api/Position/closeContract", "Bearer t1", b'{"a":1}'),
                             ("/api/Position/closeContract", "Bearer t2", b'{"b":2}')]


def test_connection_close_and_http_1_0_end_the_connection(server):
    srv, gateway = server
    port = srv.server_address[1]
    # the connection ends after the first answer: the second request is never read
    got = _exchange(port, _post(b"{}", "Connection: close"), _post(b"{}"))
    assert got.count(b" 200 OK") == 1
    got = _exchange(port, _post(b"{}", version="HTTP/1.0"), _post(b"{}"))
    assert got.count(b" 200 OK") == 1
    got = _exchange(port, _post(b"{}", "Connection: keep-alive", version="HTTP/1.0"),
                    _post(b"{}"))
    assert got.count(b" 200 OK") == 2
    assert len(gateway.calls) == 4


def test_expect_100_continue_is_answered_before_the_body(server):
    srv, gateway = server
    got = _exchange(srv.server_address[1], _post(b'{"c":3}', "Expect: 100-continue"))
    assert got.startswith(b"HTTP/1.1 100 Continue\r\n") and b"HTTP/1.1 200 OK" in got
    assert gateway.calls[0][2] == b'{"c":3}'


@pytest.mark.parametrize("request_bytes, status", [
    (_post(b"{}", "no colon here"), b"431"),
    (_post(b"{}", *[f"X-{i}: y" for i in range(MAX_HEADERS + 1)]), b"431"),
    (_post(b"{}", "X-Long: " + "y" * 70_000), b"431"),
    (_post(b"{}", version="HTTP/2.0"), b"505"),
    (b"POST /api/x\r\n\r\n", b"400"),
])
def test_a_bad_request_is_answered_with_an_error_and_reaches_no_handler(server, request_bytes,
                                                                         status):
    srv, gateway = server
    got = _exchange(srv.server_address[1], request_bytes)
    # before a request line names HTTP/1.x the answer is HTTP/0.9's, a page with no status
    # line (as the standard library's)
    assert b"Error code: " + status in got
    assert gateway.calls == []
