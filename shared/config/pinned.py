"""The riskd-wide sections a worker takes from the supervisor that starts it, not from the file.

[bus], [paths] and [supervisor] are bound or read by the supervisor once, at its start
(shared/config/restartwho.py). A worker the supervisor (re)starts reads the config's last good
text (services/supervisor/snapshot.py), which holds what the file says now: after a [bus] edit,
a restarted risk bound the NEW address while the supervisor still looked for it on the old one
and killed it as hung every 15 s, the accounts unguarded (fresh-user trial 15b). So the
supervisor passes the sections as it runs them in the environment (ENV, JSON) and the worker
runs on those (load_or_exit, shared/worker.py); the file's new values wait for riskd's own
restart. A worker started by hand (no ENV) reads the file as before.

broker.kind too (round 15's note: advised as needing riskd's restart, yet a market worker
restarted after a crash read the file's new kind and talked to another broker than the
enforcement worker still running, and the simbroker the supervisor runs): the one key of
[broker] riskd-wide (restartwho.processes_for); the rest of [broker] is per worker.
"""
from __future__ import annotations

import json
import os
from typing import Optional

import attrs

from shared.config.convert import config_converter
from shared.config.load import LoadedConfig, resolved_dirs
from shared.config.restartwho import RISKD_WIDE

ENV = "RISKD_RUNNING_SECTIONS"
BROKER_KIND = "broker.kind"     # the one riskd-wide key of a section a worker otherwise reads


def encode(config) -> str:
    """The running config's riskd-wide sections, for a worker's environment."""
    data = {name: config_converter.unstructure(getattr(config, name)) for name in RISKD_WIDE}
    data[BROKER_KIND] = config.broker.kind
    return json.dumps(data)


def apply(loaded: LoadedConfig, text: Optional[str] = None) -> LoadedConfig:
    """loaded with the supervisor's riskd-wide sections (from ENV, or text) in place of the
    file's; loaded itself when there are none."""
    text = os.environ.get(ENV) if text is None else text
    if not text:
        return loaded
    data = json.loads(text)
    sections = {name: config_converter.structure(data[name], type(getattr(loaded.config, name)))
                for name in RISKD_WIDE if name in data}
    if data.get(BROKER_KIND, loaded.config.broker.kind) != loaded.config.broker.kind:
        sections["broker"] = attrs.evolve(loaded.config.broker, kind=data[BROKER_KIND])
    config = attrs.evolve(loaded.config, **sections)
    data_dir, log_dir = resolved_dirs(loaded.path, config)
    return attrs.evolve(loaded, config=config, data_dir=data_dir, log_dir=log_dir)
