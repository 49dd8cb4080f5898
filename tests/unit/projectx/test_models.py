"""Parsing broker payloads the way real gateways send them: wrapped, bare, odd, incomplete."""
from decimal import Decimal

import pytest

from shared.projectx.errors import ParseError
from shared.projectx.models import (Account, Contract, Order, OrderStatus, OrderType, Position,
                                    PositionType, QuoteUpdate, Trade, loads, parse_list, unwrap)
from shared.projectx.realtime import QuoteBook, market_payloads, user_payloads

TRADE = ('{"id": 9001, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26", '
         '"creationTimestamp": "2026-11-25T14:30:01.1234567+00:00", "price": 21000.2500000001, '
         '"profitAndLoss": null, "fees": 0.3700000000, "side": 0, "size": 2, "voided": false, '
         '"orderId": 77}')


def test_a_trade_keeps_every_price_digit_and_the_7th_fractional_second_digit():
    trade = Trade.parse(loads(TRADE))
    assert trade.price == Decimal("21000.2500000001")
    assert trade.fees == Decimal("0.3700000000")
    assert trade.profit_and_loss is None              # opening half-turn
    assert trade.created_ns % 1_000_000_000 == 123_456_700
    assert trade.side == 0 and trade.size == 2 and trade.order_id == 77


def test_timestamps_with_offsets_and_z_mean_the_same_instant():
    a = Trade.parse(dict(loads(TRADE), creationTimestamp="2026-11-25T08:30:01.1234567-06:00"))
    b = Trade.parse(dict(loads(TRADE), creationTimestamp="2026-11-25T14:30:01.1234567Z"))
    assert a.created_ns == b.created_ns


def test_a_missing_required_field_names_the_entity_and_field():
    payload = loads(TRADE)
    del payload["price"]
    with pytest.raises(ParseError, match=r"Trade\.price: expected a number, got nothing"):
        Trade.parse(payload)


def test_a_null_or_wrong_type_names_the_field():
    with pytest.raises(ParseError, match=r"Trade\.price: expected a number, got null"):
        Trade.parse(dict(loads(TRADE), price=None))
    with pytest.raises(ParseError, match=r"Trade\.size: expected an integer, got 'two'"):
        Trade.parse(dict(loads(TRADE), size="two"))
    with pytest.raises(ParseError, match=r"Trade\.creationTimestamp: expected an ISO 8601"):
        Trade.parse(dict(loads(TRADE), creationTimestamp="yesterday"))
    with pytest.raises(ParseError, match=r"Trade: expected an object, got list"):
        Trade.parse([1, 2])


def test_numbers_as_strings_and_integral_floats_are_accepted():
    trade = Trade.parse(dict(loads(TRADE), size="3", price="21000.5", id=Decimal("9002")))
    assert (trade.size, trade.price, trade.id) == (3, Decimal("21000.5"), 9002)


def test_unknown_enum_values_stay_plain_ints():
    order = Order.parse({"id": 1, "accountId": 1001, "contractId": "CON.F.US.EP.Z26",
                         "status": 42, "type": 1, "side": 1, "size": 1, "limitPrice": 5000.25})
    assert order.status == 42 and not isinstance(order.status, OrderStatus)
    assert order.type == OrderType.LIMIT and order.limit_price == Decimal("5000.25")
    assert order.stop_price is None and order.fill_volume == 0 and not order.working


def test_a_suspended_bracket_child_counts_as_working():
    order = Order.parse({"id": 2, "accountId": 1, "contractId": "CON.F.US.EP.Z26", "status": 8,
                         "type": 4, "side": 0, "size": 1, "stopPrice": 4990})
    assert order.working and order.stop_price == Decimal(4990)


