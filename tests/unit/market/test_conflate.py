"""Conflation: a quote storm collapses to the newest fields per contract; nothing else is lost."""
from services.market.conflate import Conflator


def test_quotes_merge_per_contract_while_fills_keep_their_order():
    c = Conflator()
    c.add_quote("MNQ", {"bestBid": 1, "bestAsk": 2})
    c.add_event("fill-1")
    c.add_quote("MNQ", {"bestBid": 3, "lastPrice": None})
    c.add_quote("ES", {"lastPrice": 5000})
    c.add_event("fill-2")
    c.add_quote("MNQ", {"lastPrice": 4})
    assert len(c) == 4
    events, quotes = c.drain()
    assert events == ["fill-1", "fill-2"]
    assert quotes == {"MNQ": {"bestBid": 3, "bestAsk": 2, "lastPrice": 4}, "ES": {"lastPrice": 5000}}
    assert (c.quotes_in, c.quotes_merged) == (4, 2)
    assert len(c) == 0 and c.drain() == ([], {})


def test_ten_thousand_events_between_drains_are_all_kept_in_order():
    c = Conflator()
    for i in range(10_000):
        c.add_event(i)
        c.add_quote(f"C{i % 10}", {"lastPrice": i})
    events, quotes = c.drain()
    assert events == list(range(10_000))
    assert quotes == {f"C{k}": {"lastPrice": 9990 + k} for k in range(10)}
