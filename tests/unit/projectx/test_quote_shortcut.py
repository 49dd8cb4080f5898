"""The market hub's quotes skip signalrcore's message objects (DecimalJsonHubProtocol direct).

A quote storm is 20,000 GatewayQuote records a second on one thread; handed straight to their
handler (a frame's quotes at once, as a list of their arguments) they cost far less CPU. What must not change: the prices riskd computes
with (exact Decimals, the JSON text's number), and everything else in the frame (completions,
other targets) still reaches signalrcore, read with Decimal.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from services.market.quotes import LastQuotes
from shared.projectx.models import parse_quote
from shared.projectx.realtime import EV_QUOTE, DecimalJsonHubProtocol, market_payloads

pytestmark = pytest.mark.timeout(30)

MNQ = "CON.F.US.MNQ.Z26"
RS = "\x1e"


def _frame(*records: str) -> str:
    return "".join(r + RS for r in records)


QUOTE = ('{"type":1,"target":"GatewayQuote","arguments":["%s",{"symbol":"F.US.MNQ",'
         '"lastPrice":21034.25,"bestBid":21034.0,"bestAsk":21034.5,"change":-12.75,'
         '"changePercent":-0.0606,"volume":12345}]}' % MNQ)
COMPLETION = '{"type":3,"invocationId":"7","result":null}'
TRADE = '{"type":1,"target":"GatewayTrade","arguments":["%s",[{"price":21034.25}]]}' % MNQ


def test_quotes_go_to_their_handler_and_the_rest_to_signalrcore():
    got = []
    proto = DecimalJsonHubProtocol(direct={EV_QUOTE: got.append})
    messages = proto.parse_messages(_frame(QUOTE, COMPLETION, TRADE, QUOTE))
    assert len(got) == 1 and len(got[0]) == 2          # one call per frame, both quotes
    assert [type(m).__name__ for m in messages] == ["CompletionMessage", "InvocationMessage"]
    trade = messages[1]
    assert trade.target == "GatewayTrade"
    assert trade.arguments[1][0]["price"] == Decimal("21034.25")
    assert isinstance(trade.arguments[1][0]["price"], Decimal)     # not a float


def test_a_quote_read_by_the_shortcut_has_the_prices_of_the_json_text():
    got = []
    DecimalJsonHubProtocol(direct={EV_QUOTE: got.extend}).parse_messages(_frame(QUOTE))
    cid, payloads = market_payloads(got[0])
    fast = parse_quote(cid, payloads[0])
    slow_args = json.loads(QUOTE, parse_float=Decimal)["arguments"]
    slow = parse_quote(*market_payloads(slow_args)[:1], market_payloads(slow_args)[1][0])
    assert fast == slow
    assert fast.last_price == Decimal("21034.25") and fast.change == Decimal("-12.75")
    assert fast.change_percent == Decimal("-0.0606")
    quote = LastQuotes().apply(cid, payloads[0], 0)        # what the market worker reads
    assert (quote.last, quote.bid, quote.ask) == (slow.last_price, slow.best_bid, slow.best_ask)
    assert str(quote.last) == str(slow.last_price)


@pytest.mark.parametrize("price", ["0.25", "21034.25", "4321.1", "0.0001", "123456.789",
                                   "99999.99", "1.10"])
def test_every_price_of_up_to_15_digits_survives_the_float(price):
    record = QUOTE.replace("21034.25", price, 1)
    got = []
    DecimalJsonHubProtocol(direct={EV_QUOTE: got.extend}).parse_messages(_frame(record))
    cid, payloads = market_payloads(got[0])
    assert parse_quote(cid, payloads[0]).last_price == Decimal(price)
    assert LastQuotes().apply(cid, payloads[0], 0).last == Decimal(price)


def test_without_a_shortcut_everything_goes_through_signalrcore_with_decimal():
    messages = DecimalJsonHubProtocol().parse_messages(_frame(QUOTE, COMPLETION))
    assert [type(m).__name__ for m in messages] == ["InvocationMessage", "CompletionMessage"]
    assert isinstance(messages[0].arguments[1]["lastPrice"], Decimal)


@pytest.mark.parametrize("records", [
    [" " + QUOTE + "\n", QUOTE],                     # whitespace around a record
    [QUOTE, QUOTE + "," + QUOTE],                    # two objects in one record: not JSON
    [QUOTE, QUOTE + "}"],                            # extra data
    [QUOTE.replace("21034.25", "NaN", 1), QUOTE],     # what json.loads accepts, the same
    [QUOTE.replace("F.US.MNQ", "F.US\\u0000MNQ", 1)],
    [QUOTE.replace("F.US.MNQ", "F.US\tMNQ", 1), QUOTE],   # a raw control character: not JSON
    ['{"type":1,"target":"GatewayQuote"}', "[1,2]", "7", QUOTE],
])
def test_a_frame_read_at_once_gives_what_its_records_read_one_by_one_give(records):
    got: list = []
    DecimalJsonHubProtocol(direct={EV_QUOTE: got.extend}).parse_messages(_frame(*records))
    want = []
    for r in records:
        try:
            m = json.loads(r)
        except ValueError:
            continue
        if isinstance(m, dict) and m.get("type") == 1 and m.get("target") == EV_QUOTE:
            want.append(m.get("arguments") or [])
    assert repr(got) == repr(want)


USER_ORDER = ('{"type":1,"target":"GatewayUserOrder","arguments":[{"id":11,"accountId":1001,'
              '"contractId":"%s","status":2,"type":2,"side":0,"size":1,"fillVolume":1,'
              '"filledPrice":21000.25}]}' % MNQ)
USER_TRADE = ('{"type":1,"target":"GatewayUserTrade","arguments":[{"id":11,"accountId":1001,'
              '"contractId":"%s","price":21000.25,"profitAndLoss":null,"fees":0.37,"side":0,'
              '"size":1,"voided":false,"orderId":11}]}' % MNQ)


@pytest.mark.parametrize("direct", [{}, {EV_QUOTE: list}])
def test_a_fills_frame_makes_no_json_decoder_per_record(monkeypatch, direct):
    """The user hub's frame of a fill (5 records; no short cut there) and a market hub frame's
    other records are read with Decimal by one decoder kept, not a new json.JSONDecoder per
    record as json.loads(record, parse_float=Decimal) makes (round 22: ~3 µs each, before
    market publishes the fill). Fails on main: one decoder made per record."""
    made = []
    real = json.JSONDecoder.__init__
    monkeypatch.setattr(json.JSONDecoder, "__init__",
                        lambda self, *a, **kw: made.append(kw) or real(self, *a, **kw))
    records = (USER_ORDER, USER_TRADE, USER_ORDER, COMPLETION, TRADE)
    messages = DecimalJsonHubProtocol(direct=dict(direct)).parse_messages(_frame(*records))
    assert made == []
    want = [json.loads(r, parse_float=Decimal) for r in records]      # what it read before
    assert [m.arguments for m in messages if hasattr(m, "arguments")] == \
        [w["arguments"] for w in want if "arguments" in w]
    assert isinstance(messages[1].arguments[0]["price"], Decimal)
    assert isinstance(messages[1].arguments[0]["fees"], Decimal)


@pytest.mark.parametrize("record", ["\ufeff" + COMPLETION, '{"type":1,', "[1, 2"])
def test_a_record_that_json_refuses_is_refused_alike(record):
    with pytest.raises(json.JSONDecodeError) as kept:
        DecimalJsonHubProtocol().parse_messages(_frame(record))
    with pytest.raises(json.JSONDecodeError) as loads:
        json.loads(record, parse_float=Decimal)
    assert str(kept.value) == str(loads.value)