def test_a_closed_position_needs_no_average_price():
    closed = Position.parse({"id": 5, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
                             "type": 1, "size": 0, "averagePrice": None})
    assert closed.size == 0 and closed.average_price == 0
    with pytest.raises(ParseError, match="Position.averagePrice"):
        Position.parse({"id": 5, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
                        "type": 2, "size": 3})
    short = Position.parse({"id": 5, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
                            "type": 2, "size": 3, "averagePrice": 21000})
    assert short.type == PositionType.SHORT and short.signed_size == -3


def test_accounts_and_contracts_with_optional_fields_missing():
    account = Account.parse({"id": 1001, "balance": 50000, "canTrade": "true"})
    assert account.name == "" and account.balance == Decimal(50000) and account.can_trade
    contract = Contract.parse(loads('{"id": "CON.F.US.EP.Z26", "tickSize": 0.25, '
                                    '"tickValue": 12.50}'))
    assert contract.tick_size == Decimal("0.25") and contract.tick_value == Decimal("12.50")
    with pytest.raises(ParseError, match=r"Account\.canTrade: expected true or false"):
        Account.parse({"id": 1, "balance": 1, "canTrade": "maybe"})


def test_parse_list_skips_null_entries_and_refuses_a_non_list():
    assert parse_list(None, Account.parse, "accounts") == []
    assert len(parse_list([None, {"id": 1, "balance": 1}], Account.parse, "accounts")) == 1
    with pytest.raises(ParseError, match="accounts: expected a list, got dict"):
        parse_list({}, Account.parse, "accounts")


@pytest.mark.parametrize("args", [
    [{"id": 1}],                                            # bare
    [{"action": 1, "data": {"id": 1}}],                     # wrapped object
    [{"action": 0, "data": [{"id": 1}, None]}],             # wrapped array with a null entry
    [[{"id": 1}]],                                          # bare array
    [[{"action": 2, "data": {"id": 1}}, {"data": None}]],   # array of wrappers, one empty
])
def test_user_hub_payloads_bare_or_wrapped_single_or_many(args):
    assert user_payloads(args) == [{"id": 1}]


def test_an_empty_wrapper_yields_nothing_and_a_scalar_is_an_error():
    assert user_payloads([{"action": 1, "data": None}]) == []
    assert unwrap(None) == []
    with pytest.raises(ParseError, match="hub payload"):
        user_payloads([42])


def test_market_events_are_contract_then_data_wrapped_or_not():
    cid = "CON.F.US.MNQ.Z26"
    assert market_payloads([cid, {"lastPrice": 1}]) == (cid, [{"lastPrice": 1}])
    assert market_payloads([cid, {"action": 1, "data": {"bestBid": 2}}]) == (cid, [{"bestBid": 2}])
    assert market_payloads([{"contractId": cid, "bestAsk": 3}]) == (
        cid, [{"contractId": cid, "bestAsk": 3}])


def test_sparse_quotes_merge_and_a_missing_price_is_never_zero():
    book = QuoteBook()
    cid = "CON.F.US.MNQ.Z26"
    first = book.apply(cid, loads('{"bestBid": 21000.25, "bestAsk": 21000.5}'))
    assert first.last_price is None and first.best_bid == Decimal("21000.25")
    second = book.apply(cid, loads('{"lastPrice": 21000.5, "bestBid": null}'))
    assert second.best_bid == Decimal("21000.25")           # null = not in this update
    assert second.best_ask == Decimal("21000.5") and second.last_price == Decimal("21000.5")
    third = book.apply(cid, {"timestamp": "2026-11-25T14:30:01.5+00:00", "volume": 10})
    assert third.timestamp_ns is not None and third.last_price == Decimal("21000.5")
    assert isinstance(third, QuoteUpdate) and third.contract_id == cid


def test_a_payload_without_cantrade_says_nothing_about_it():
    # bug: a missing canTrade read as false would flatten and lock the account
    assert Account.parse({"id": 1001, "balance": 50000}).can_trade is None
    assert Account.parse({"id": 1001, "balance": 50000, "canTrade": False}).can_trade is False
