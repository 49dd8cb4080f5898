"""Tests, benches and chaos send a gated request (shared/controlkey.py) to a worker's own
control socket as the supervisor does: with the running riskd's control key, read from its
file. A bench that starts workers without a supervisor writes one first (give_key)."""
from __future__ import annotations

from typing import Any

from shared import controlkey
from shared.config import load_config


def run_dir(config_path: str) -> str:
    return controlkey.run_dir_of(load_config(config_path).data_dir)


def key_of(config_path: str) -> str:
    """The control key of the riskd running on this config ('' when there is none)."""
    return controlkey.read(run_dir(config_path))


def keyed(config_path: str, request: Any) -> Any:
    """The request as a worker takes it from the supervisor: a gated one with the key."""
    return controlkey.keyed(key_of(config_path), request)


def give_key(config_path: str) -> str:
    """Write a fresh key for workers a bench starts by hand (they read it at start)."""
    return controlkey.create(run_dir(config_path))
