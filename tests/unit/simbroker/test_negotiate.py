"""Negotiation ids: v1 token vs v0 id, single use, per hub, expiry (injected clock)."""
from __future__ import annotations

from services.simbroker.negotiate import Negotiations, negotiate_version


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_v1_answers_a_connection_token_good_once_on_its_hub():
    clock = Clock()
    n = Negotiations(clock, ttl=5)
    doc = n.negotiate("user", 1)
    assert set(doc) == {"negotiateVersion", "connectionId", "connectionToken",
                        "availableTransports"}
    assert not n.take("user", doc["connectionId"])          # v1: the token, not the id
    assert n.take("user", doc["connectionToken"])
    assert not n.take("user", doc["connectionToken"])       # single use
    other = n.negotiate("market", 1)["connectionToken"]
    assert not n.take("user", other) and not n.take("market", other)   # spent by the try


def test_v0_uses_the_connection_id_and_ids_expire():
    clock = Clock()
    n = Negotiations(clock, ttl=5)
    doc = n.negotiate("user", 0)
    assert doc["negotiateVersion"] == 0 and "connectionToken" not in doc
    late = n.negotiate("user", 1)["connectionToken"]
    assert n.pending() == 2
    assert n.take("user", doc["connectionId"])
    clock.now += 5.0
    assert n.pending() == 0 and not n.take("user", late)
    assert not n.take("user", None)


def test_negotiate_version_from_the_query():
    assert negotiate_version({}) == 0
    assert negotiate_version({"negotiateVersion": ["1"]}) == 1
    assert negotiate_version({"negotiateVersion": ["x"]}) is None
    assert negotiate_version({"negotiateVersion": ["-1"]}) is None
