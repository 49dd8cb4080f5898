"""The risk shard count riskd runs: the configured one, or the one risk's state was kept for.

Fresh-user trial 16c: `riskctl config set supervisor.risk_shards 2` and a restart over the state
of one risk left both shards refusing to start (their accounts' lockouts and today's PnL are in
risk.sqlite), flapping, every account NOT GUARDED. A guard must not switch itself off because
of a setting: when the data directory holds risk state for one other count only
(shared/shards.held), riskd runs risk as that count, which reads the state and guards every
account, and says at its start (log, critical) that the configured count is not in force and
how to migrate (docs/scaling.md); `riskctl status` says it, `riskctl workers` beside risk
(note), and the phone once per start (held_event: trial16g, an ops user who set 2 shards and
watched the phone was never told it did not take). Every worker it starts takes that count with the rest of
[supervisor] (shared/config/pinned.py), and riskctl reads the same rule
(cli/configfile.risk_shards). State for several counts is left to risk's own refusal.
"""
from __future__ import annotations

import logging

import attrs

from shared import shards
from shared.config.load import LoadedConfig
from shared.messages.notify import NotifyEvent
from shared.plural import plural

log = logging.getLogger("riskd")


def hold(loaded: LoadedConfig) -> tuple[LoadedConfig, str]:
    """(loaded with risk_shards as riskd will run it, why it differs from the file: '' when
    it does not)."""
    configured = loaded.config.supervisor.risk_shards
    kept = shards.held(loaded.data_dir, configured)
    if kept is None:
        return loaded, ""
    count, files = kept
    sup = attrs.evolve(loaded.config.supervisor, risk_shards=count)
    config = attrs.evolve(loaded.config, supervisor=sup)
    return (attrs.evolve(loaded, config=config),
            shards.held_words(loaded.data_dir, configured, count, files))


def note(configured: int, count: int) -> str:
    """The words `riskctl workers` puts beside risk (each shard) while the count is held."""
    return (f"runs as {plural(count, 'shard')}: [supervisor] risk_shards = {configured} is NOT "
            f"in force (risk's state was kept for {count}; riskctl status says more)")


def held_event(configured: int, count: int, words: str, ts_ns: int) -> NotifyEvent:
    """The alert of this start: the configured count did not take (every account is guarded
    by the count that runs; a migration makes the new one take)."""
    return NotifyEvent(kind="risk_shards_not_in_force", severity="warning",
                       title=f"⚠️ risk_shards = {configured} is NOT in force: riskd runs risk "
                             f"as {plural(count, 'shard')}, every account guarded",
                       lines=[words], ts_ns=ts_ns)
