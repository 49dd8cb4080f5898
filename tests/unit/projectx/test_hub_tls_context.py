"""The TLS context a hub connection gets (shared/projectx/realtime.HubClient): a wss:// hub
verifies against the CA bundle, made at each connect; a ws:// hub (the sim without TLS) never
wraps its socket and gets one context that loads no certificate (loading every CA of the
system, each connect, cost market ~0.8 MB a hub)."""
import ssl
import subprocess
import sys

import certifi
import pytest

from shared.projectx import realtime
from shared.projectx.realtime import HubClient
from tests.support.env import REPO


class FakeConn:
    def on(self, *_a):
        pass

    on_open = on_close = on_error = on

    def start(self):
        raise OSError("not in a unit test")


class FakeBuilder:
    contexts: list = []

    def with_url(self, _url, options):
        FakeBuilder.contexts.append(options["ssl_context"])
        return self

    def with_hub_protocol(self, _protocol):
        return self

    def build(self):
        return FakeConn()


@pytest.fixture
def contexts(monkeypatch):
    FakeBuilder.contexts = []
    monkeypatch.setattr(realtime, "HubConnectionBuilder", FakeBuilder)
    return FakeBuilder.contexts


def connect_twice(url: str, **kw) -> None:
    hub = HubClient("market", url, lambda _signal: None, **kw)
    hub.connect("t1")
    hub.connect("t2")


def test_a_plain_hub_loads_no_certificate(contexts):
    connect_twice("ws://127.0.0.1:5600/hubs/market")
    assert len(contexts) == 2 and contexts[0] is contexts[1]
    assert contexts[0].cert_store_stats()["x509_ca"] == 0


@pytest.mark.parametrize("url", ["wss://gateway.example/hubs/market",
                                 "https://gateway.example/hubs/market"])
def test_a_tls_hub_verifies_against_the_ca_bundle_made_at_each_connect(contexts, url):
    connect_twice(url, ca_bundle=certifi.where())
    assert len(contexts) == 2 and contexts[0] is not contexts[1]
    for context in contexts:
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0


IMPORT_PROBE = """
import ssl
made = ssl.create_default_context
import shared.projectx.realtime
import signalrcore.hub.base_hub_connection as hub
import signalrcore.transport.base_transport as transport
import signalrcore.transport.sockets.base_socket_client as sockets
assert ssl.create_default_context is made, "ssl.create_default_context not restored"
for fn in (hub.BaseHubConnection.__init__, transport.BaseTransport.__init__,
           sockets.BaseSocketClient.__init__):
    found = [d for d in (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).values())
             if isinstance(d, ssl.SSLContext)]
    assert found, fn.__qualname__
    for context in found:
        print(fn.__qualname__, context.cert_store_stats()["x509_ca"],
              context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname)
"""


def test_signalrcores_unused_default_contexts_load_no_certificate():
    """signalrcore makes three default-argument contexts at import (2.7 MB of market's memory
    with the system's CAs); riskd never uses them: they load nothing and still verify
    (shared/projectx/hublib.py)."""
    out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()]
    assert len(rows) == 3 and all(cas == "0" and verifies == "True" for _, cas, verifies in rows)


def test_signalrcores_builder_makes_no_context_with_certificates_of_its_own():
    """HubConnectionBuilder() made a default context (every CA) at each connect, only for
    riskd's to replace it; it is made without certificates, and riskd's is still taken."""
    from shared.projectx.hublib import HttpTransportType, HubConnectionBuilder
    builder = HubConnectionBuilder()
    assert builder.ssl_context.cert_store_stats()["x509_ca"] == 0
    assert builder.ssl_context.verify_mode == ssl.CERT_REQUIRED
    ours = ssl.create_default_context(cafile=certifi.where())
    builder.with_url("wss://gateway.example/hubs/market", options={
        "skip_negotiation": True, "transport": HttpTransportType.web_sockets,
        "ssl_context": ours})
    assert builder.ssl_context is ours
