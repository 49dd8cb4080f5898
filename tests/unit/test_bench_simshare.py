"""The storm bench's reference for the sim's own share of the fill path (tests/bench/
bench_storm.py SimShare) reads every trade the sim sends. The sim sends a GatewayUserTrade in
the gateway's shapes, in turn: {action, data: [trade]}, {action, data: [trade, null]} and
{action, data: trade}; until round 23 only the last was read, so the sim's share rows were
made of one trade in three."""
import json
import threading
import time

from tests.bench.bench_storm import SimShare, trade_stamps

RS = "\x1e"


def trade(tid: int, stamp: str) -> dict:
    return {"id": tid, "accountId": 1001, "contractId": "CON.F.US.MNQ.Z26",
            "creationTimestamp": stamp, "price": 21000.25, "profitAndLoss": None,
            "fees": 0.37, "side": 0, "size": 1, "voided": False, "orderId": 9000000 + tid}


def record(target: str, argument) -> str:
    return json.dumps({"type": 1, "target": target, "arguments": [argument]}) + RS


def test_every_shape_of_the_sims_trade_is_read():
    frame = (record("GatewayUserTrade", {"action": 0, "data": [trade(1, "2026-12-07T17:12:47.7217448+00:00")]})
             + record("GatewayUserOrder", {"action": 0, "data": {"id": 5, "accountId": 1001}})
             + record("GatewayUserTrade", {"action": 0, "data": [trade(2, "2026-12-07T17:12:47.7783656+00:00"), None]})
             + record("GatewayUserTrade", {"action": 0, "data": trade(3, "2026-12-07T17:12:48.0000001+00:00")}))
    base = 1796663567 * 1_000_000_000
    assert trade_stamps(frame) == [base + 721744800, base + 778365600, base + 1_000_000_100]


def test_a_frame_without_trades_has_no_stamps():
    assert trade_stamps(record("GatewayUserPosition", {"action": 0, "data": {"id": 1}})) == []
    assert trade_stamps("{}" + RS) == []


class QuietHub:
    """A websocket that brings nothing (recv times out) and keeps what is sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def recv(self, timeout: float) -> str:
        time.sleep(min(timeout, 0.01))
        raise TimeoutError

    def send(self, text: str) -> None:
        self.sent.append(text)


def test_the_bare_client_pings_the_hub_while_it_waits():
    """The sim closes a client silent for 30 s: the bench's bare client went deaf ~30 s after
    it connected, and a chain that ran longer lost the sim's share of its last trades."""
    share = SimShare.__new__(SimShare)
    share.ms, share._stop, share._ws = [], threading.Event(), QuietHub()
    share.ping_every = 0.02
    reader = threading.Thread(target=share._read, daemon=True)
    reader.start()
    time.sleep(0.2)
    share._stop.set()
    reader.join(2)
    pings = [text for text in share._ws.sent if json.loads(text.rstrip(RS)) == {"type": 6}]
    assert len(pings) >= 3 and all(text.endswith(RS) for text in pings)
