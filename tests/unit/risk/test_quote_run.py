"""Risk merges a run of quotes per contract and decodes one Quote per contract, not each.

Profile of risk in the scale bench's storm (500 accounts, 20,000 quotes/s, cProfile, round 13):
after the rules were judged per account (moves.py), reading and decoding every quote was 40 %
of risk's time, and a fill queued behind the quotes waited for it. The drain now unpacks a
quote's frame and merges its fields (services/risk/quoterun.py); the market view ends as it
did with every quote applied in order (sparse quotes: a price a quote lacks stays).

The real RiskWorker on loopback sockets (test_event_before_other_accounts.py's rig)."""
from __future__ import annotations

import time
from decimal import Decimal

from shared import codec, topics
from shared.messages.market import MarketSnapshot, Quote
from tests.unit.risk.test_event_before_other_accounts import MNQ, worker  # noqa: F401
from tests.unit.risk.test_input_order import joined, wait_ready

ES = "CON.F.US.EP.Z26"


def test_a_run_of_sparse_quotes_ends_as_each_applied_in_order_with_one_decode_each(
        worker, monkeypatch):           # noqa: F811
    w, market = worker
    now = w.clock.now_ns()
    joined(market, w.market, Quote(contract_id=MNQ, ts_ns=now, last=Decimal(21000)))
    w.on_snapshot(MarketSnapshot(seq=market.seq, epoch=market.epoch, complete=True))
    structured = []
    structure = codec.converter.structure

    def counted(obj, cls):
        if cls is Quote:
            structured.append(obj)
        return structure(obj, cls)
    monkeypatch.setattr(codec.converter, "structure", counted)
    sent = []
    for i in range(300):
        for cid in (MNQ, ES):
            price = Decimal(20000 + i)
            q = [Quote(contract_id=cid, ts_ns=now + i, bid=price),
                 Quote(contract_id=cid, ts_ns=now + i, ask=price + 1),
                 Quote(contract_id=cid, ts_ns=now + i, last=price)][i % 3]
            market.publish(topics.quote(cid), q)
            sent.append(q)
    wait_ready(w.market.sock, "the quotes")
    time.sleep(0.2)                     # all 600 waiting on the socket (else: more rounds)
    rounds = 0
    while w.market.sock.poll(200):
        rounds += 1
        for sock, _event in w.poller.poll(0):
            w._readers[sock]()
    m = w.engine.market
    for cid in (MNQ, ES):
        mine = [q for q in sent if q.contract_id == cid]
        assert m.bid[cid] == [q.bid for q in mine if q.bid is not None][-1]
        assert m.ask[cid] == [q.ask for q in mine if q.ask is not None][-1]
        assert m.last[cid] == [q.last for q in mine if q.last is not None][-1]
    assert len(structured) <= 2 * rounds + 2, \
        f"{len(structured)} quotes decoded for 2 contracts in {rounds} rounds"
