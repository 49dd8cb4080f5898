"""The burst wakes the hub loop once per KICK_EVERY quotes, not once per quote (round 9: a
wake-up per quote cost a syscall, a loop turn and a websocket frame per quote), and never
leaves its last quotes without a wake-up."""
from __future__ import annotations

from services.simbroker.burst import KICK_EVERY, Burst
from services.simbroker.gateway import Gateway, NullHub
from shared.clock import FakeClock
from shared.config.sections import SimConfig

CONTRACTS = ["CON.F.US.EP.Z26", "CON.F.US.MNQ.Z26", "CON.F.US.CLE.F27"]


class CountingHub(NullHub):
    def __init__(self):
        self.quotes = 0
        self.kicks: list[int] = []       # quotes published by each wake-up

    def wants_quotes(self, contract_id: str) -> bool:
        return True

    def publish_quote(self, contract_id, payload, kick: bool = True) -> None:
        self.quotes += 1
        if kick:
            self.kick()

    def kick(self) -> None:
        self.kicks.append(self.quotes)


def test_a_burst_wakes_the_hub_loop_once_per_batch_of_quotes_and_after_the_last():
    gateway = Gateway(SimConfig(calendar_date="2026-12-04", tick_interval=0), "u", "k",
                      FakeClock())
    hub = gateway.hub = CountingHub()
    burst = Burst(gateway)
    burst.start(CONTRACTS, rate=40_000, seconds=0.05, account_id=None, trades=0)
    burst._thread.join(10)
    quotes = burst.status.quotes_sent
    assert quotes == hub.quotes == 2000
    slices = 0.05 / 0.005 * 3                 # a wake-up ends each pacing slice (margin 3x)
    assert len(hub.kicks) <= quotes / KICK_EVERY + slices, len(hub.kicks)
    assert hub.kicks[-1] == quotes            # no quote waits for a wake-up that never comes
