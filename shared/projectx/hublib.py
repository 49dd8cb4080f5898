"""signalrcore, imported without the TLS contexts it makes at import and never uses in riskd.

Three of signalrcore's functions take `ssl_context=ssl.create_default_context()` as a default
argument (base_hub_connection, base_socket_client, base_transport), made when their modules are
imported: three contexts with every CA certificate of the system loaded, 2.7 MB of market's
memory (docs/performance.md, "Memory"). riskd passes its own context to every connection
(realtime.HubClient._tls_context), so those defaults are never used. While signalrcore is
imported here, they are made as contexts that load no certificate and still verify: should a
signalrcore version ever use one, its TLS connection fails the certificate check (fails
closed); it never connects unverified.

ssl.create_default_context is swapped only for these imports, made by market's main thread at
its start (before it starts a thread), and restored after them, whatever happens.

The builder (HubConnectionBuilder) makes one more in its __init__, at every connect, only for
riskd's context to replace it in with_url (~0.6 MB of market's memory at its peak): the
`ssl` its module sees (BuilderSsl) makes that one the same way; everything else in it is
the ssl module's own.
"""
from __future__ import annotations

import ssl
import sys
from typing import Any


def _verifying_without_certificates(*_args, **_kwargs) -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)      # CERT_REQUIRED, hostnames checked


_create_default_context = ssl.create_default_context
ssl.create_default_context = _verifying_without_certificates
try:
    from signalrcore.hub.errors import HubError, UnAuthorizedHubError
    from signalrcore.hub_connection_builder import HubConnectionBuilder
    from signalrcore.messages.ping_message import PingMessage
    from signalrcore.protocol.json_hub_protocol import JsonHubProtocol
    from signalrcore.transport.sockets.errors import SocketHandshakeError
    from signalrcore.types import HttpTransportType
finally:
    ssl.create_default_context = _create_default_context


class BuilderSsl:
    """The ssl module as signalrcore's builder module sees it: its default contexts load no
    certificate and verify; every other name is the ssl module's."""

    create_default_context = staticmethod(_verifying_without_certificates)

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


_builder_module = sys.modules[HubConnectionBuilder.__module__]
_builder_module.ssl = BuilderSsl()      # type: ignore[attr-defined]

__all__ = ["HttpTransportType", "HubConnectionBuilder", "HubError", "JsonHubProtocol",
           "PingMessage", "SocketHandshakeError", "UnAuthorizedHubError"]
