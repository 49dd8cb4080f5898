"""One way to show a length of time on the watch and status screens (fresh-user trial
2026-12-06: LAST ACTIONS read "8701 ms" beside "16.8 s", and "up 4m05s" above them): every
latency is shared/when.table_duration's, as the screen's other durations."""
from __future__ import annotations

from cli.table import fmt_duration
from cli.watch.model import fmt_latency


def test_latencies_are_seconds_like_every_other_duration_on_the_screen():
    assert [fmt_latency(ms) for ms in (8701, 16_800, 85, 5, 2100, None)] == \
        ["8.7s", "16s", "0.085s", "0.005s", "2.1s", "-"]
    for ms in (8701, 16_800, 85, 250_000):
        assert fmt_latency(ms) == fmt_duration(ms / 1000)
    assert fmt_duration(0.0004) == "<0.001s" and fmt_duration(9.96) == "9.9s"   # cut, never up
