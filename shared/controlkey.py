"""The control key: a worker takes a request that weakens or stops riskd only from the supervisor.

riskctl talks only to the supervisor, which checks the login session and role before an admin
command. Each worker's own control socket (REP, loopback) answers anyone on the machine, so
the requests that change what riskd enforces, or stop it, are gated there (GATED, the one
list): a worker takes one only inside a Keyed message carrying this riskd's control key, and
refuses it otherwise, with a reply that says to use riskctl, and a warning in its log.

The supervisor makes a fresh random key at each start, before it starts any worker: it hands it
to each worker it starts in the environment (ENV, as it does the spawn token: a worker
restarted while the disk is full still gets it), and writes it to <data_dir>/run/control.key,
readable by riskd's user only (mode 0600; on Windows the data dir's ACL), for the local tools
that act as the supervisor does (tests, benches). A worker started without ENV (by hand, by a
bench) reads that file at its start. A worker with no key refuses every gated request.

The same key proves an audit record comes from a riskd process (shared/auditproof.py: a digest
keyed with it; the logging worker chains no audit record without one).

The key never appears in a log, reply, alert, audit row or history: Keyed does not show it, the
supervisor wraps a request only as it sends it (after its audit), and a refusal never names it.
Read-only requests (status, lockouts, history, rules, positions, orders, snapshots, ping) stay
open: `riskctl watch` reads the workers directly while the supervisor is down.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Optional

from _operator import _compare_digest     # hmac.compare_digest, without hmac's OpenSSL

from shared.messages.system import Keyed, Reply, error
from shared.privatefile import unlink_quietly, write_private
from shared.randtoken import token_hex

log = logging.getLogger(__name__)

ENV = "RISKD_CONTROL_KEY"
FILE = "control.key"
REFUSED = "control_key_refused"

# Every request a worker takes only with the key: what it is called, and who checks it. A new
# request that loosens a rule, clears a lockout, closes positions or stops a process belongs
# here. NotifyTest (sends a test message), LogLost (a process's own count of lost log lines)
# and every read stay open. By catalog name (names are unique in the catalog): importing the
# classes here loaded risk's and enforcement's message areas into every process, ~0.7 MB each
# (shared/messages/__init__.py); any request of that name is gated, whatever its module.
ADMIN = "the supervisor checks the admin session"
GATED: dict[str, tuple[str, str]] = {
    "UnlockRequest": ("unlock", ADMIN),
    "RulesOverrideRequest": ("rules override", ADMIN),
    "FlattenRequest": ("flatten", ADMIN),
    "Stop": ("stop", "riskctl stop/shutdown; " + ADMIN),
    "SelfLockRequest": ("lockout", "the supervisor records who asked"),
    "AdminLockRequest": ("lockout --admin", ADMIN),
}


def path_of(run_dir: str) -> str:
    return os.path.join(run_dir, FILE)


def run_dir_of(data_dir: str) -> str:
    """The supervisor's run dir (services/supervisor/app.py), where the key file is."""
    return os.path.join(data_dir, "run")


def create(run_dir: str) -> str:
    """A fresh key, written owner-only to <run_dir>/control.key (replacing the last riskd's);
    the key even when the file cannot be written (the workers get it in ENV)."""
    key = token_hex(32)
    path = path_of(run_dir)
    try:
        write_private(path, key, encoding="ascii")
    except OSError as exc:
        log.error("cannot write the control key file %s (%s): the workers riskd starts get the "
                  "key all the same; local tools cannot send them gated requests", path, exc)
        _unlink(path)
    return key


def read(run_dir: str) -> str:
    """The key in <run_dir>/control.key; '' when there is none (or it cannot be read)."""
    try:
        with open(path_of(run_dir), encoding="ascii") as fh:
            return fh.read().strip()
    except (OSError, UnicodeDecodeError):
        return ""


def remove(run_dir: str) -> None:
    _unlink(path_of(run_dir))


_unlink = unlink_quietly


def for_worker(run_dir: str) -> str:
    """The key a worker checks gated requests against: the one its supervisor handed it, else
    the file's (a worker started by hand or by a bench); '' refuses them all. Taken out of the
    environment, so nothing the worker starts inherits it."""
    return os.environ.pop(ENV, "") or read(run_dir)


def is_gated(request: Any) -> bool:
    return type(request).__name__ in GATED


def keyed(key: str, request: Any) -> Any:
    """The request as the worker takes it: a gated one inside Keyed with the key, others as is."""
    return Keyed(request=request, key=key) if is_gated(request) else request


def opened(request: Any, key: str, worker: str) -> tuple[Any, Optional[Reply]]:
    """A request as it reached a worker holding `key` -> (the request to run, None), or
    (None, the refusal) for a gated request without the right key (logged, without any key)."""
    if isinstance(request, Keyed):
        inner = request.request
        if isinstance(inner, Keyed):
            return None, error("bad_request", "a Keyed request inside a Keyed request")
        if key and _compare_digest(request.key.encode("utf-8", "replace"),
                                   key.encode("utf-8")):
            return inner, None
        return None, refusal(inner, worker, "with a wrong control key" if key
                             else "and this worker has no control key")
    if is_gated(request):
        return None, refusal(request, worker, "without the control key")
    return request, None


def refusal(request: Any, worker: str, how: str) -> Reply:
    said, checks = GATED.get(type(request).__name__, (type(request).__name__, ADMIN))
    log.warning("%s: refused a %s request that came %s, not from the supervisor",
                worker, type(request).__name__, how)
    return error(REFUSED, f"{said} refused: riskd takes {said} only through riskctl "
                 f"({checks})")
