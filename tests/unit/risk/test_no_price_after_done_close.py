"""No "No price" alert for a position riskd's close was answered done for.

trial19b finding 3: `riskctl stop simbroker` during a held close; enforcement's retry closed
MNQ once the sim was back ("✅ Done ... MNQ closed" 06:31:42.5), and 5 s later the phone got
"🟠 No price for MNQ for 15s ... MNQ long 1: open PnL as of 20889.50; price rules run on that
price": risk's book still showed the position (market's stream was not back yet), and the
stale-price check asked the book alone who holds the contract. It asks what riskd knows now:
a position whose close is done is no longer held (AccountState.live_size), and a silence
already told ends at once with "no position held in it now" (docs/operations.md "A quiet quote
feed"). The real RiskWorker on loopback sockets with a FakeClock (tests/unit/risk/worker_rig.py),
etc/riskd.toml's rules (daily_unrealized_loss: 200 per position).
"""
from __future__ import annotations

from decimal import Decimal

from shared.clock import FakeClock
from shared.messages.enforce import CommandResult
from shared.messages.market import Quote
from shared.messages.notify import NotifyEvent
from shared.messages.risk import CLOSE_POSITION
from tests.unit.risk.desk import CONTRACTS, MNQ, chi
from tests.unit.risk.test_tightening_is_instant import buy, commands, market, published
from tests.unit.risk.worker_rig import risk_worker

ACCOUNT = 1001


def quote(w, last: str) -> None:
    market(w, Quote(contract_id=MNQ, ts_ns=w.clock.now_ns(), last=Decimal(last)))


def checks(w, seconds: int, seen: list) -> list[NotifyEvent]:
    """The stale-price check once a second, market's heartbeats coming (its stream is up:
    only the sim's quotes are silent); the alerts it sent."""
    mark = len(seen)
    for _ in range(seconds):
        w.clock.advance(1)
        w._market_heard = w.clock.monotonic()
        w._check_quiet()
    return [m for _t, m in seen[mark:] if isinstance(m, NotifyEvent)
            and m.kind in ("prices_stale", "prices_flowing")]


def breach_and_close(w, seen) -> None:
    """MNQ long 1 at 21000, the price 150 points down (-300): riskd closes it, enforcement
    answers done; the close's fill and Position have not come."""
    market(w, CONTRACTS[MNQ])
    quote(w, "21000")
    buy(w, 1)
    quote(w, "20850")
    close = [c for c in commands(seen) if c.action == CLOSE_POSITION]
    assert len(close) == 1, commands(seen)
    now = w.clock.now_ns()
    w.apply(w.engine.on_result(CommandResult(
        command_id=close[0].id, account_id=ACCOUNT, status="done", detail="MNQ closed",
        attempts=2, broker_calls=2, started_ns=now, finished_ns=now, first_answer_ns=now,
        action=CLOSE_POSITION, rule=close[0].rule), now))


def test_no_stale_price_alert_for_a_position_whose_close_is_done(tmp_path):
    """Fails on main's code: "🟠 No price for MNQ for 15s ... MNQ long 1" after the Done."""
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as (w, _p, _b, _sent):
        seen = published(w)
        breach_and_close(w, seen)
        assert w.engine.accounts[ACCOUNT].positions      # the book still shows it
        assert checks(w, 20, seen) == []


def test_a_silence_told_ends_at_once_when_riskd_s_close_is_done(tmp_path):
    """The silence began while the position was held (the alert was true then): once the
    close is done, the next check closes it with "no position held in it now"."""
    with risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as (w, _p, _b, _sent):
        seen = published(w)
        market(w, CONTRACTS[MNQ])
        quote(w, "21000")
        buy(w, 1)
        quote(w, "20950")                                # -100: under the line
        stale = checks(w, 16, seen)
        assert [n.kind for n in stale] == ["prices_stale"], stale
        assert "MNQ long 1" in stale[0].lines[0]
        quote(w, "20850")                                # past it: riskd closes
        close = [c for c in commands(seen) if c.action == CLOSE_POSITION]
        assert len(close) == 1
        now = w.clock.now_ns()
        w.apply(w.engine.on_result(CommandResult(
            command_id=close[0].id, account_id=ACCOUNT, status="done", detail="MNQ closed",
            attempts=1, broker_calls=1, started_ns=now, finished_ns=now, first_answer_ns=now,
            action=CLOSE_POSITION, rule=close[0].rule), now))
        after = checks(w, 1, seen)
        assert [n.kind for n in after] == ["prices_flowing"], after
        assert "no position held in it now" in after[0].title
