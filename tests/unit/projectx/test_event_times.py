"""The broker's timestamps are parsed once per second, not once per field.

Round 22 (docs/performance.md, "Round 22"): the Order, Trade and Position records of one
fill carry timestamps of the same second, and each was parsed in full (~15 µs on this
machine under load: the fraction's digits walked, datetime.fromisoformat, the epoch
arithmetic), three of them before market publishes the fill. The quotes kept the whole
second's parse since round 9; every broker timestamp keeps it now (shared/clock.py
parse_iso_ns), and answers exactly as the full parser does.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import clock
from shared.clock import _parse_iso_full, parse_iso_ns
from shared.projectx.models import Order, Position, Trade
from services.simbroker.wire import iso

NOW = 1_796_000_000_123_456_700        # 2026-11-30


def test_a_fills_records_parse_their_second_once(monkeypatch):
    """The sim's Order, Trade and Position of one buy (4 timestamps of one
    second): one full parse. Fails on main (each parsed in full)."""
    full: list[str] = []
    real = clock._parse_iso_full
    monkeypatch.setattr(clock, "_parse_iso_full", lambda text: full.append(text) or real(text))
    clock._SECONDS.clear()
    stamp = iso(NOW)
    order = {"id": 11, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
             "symbolId": "F.US.MNQ", "creationTimestamp": stamp, "updateTimestamp": stamp,
             "status": 1, "type": 2, "side": 0, "size": 1, "fillVolume": 0}
    o = Order.parse(order)
    t = Trade.parse({"id": 11, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
                     "creationTimestamp": stamp, "price": 21000.25, "profitAndLoss": None,
                     "fees": 0.37, "side": 0, "size": 1, "voided": False, "orderId": 11})
    p = Position.parse({"id": 1, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
                        "creationTimestamp": stamp, "type": 1, "size": 1,
                        "averagePrice": 21000.25})
    assert len(full) == 1
    assert o.created_ns == o.updated_ns == t.created_ns == p.created_ns == NOW


OFFSETS = st.sampled_from(["", "Z", "z", "+00:00", "-05:00", "+05:30", "+14:00"])


@settings(max_examples=300, deadline=None)
@given(when=st.datetimes(min_value=dt.datetime(1971, 1, 2), max_value=dt.datetime(2199, 1, 1)),
       digits=st.text("0123456789", max_size=12), offset=OFFSETS, space=st.booleans())
def test_the_kept_seconds_answer_as_the_full_parse(when, digits, offset, space):
    text = when.strftime("%Y-%m-%dT%H:%M:%S") + ("." + digits if digits else "") + offset
    text = f" {text} " if space else text
    want = _parse_iso_full(text)
    assert parse_iso_ns(text) == want
    assert parse_iso_ns(text) == want                     # the second kept


@pytest.mark.parametrize("bad", ["", "yesterday", "2026-13-05T14:30:00Z", "2026-12-05T14:30:00.Z",
                                 "2026-02-30T00:00:00.5+00:00", 5, None])
def test_a_bad_time_is_refused_as_the_full_parse_refuses_it(bad):
    with pytest.raises(ValueError) as kept:
        parse_iso_ns(bad)
    with pytest.raises(ValueError) as full:
        _parse_iso_full(bad)
    assert str(kept.value) == str(full.value)
