"""The sim's HTTP server: /api/... to the Gateway, /sim/... to the Controls.

The standard library's ThreadingHTTPServer (HTTP/1.1 keep-alive, one thread
per connection) in a daemon thread, HTTPS when given an SSL context (tls.py);
the handlers only move bytes.
"""
from __future__ import annotations

import logging
import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from services.simbroker.gateway import Gateway, Response
from services.simbroker.controls import Controls

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20


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
