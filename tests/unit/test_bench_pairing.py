"""The headline bench's pairing of buys with riskd's closes (tests/bench/bench_enforcement.py):
its count, and the words it stops with when pairs are missing (round 18 stopped once at
"expected 520 buy/close pairs, found 415" and nothing said where the pairing broke)."""
from shared.messages.enforce import CommandResult
from shared.projectx.models import Order
from tests.bench.bench_enforcement import BUY, MARKET, breach_latencies, pairing_report

SELL = 1


def order(oid: int, side: int, ns: int) -> Order:
    return Order(id=oid, account_id=1001, contract_id="CON.F.US.MNQ.Z26", created_ns=ns,
                 updated_ns=ns, status=2, type=MARKET, side=side, size=1)


def closed(cid: str, detail: str) -> CommandResult:
    return CommandResult(command_id=cid, account_id=1001, status="done",
                         action="close_position", detail=detail)


def test_a_broken_pairing_says_where():
    # buy 1 closed by 2; buy 3 followed by buy 4 (no close between), 5 closes 4;
    # buy 6's trade not returned, 7 after it; 8 a close with no buy before it
    orders = [order(1, BUY, 1_000), order(2, SELL, 2_000), order(3, BUY, 3_000),
              order(4, BUY, 4_000), order(5, SELL, 5_000), order(6, BUY, 6_000),
              order(7, SELL, 7_000), order(8, SELL, 8_000)]
    trades = {1: 1_000, 3: 3_000, 4: 4_000}
    assert [t for t, _us in breach_latencies(trades, orders)] == [1_000, 4_000]
    words = pairing_report(trades, orders, [
        closed("a.1", "MNQ on account SIM-DEMO-1 (id 1001) closed"),
        closed("b.1", "MNQ on account SIM-DEMO-1 (id 1001) was already flat"),
        closed("c.1", "MNQ on account SIM-DEMO-1 (id 1001) closed")])
    assert "4 buys and 4 closes" in words
    assert "buys followed by another buy: 1 (order ids 3)" in words
    assert "buys without a trade: 1 (order ids 6)" in words
    assert "closes with no buy before them: 1 (order ids 8)" in words
    assert "close_position done (closed) x2" in words
    assert "close_position done (was already flat) x1" in words


def test_a_whole_pairing_has_nothing_to_report():
    orders = [order(1, BUY, 1_000), order(2, SELL, 2_000)]
    words = pairing_report({1: 1_000}, orders, [])
    assert "buys followed by another buy: 0;" in words and "without a trade: 0;" in words \
        and "no buy before them: 0;" in words


def test_the_bench_goes_on_with_a_few_pairs_missing_and_stops_only_below_its_p99():
    """pairs18: the headline bench stopped below 500 of 520 pairs (and let up to 20 missing
    pass unseen). It now says how many it found and goes on while its p99 is not the largest
    sample itself (nearest rank, report.percentile): 101 measured pairs at least."""
    from tests.bench import bench_enforcement as bench
    from tests.bench.report import percentile
    assert not bench.too_few(415) and not bench.too_few(500) and not bench.too_few(101)
    assert bench.too_few(100) and bench.too_few(0)
    assert bench.fewest_pairs() == 101 + bench.WARMUP
    hundred_one = [float(x) for x in range(101)]
    assert percentile(hundred_one, 99) < max(hundred_one)
    hundred = [float(x) for x in range(100)]
    assert percentile(hundred, 99) == max(hundred)
