"""The sim's hub loop routes user events before quotes queued ahead of them (issue 21: a fill
never waits behind a quote storm in the sim either)."""
from __future__ import annotations

from services.simbroker.entities import Event
from services.simbroker.hubs import HubServer


def routed_by_drain(hubs: HubServer) -> list:
    seen: list = []
    hubs._route = lambda key, text: seen.append(("quote", key[1]))
    hubs._route_user = lambda event: seen.append(("user", event.payload["id"]))
    hubs._drain()
    return seen


def test_a_trade_published_after_a_storm_of_quotes_is_routed_first():
    hubs = HubServer(gateway=None, host="127.0.0.1", port=0)   # no loop: nothing is started
    for i in range(1000):
        hubs.publish_quote(f"CON.F.US.C{i % 10}.Z26", {"lastPrice": i})
    hubs.publish_user([Event("GatewayUserTrade", 1001, {"id": 7})])
    first = routed_by_drain(hubs)
    assert first == [("user", 7)]                     # the quotes wait for the next turn
    rest = routed_by_drain(hubs)
    assert len(rest) == 1000 and {kind for kind, _ in rest} == {"quote"}


def test_a_trade_arriving_while_quotes_are_routed_stops_them_for_its_turn():
    hubs = HubServer(gateway=None, host="127.0.0.1", port=0)
    for i in range(10):
        hubs.publish_quote("CON.F.US.MNQ.Z26", {"lastPrice": i})
    seen: list = []

    def route(key, text):
        seen.append("quote")
        if len(seen) == 3:                  # another thread publishes a trade mid-drain
            hubs.publish_user([Event("GatewayUserTrade", 1001, {"id": 8})])
    hubs._route = route
    hubs._route_user = lambda event: seen.append("user")
    hubs._drain()
    assert seen == ["quote"] * 3
    hubs._drain()
    assert seen == ["quote"] * 3 + ["user"]
