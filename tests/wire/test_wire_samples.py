"""Stored wire samples: frames written by earlier versions still decode; bad frames fail cleanly.

The valid samples are bytes exactly as a publisher sent them; if a change to
the codec or a message breaks them, old and new processes could no longer
talk during a rolling restart, so the change must be deliberate.
"""
from decimal import Decimal

import pytest

from shared import codec
from shared.messages.market import Fill
from shared.messages.system import Heartbeat

VALID = [
    ("9701a47269736b010203a948656172746265617484a46e616d65a47269736ba37069642aaa737461727465"
     "645f6e7301aa6261645f6672616d657300",
     ("risk", 1, 2, 3), Heartbeat(name="risk", pid=42, started_ns=1)),
    ("9701a66d61726b65740509cf18eb40afbeb10000a446696c6c8daa6163636f756e745f6964cd03e9a87472"
     "6164655f69644dab636f6e74726163745f6964b0434f4e2e462e55532e4d4e512e5a3236a574735f6e73cf"
     "18eb40afc60ccd15a57072696365a832313030302e3235a3706e6cc0a466656573a4302e3337a473696465"
     "00a473697a6502a6766f69646564c2a86f726465725f6964c0a862795f7269736b64c3a6636c6f73656402",
     ("market", 5, 9, 1795600000000000000),
     Fill(account_id=1001, trade_id=77, contract_id="CON.F.US.MNQ.Z26",
          ts_ns=1795600000123456789, price=Decimal("21000.25"), pnl=None,
          fees=Decimal("0.37"), side=0, size=2, by_riskd=True, closed=2)),
]

# Written by earlier versions (before Fill.by_riskd; before Fill.closed, round 25): they still
# decode, the new field takes its default; re-encoding them adds the field, so only decoding is
# checked.
OLDER = [
    ("9701a66d61726b65740509cf18eb40afbeb10000a446696c6c8caa6163636f756e745f6964cd03e9a87472"
     "6164655f69644dab636f6e74726163745f6964b0434f4e2e462e55532e4d4e512e5a3236a574735f6e73cf"
     "18eb40afc60ccd15a57072696365a832313030302e3235a3706e6cc0a466656573a4302e3337a473696465"
     "00a473697a6502a6766f69646564c2a86f726465725f6964c0a862795f7269736b64c3",
     ("market", 5, 9, 1795600000000000000),
     Fill(account_id=1001, trade_id=77, contract_id="CON.F.US.MNQ.Z26",
          ts_ns=1795600000123456789, price=Decimal("21000.25"), pnl=None,
          fees=Decimal("0.37"), side=0, size=2, by_riskd=True)),
    ("9701a66d61726b65740509cf18eb40afbeb10000a446696c6c8baa6163636f756e745f6964cd03e9a87472"
     "6164655f69644dab636f6e74726163745f6964b0434f4e2e462e55532e4d4e512e5a3236a574735f6e73cf"
     "18eb40afc60ccd15a57072696365a832313030302e3235a3706e6cc0a466656573a4302e3337a473696465"
     "00a473697a6502a6766f69646564c2a86f726465725f6964c0",
     ("market", 5, 9, 1795600000000000000),
     Fill(account_id=1001, trade_id=77, contract_id="CON.F.US.MNQ.Z26",
          ts_ns=1795600000123456789, price=Decimal("21000.25"), pnl=None,
          fees=Decimal("0.37"), side=0, size=2)),
]

INVALID = [
    (b"", "not msgpack"),
    (b"\xc1", "not msgpack"),
    (bytes.fromhex("93010203"), "not a riskd envelope"),
    (bytes.fromhex("9702a0000000a948656172746265617480"), "wire version"),
    # unknown type name
    (bytes.fromhex("9701a0000000a3466f6f80"), "unknown message type 'Foo'"),
    # Heartbeat whose pid is a string
    (bytes.fromhex("9701a0000000a948656172746265617483a46e616d65a172a3706964a178aa737461727465"
                   "645f6e7300"), "Heartbeat"),
    # fields not a map
    (bytes.fromhex("9701a0000000a94865617274626561749100"), "fields are not a map"),
]


@pytest.mark.parametrize("hexframe, header, expected", OLDER)
def test_frames_of_earlier_versions_still_decode(hexframe, header, expected):
    env = codec.decode(bytes.fromhex(hexframe))
    assert (env.publisher, env.epoch, env.seq, env.ts_ns) == header
    assert env.msg == expected


@pytest.mark.parametrize("hexframe, header, expected", VALID)
def test_stored_frames_decode_to_the_same_message(hexframe, header, expected):
    env = codec.decode(bytes.fromhex(hexframe))
    assert (env.publisher, env.epoch, env.seq, env.ts_ns) == header
    assert env.msg == expected
    assert codec.encode(expected, *header).hex() == hexframe


@pytest.mark.parametrize("frame, reason", INVALID)
def test_bad_frames_raise_decode_error_with_a_reason(frame, reason):
    with pytest.raises(codec.DecodeError) as err:
        codec.decode(frame)
    assert reason in str(err.value)


def test_an_oversized_frame_is_refused_before_it_is_parsed():
    with pytest.raises(codec.DecodeError, match="over the"):
        codec.decode(b"\x00" * (codec.MAX_FRAME_BYTES + 1))
