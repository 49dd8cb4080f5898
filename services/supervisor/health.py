"""What the supervisor knows of riskd's own health, for the screens: its config and its alerts.

- the config: when the running one was loaded, and since when the file on disk is invalid
  (with its first problem), so status/workers/watch can say "etc/riskd.toml is invalid since
  14:02 (line 78 ...); riskd runs the config loaded at 13:40";
- notify's channels: the last ChannelState notify published for each (topic notify.channel),
  so a failing Telegram shows as degraded with its queue and last error.
Pure bookkeeping on an injected clock; the supervisor feeds it and reads it.
"""
from __future__ import annotations

from typing import Optional

from shared.clock import Clock
from shared.messages.control import ConfigHealth
from shared.messages.notify import ChannelState, NotifyEvent

CHANNEL_TOPIC = "notify.channel"   # notify's PUB: a ChannelState whenever a channel changes


class Health:
    def __init__(self, clock: Clock):
        self.clock = clock
        self.config_loaded_ns = clock.now_ns()
        self.config_invalid: Optional[tuple[int, str]] = None    # (since, first problem)
        self.channels: dict[str, ChannelState] = {}
        # the running config's duplicate-name warnings, with their lines (namewarning.py)
        self.names: list[str] = []

    def config_loaded(self) -> None:
        self.config_invalid = None
        self.config_loaded_ns = self.clock.now_ns()

    def config_refused(self, problems: list[str]) -> None:
        since = self.config_invalid[0] if self.config_invalid else self.clock.now_ns()
        self.config_invalid = (since, problems[0] if problems else "invalid")

    def config(self, path: str) -> ConfigHealth:
        since, problem = self.config_invalid or (None, "")
        return ConfigHealth(path=path, loaded_ns=self.config_loaded_ns, invalid_since_ns=since,
                            problem=problem, warnings=list(self.names))

    def channel(self, state: ChannelState) -> None:
        self.channels[state.name] = state

    def channel_states(self, notify_running: bool) -> list[ChannelState]:
        """What notify last said of its channels, while it runs (a stopped notify says nothing)."""
        return [self.channels[n] for n in sorted(self.channels)] if notify_running else []


def file_edit_event(sentences: list[str], path: str, ts_ns: int) -> NotifyEvent:
    """The critical alert for an admin boundary moved by editing the file (audit.py's
    sentences: 'admin password changed by a file edit, not through riskctl')."""
    more = f" (+{len(sentences) - 1} more)" if len(sentences) > 1 else ""
    return NotifyEvent(kind="admin_file_edit", severity="critical",
                       title="🚨 " + sentences[0] + more,
                       lines=[*sentences[1:], f"file: {path}",
                              "If this was not you, someone can write riskd's config: see "
                              "docs/operations.md (protecting the config file)."],
                       ts_ns=ts_ns)
