"""Every riskctl command, one module each, listed by name (order = order in --help).

A command module has: a docstring (first line = short help), NAME (its module's name),
optional READ = True (gets --json), optional ROLE ("ops"/"admin": cli/main.py adds the role's
note to the help, so the docstring never names it), add_arguments(parser), run(args, ctx) -> exit
code.

The modules are imported when asked for (load, or COMMANDS for all of them): a riskctl run
imports only the command it runs, which halves its start-up.
"""
from __future__ import annotations

import importlib
from types import ModuleType

NAMES = (
    "status",
    "watch",
    "workers",
    "positions",
    "orders",
    "ping",
    "start",
    "restart",
    "stop",
    "shutdown",
    "rules",
    "accounts",
    "lockouts",
    "lockout",
    "unlock",
    "flatten",
    "history",
    "replay",
    "logs",
    "notify",
    "audit",
    "config",
    "passwd",
    "login",
    "logout",
    "init",
    "sim",
)

if len(set(NAMES)) != len(NAMES):
    raise RuntimeError(f"riskctl commands registered twice: {NAMES}")


def load(name: str) -> ModuleType:
    """The module of the command `name` (one of NAMES)."""
    module = importlib.import_module(f"{__name__}.{name}")
    if module.NAME != name:
        raise RuntimeError(f"cli/commands/{name}.py says NAME = {module.NAME!r}: expected {name!r}")
    return module


def __getattr__(attr: str):
    if attr == "COMMANDS":          # every command module, in NAMES order
        return tuple(load(name) for name in NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
