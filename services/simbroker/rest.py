"""The sim's HTTP server: /api/... to the Gateway, /sim/... to the Controls.

The standard library's ThreadingHTTPServer (HTTP/1.1 keep-alive, one thread
per connection) in a daemon thread, HTTPS when given an SSL context (tls.py);
the handlers only move bytes. A request's header lines are read into a plain
case-insensitive dict (Headers), not through the email package the standard
library parses them with: every call to the sim paid ~25 us for it, closeContract
on riskd's breach path included (round 15, docs/performance.md).
"""
from __future__ import annotations

import logging
import os
import socket
import ssl
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from services.simbroker.gateway import Gateway, Response
from services.simbroker.controls import Controls

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
MAX_LINE = 65536          # the standard library's limits for a header line and their number
MAX_HEADERS = 100


class Headers(dict):
    """A request's headers by lower-case name (a repeated one: its last value)."""

    def get(self, name: str, default=None):
        return dict.get(self, name.lower(), default)


def read_headers(rfile) -> Headers:
    """The header lines up to the blank line; ValueError for a line too long, too many lines
    or a line with no colon."""
    headers = Headers()
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise ValueError("header line too long")
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = line.decode("iso-8859-1").partition(":")
        if not colon or not name.strip():
            raise ValueError("malformed header line")
        headers[name.strip().lower()] = value.strip()
    raise ValueError(f"more than {MAX_HEADERS} headers")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "riskd-simbroker"
    disable_nagle_algorithm = True
    server: "RestServer"

    def _respond(self, response: Response) -> None:
        """Status, headers and body in ONE write (no Nagle / delayed-ACK stall between them)."""
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self._headers_buffer.append(b"\r\n" + response.body)
        self.flush_headers()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._respond(Response(413, b"request too large"))
            self.close_connection = True
            return
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        try:
            if path.startswith("/sim/") or path == "/sim":
                response = self.server.controls.handle(self.command, path, raw)
            elif self.command == "GET":
                response = self.server.gateway.get_call(path)
            elif self.command != "POST":
                response = Response(405, b"the gateway API takes POST", {"Allow": "POST"})
            else:
                response = self.server.gateway.api_call(path, self.headers.get("Authorization"), raw)
        except Exception:             # a bug answers 500, never kills the server
            log.exception("%s %s failed", self.command, path)
            response = Response(500, b"internal error")
        self._respond(response)

    do_POST = _dispatch
    do_GET = _dispatch

    def parse_request(self) -> bool:
        """The request line as the standard library reads it (HTTP/1.0 and 1.1), the headers
        by read_headers(); on failure the error is answered and False returned."""
        self.command = None
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            version = words[2] if len(words) == 3 else ""
            if version.startswith("HTTP/") and version[5:].split(".")[0] not in ("0", "1"):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED,
                                f"Invalid HTTP version ({version[5:]})")
            else:
                self.send_error(HTTPStatus.BAD_REQUEST,
                                f"Bad request syntax ({self.requestline!r})")
            return False
        self.command, self.path, self.request_version = words
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = read_headers(self.rfile)
        except ValueError as exc:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, str(exc))
            return False
        connection = self.headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive")
        if self.headers.get("Expect", "").lower() == "100-continue" \
                and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()         # curl asks before a larger body
        return True

    def log_request(self, code="-", size="-") -> None:
        if log.isEnabledFor(logging.DEBUG):          # formatted only when it is written
            super().log_request(code, size)

    def log_message(self, format: str, *args) -> None:   # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)


class RestServer(ThreadingHTTPServer):
    daemon_threads = True
    # POSIX: SO_REUSEADDR only lets a restarted sim bind past TIME_WAIT. On Windows it would let
    # a second sim bind the SAME port and take connections meant for the first, so there the
    # socket is exclusive instead (SO_EXCLUSIVEADDRUSE) and a busy port is an error, as here.
    allow_reuse_address = os.name != "nt"

    def server_bind(self) -> None:
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):          # Windows only
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        super().server_bind()

    def __init__(self, host: str, port: int, gateway: Gateway, controls: Controls,
                 ssl_context: Optional[ssl.SSLContext] = None):
        self.gateway = gateway
        self.controls = controls
        self._thread: Optional[threading.Thread] = None
        super().__init__((host, port), _Handler)
        if ssl_context is not None:     # HTTPS; the handshake runs in the connection's thread
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True,
                                                  do_handshake_on_connect=False)

    def handle_error(self, request, client_address) -> None:
        """A client that fails the TLS handshake (it does not trust us) or hangs up: one line."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, OSError)):
            log.info("connection from %s ended: %s", client_address[0], exc)
        else:
            super().handle_error(request, client_address)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="simbroker-rest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
