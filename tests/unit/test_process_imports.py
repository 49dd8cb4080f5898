"""Each riskd process imports only what it needs, so its memory stays down (issue 21 item 4).

Every process pays for each module it imports, once per process (docs/performance.md,
"Memory"). The saving is easy to lose silently: one module-level `import requests` in a
shared module and every worker carries urllib3, ssl and OpenSSL again. So each process's
entry module is imported in a fresh interpreter and its sys.modules (and, on Linux, the
shared libraries it maps) are checked against what it must not load:

- no TLS and no HTTP client where nothing speaks HTTPS: supervisor, logging, notify (it
  imports requests on the first use of an HTTP channel), risk -- no ssl, no hashlib (it loads
  OpenSSL's libcrypto; shared/digest.py and shared/randtoken.py do without), no requests;
- no tomlkit in the workers (they read the config with tomllib; only edits need tomlkit);
- each heavy library only in the process that uses it: signalrcore and requests in market,
  websockets in the sim broker, watchdog in the supervisor, blessed (riskctl watch) in none;
- notify's Telegram command bot only imported where commands are on;
- no process imports another worker's package (services.<other>): enforcement imported risk's
  store for two SQLite helpers, and with it risk's modules (~3 MB; shared/sqlitefile.py);
- no source text of attrs'/cattrs' generated functions kept in linecache (shared/gensource.py);
- no message area a process does not handle (shared/messages/__init__.py): the logging worker
  and the sim carried all ten areas' classes (~2.7 MB each process) for the three they use.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.env import REPO

ENTRY = {
    "supervisor": "services.supervisor.__main__",
    "simbroker": "services.simbroker.__main__",
    "logging": "services.logsink.__main__",
    "notify": "services.notify.__main__",
    "market": "services.market.__main__",
    "risk": "services.risk.__main__",
    "enforcement": "services.enforcement.__main__",
}
NO_TLS = ("supervisor", "logging", "notify", "risk")
TLS_MODULES = {"ssl", "_ssl", "hashlib", "_hashlib", "hmac", "secrets", "requests", "urllib3",
               "http.client"}
# imported on first use, not at start: the Telegram command bot only where commands are on
NOT_AT_START = {"notify": {"services.notify.bot.poller"},
                # the environment's proxies: looked up only where a variable names one
                # (shared/projectx/transport.py); market has urllib.request through signalrcore
                "enforcement": {"urllib.request"}}
# message areas (shared/messages/<area>.py) a process does not load at start: it handles none
# of their messages (a message of one arriving loads its area then)
AREAS_NOT_LOADED = {
    "logging": {"market", "risk", "enforce", "config", "auth", "accounts"},
    "simbroker": {"market", "risk", "enforce", "config", "auth", "accounts"},
    "market": {"risk", "enforce", "config", "auth", "accounts"},
    "enforcement": {"market", "config", "auth", "accounts"},
    "risk": {"config", "auth", "accounts"},
    "notify": {"config", "auth", "accounts"},
}
ONLY_IN = {"signalrcore": {"market"}, "websockets": {"simbroker"}, "watchdog": {"supervisor"},
           "tomlkit": {"supervisor"}, "blessed": set(),
           # the broker client sends through urllib3 with error types of its own; market has
           # requests through signalrcore (enforcement carried ~4.5 MB for requests' types)
           "requests": {"market"}}

PROBE = """
import importlib, json, linecache, sys
importlib.import_module(sys.argv[1])
generated = [n for n in linecache.cache if n.startswith(("<attrs generated", "<cattrs generated"))]
try:
    with open("/proc/self/maps") as fh:
        maps = fh.read()
except OSError:
    maps = None
print(json.dumps({"modules": sorted(sys.modules), "generated": len(generated),
                  "libcrypto": None if maps is None else "libcrypto" in maps}))
"""


def start_probe(process: str) -> subprocess.Popen:
    """The probe of one process's entry module, in a fresh interpreter of its own."""
    return subprocess.Popen([sys.executable, "-c", PROBE, ENTRY[process]], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def probe_result(probe: subprocess.Popen) -> dict:
    try:
        out, err = probe.communicate(timeout=60)
    finally:
        if probe.poll() is None:
            probe.kill()
            probe.wait(5)
    assert probe.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def imports_of(process: str) -> dict:
    return probe_result(start_probe(process))


@pytest.fixture(scope="module")
def loaded() -> dict:
    # the probes run side by side (each in its own interpreter, so what one imports cannot
    # show in another's sys.modules): seven serial interpreter start-ups were ~3 s of make test
    probes = {process: start_probe(process) for process in ENTRY}
    try:
        return {process: probe_result(probe) for process, probe in probes.items()}
    finally:
        for probe in probes.values():
            if probe.poll() is None:
                probe.kill()
                probe.wait(5)


def tops(modules) -> set:
    """Every package name with its parents ('urllib3.util.ssl_' -> urllib3, urllib3.util, ...)."""
    return {".".join(m.split(".")[:i + 1]) for m in modules for i in range(m.count(".") + 1)}


@pytest.mark.parametrize("process", NO_TLS)
def test_no_tls_or_http_where_nothing_speaks_https(loaded, process):
    found = TLS_MODULES & tops(loaded[process]["modules"])
    assert not found, f"{process} imports {sorted(found)} (docs/performance.md, 'Memory')"
    if loaded[process]["libcrypto"] is not None:     # Linux: what is really mapped
        assert not loaded[process]["libcrypto"], f"{process} maps OpenSSL's libcrypto"


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_heavy_libraries_only_where_used(loaded, library):
    users = {p for p, seen in loaded.items() if library in tops(seen["modules"])}
    assert users <= ONLY_IN[library], \
        f"{library} imported by {sorted(users - ONLY_IN[library])} (docs/performance.md, 'Memory')"


# the package under services/ each process runs from
PACKAGE = {process: ENTRY[process].rsplit(".", 1)[0] for process in ENTRY}


@pytest.mark.parametrize("process", sorted(ENTRY))
def test_no_process_imports_another_workers_package(loaded, process):
    others = {m for m in tops(loaded[process]["modules"])
              if m.count(".") == 1 and m.startswith("services.") and m != PACKAGE[process]}
    assert not others, f"{process} imports {sorted(others)}: what more than one process " \
                       f"needs belongs in shared/ (docs/performance.md, 'Memory')"


@pytest.mark.parametrize("process", sorted(NOT_AT_START))
def test_imported_on_first_use_only(loaded, process):
    found = NOT_AT_START[process] & set(loaded[process]["modules"])
    assert not found, f"{process} imports {sorted(found)} at start (docs/performance.md, 'Memory')"


@pytest.mark.parametrize("process", sorted(AREAS_NOT_LOADED))
def test_only_the_message_areas_a_process_handles(loaded, process):
    found = {m.rsplit(".", 1)[1] for m in loaded[process]["modules"]
             if m.startswith("shared.messages.")} & AREAS_NOT_LOADED[process]
    assert not found, f"{process} loads the message areas {sorted(found)} at start " \
                      f"(shared/messages/__init__.py; docs/performance.md, 'Memory')"


@pytest.mark.parametrize("process", sorted(ENTRY))
def test_no_generated_source_kept(loaded, process):
    assert loaded[process]["generated"] == 0, \
        f"{process} keeps attrs/cattrs generated source in linecache (shared/gensource.py)"


def test_the_probe_sees_an_import():
    """The check can fail: a process that does import TLS is reported."""
    seen = imports_of("enforcement")        # it talks HTTPS to the broker
    assert {"ssl", "urllib3"} <= tops(seen["modules"])
