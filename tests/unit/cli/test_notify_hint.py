"""`riskctl notify status` with no channel enabled says where alerts go: riskd's log, and how
to read them (trial finding: alerts without a channel were nearly invisible)."""
from __future__ import annotations

from cli.commands.notify import no_channel_hint
from shared.messages.notify import ChannelState


def state(name, value):
    return ChannelState(name=name, state=value, min_severity="info")


def test_no_channel_enabled_points_to_the_log():
    hint = no_channel_hint([state("telegram", "disabled"), state("discord", "disabled")])
    assert "alerts go only to riskd's log" in hint
    assert "riskctl logs --process notify --grep alert" in hint
    assert "docs/alerts.md" in hint


def test_a_channel_enabled_needs_no_hint():
    assert no_channel_hint([state("telegram", "ok"), state("discord", "disabled")]) == ""
    assert no_channel_hint([state("telegram", "failing"), state("discord", "disabled")]) == ""
