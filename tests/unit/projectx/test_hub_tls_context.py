"""The TLS context a hub connection gets (shared/projectx/realtime.HubClient): a wss:// hub
verifies against the CA bundle, made at each connect; a ws:// hub (the sim without TLS) never
wraps its socket and gets one context that loads no certificate (loading every CA of the
system, each connect, cost market ~0.8 MB a hub)."""
import ssl

import certifi
import pytest

from shared.projectx import realtime
from shared.projectx.realtime import HubClient


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
