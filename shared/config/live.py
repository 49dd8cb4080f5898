"""Which config changes apply live and which wait for a restart: one rule for every process.

Bus addresses, the broker, the paths and the supervisor's worker set are
bound at start; a change to them is reported as 'needs a restart' and not
half-applied: the running process keeps its old values for those sections
and takes every other section (rules, accounts, notify, logging levels) at once.
"""
from __future__ import annotations

import attrs

RESTART_SECTIONS = ("bus", "broker", "paths", "supervisor")


def restart_needed(old, new) -> list[str]:
    """The restart-only sections (top-level table names) that differ between two configs."""
    return [name for name in RESTART_SECTIONS
            if hasattr(old, name) and getattr(old, name) != getattr(new, name)]


def apply_live(old, new):
    """(effective config, restart-only sections that changed): new, with those sections kept old."""
    changed = restart_needed(old, new)
    if not changed:
        return new, []
    return attrs.evolve(new, **{name: getattr(old, name) for name in changed}), changed
