"""Every riskctl command, one module each, listed by name (order = order in --help).

A command module has: a docstring (first line = short help), NAME (its module's name),
optional READ = True (gets --json), optional ROLE ("ops"/"admin": cli/main.py adds the role's
note to the help, so the docstring never names it), add_arguments(parser), run(args, ctx) -> exit
code.

The modules are imported when asked for (load, or COMMANDS for all of them): a riskctl run
imports only the command it runs, which halves its start-up. `riskctl --help` (and a usage
error that names no command) lists them all from outline(): each module's docstring and
constants read from its source, none imported.
"""
from __future__ import annotations

import ast
import importlib
import os
import re
from types import ModuleType, SimpleNamespace

from shared.gencode import keep_generated_code

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
    keep_generated_code()   # attrs' compiled methods from the last run (shared/gencode.py)
    module = importlib.import_module(f"{__name__}.{name}")
    if module.NAME != name:
        raise RuntimeError(f"cli/commands/{name}.py says NAME = {module.NAME!r}: expected {name!r}")
    return module


_CONSTANT = re.compile(r"^(ROLE|OFFLINE|READ) = (.+?)\s*(?:#.*)?$", re.MULTILINE)


def outline(name: str) -> SimpleNamespace:
    """What riskctl's own --help shows of the command `name`: its module's docstring, NAME,
    ROLE, OFFLINE and READ, read from its source without importing it (importing every
    command, the watch screen, replay's engine, requests, ..., was most of `riskctl --help`'s
    time). add_arguments adds nothing: no command is parsed with it.
    tests/unit/cli/test_startup_imports.py holds it to the imported modules."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    head = re.split(r"^(?:from|import) ", source, maxsplit=1, flags=re.MULTILINE)[0]
    try:
        doc = ast.get_docstring(ast.parse(head), clean=False)
    except SyntaxError:
        doc = ast.get_docstring(ast.parse(source), clean=False)
    found = {key: ast.literal_eval(value) for key, value in _CONSTANT.findall(source)}
    return SimpleNamespace(__doc__=doc, NAME=name, ROLE=found.get("ROLE", ""),
                           OFFLINE=found.get("OFFLINE", False), READ=found.get("READ", False),
                           add_arguments=lambda parser: None)


def __getattr__(attr: str):
    if attr == "COMMANDS":          # every command module, in NAMES order
        return tuple(load(name) for name in NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
