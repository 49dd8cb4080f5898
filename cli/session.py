"""riskctl's cached session: one token per riskd (control address), owner-only on disk.

The file is <dir>/session-<hash of the control address>.json where dir is
$RISKD_SESSION_DIR, else %APPDATA%\\riskd on Windows, else
$XDG_CONFIG_HOME/riskd or ~/.config/riskd. The directory is made 0700 and
the file 0600 (written to a temp file, then renamed). A token is never printed, not even
in part: riskctl shows a session's role and expiry only.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from typing import Optional

import attrs

from cli.errors import CliError
from shared.messages.auth import LoginReply


@attrs.frozen
class CachedSession:
    role: str
    token: str = attrs.field(repr=False)
    expires_ns: int
    user: str = ""
    riskd_since_ns: Optional[int] = None    # when the riskd that issued it started (None:
                                            # cached by an older riskctl, or riskd did not say)
    control: str = ""                       # the control address of that riskd

    def seconds_left(self, now_ns: Optional[int] = None) -> float:
        return max(0.0, (self.expires_ns - (now_ns or time.time_ns())) / 1e9)


def session_dir() -> str:
    explicit = os.environ.get("RISKD_SESSION_DIR")
    if explicit:
        return explicit
    if os.name == "nt" and os.environ.get("APPDATA"):
        return os.path.join(os.environ["APPDATA"], "riskd")
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "riskd")


def session_path(control_address: str) -> str:
    digest = hashlib.sha256(control_address.encode("utf-8")).hexdigest()[:16]
    return os.path.join(session_dir(), f"session-{digest}.json")


def save(control_address: str, reply: LoginReply) -> str:
    """Cache a fresh session for this riskd; returns the file path."""
    path = session_path(control_address)
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass                      # not ours to change (e.g. a shared $RISKD_SESSION_DIR)
    data = {"control": control_address, "role": reply.role, "token": reply.token,
            "expires_ns": reply.expires_ns, "user": reply.user,
            "riskd_since_ns": reply.riskd_since_ns}
    from shared.config.edit import atomic_write     # riskctl's start: only when saving
    atomic_write(path, json.dumps(data), mode=0o600)
    os.chmod(path, 0o600)         # owner only, even if an older file was wider
    return path


def load(control_address: str, now_ns: Optional[int] = None) -> Optional[CachedSession]:
    """The cached session for this riskd, or None (none, unreadable, or expired: then removed)."""
    cached = read(control_address)
    if cached is not None and cached.expires_ns <= (now_ns or time.time_ns()):
        clear(control_address)
        return None
    return cached


def read(control_address: str) -> Optional[CachedSession]:
    """The cached session for this riskd as it is on disk, expired or not (None: none)."""
    return read_file(session_path(control_address))


def read_file(path: str) -> Optional[CachedSession]:
    """One session file as it is on disk (None: missing, unreadable or damaged)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        since = data.get("riskd_since_ns")
        cached = CachedSession(role=str(data["role"]), token=str(data["token"]),
                               expires_ns=int(data["expires_ns"]), user=str(data.get("user", "")),
                               riskd_since_ns=None if since is None else int(since),
                               control=str(data.get("control", "")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return cached


def issued_by(cached: CachedSession, riskd_since_ns: Optional[int]) -> bool:
    """Whether the riskd that started at riskd_since_ns issued this cached session (True when
    riskd did not say when it started: an older riskd, trusted as before). A riskd's sessions
    live in its memory, so a session of an earlier riskd at the same address is never valid."""
    return riskd_since_ns is None or cached.riskd_since_ns == riskd_since_ns


def clear(control_address: str) -> bool:
    try:
        os.unlink(session_path(control_address))
        return True
    except OSError:
        return False


def os_user() -> str:
    import getpass    # noqa: PLC0415 -- its termios import, for the commands that ask
    try:
        return getpass.getuser()
    except Exception:            # no user name in the environment (a service account)
        return ""


def read_password(role: str, from_stdin: bool = False) -> str:
    """The password: one line from stdin (--password-stdin) or typed without echo."""
    if from_stdin:
        return stdin_password()
    return ask_password(f"{role} password: ")


def stdin_password() -> str:
    """The first line of stdin (--password-stdin). No input at all ends the command as ctrl-D
    at a prompt does, and an empty line says so too (trial 2026-12-05: `riskctl passwd ops
    --password-stdin` with empty input said "must have at least 8 characters")."""
    line = sys.stdin.readline()
    if not line:
        raise CliError("no password typed (end of input); nothing was done")
    password = line.rstrip("\r\n")
    if not password:
        raise CliError("no password typed (an empty first line); nothing was done")
    return password


def ask_password(prompt: str) -> str:
    """A password typed without echo; end of input (ctrl-D, or no input at all) ends the command
    with a sentence, never a traceback. Without a terminal, the first line of stdin, and none
    says to use --password-stdin (fresh-user trial 13b: `riskctl login </dev/null` printed
    Python's raw "GetPassWarning: Can not control echo on the terminal ... Warning: Password
    input may be echoed." before "no password typed")."""
    if not has_terminal():
        line = sys.stdin.readline() if sys.stdin is not None else ""
        if not line.rstrip("\r\n"):
            raise CliError("no password typed: there is no terminal to type it at and standard "
                           "input is empty; give it on standard input with --password-stdin "
                           "(docs/operations.md); nothing was done")
        return line.rstrip("\r\n")
    import getpass    # noqa: PLC0415
    try:
        return getpass.getpass(prompt)
    except EOFError:
        print(file=sys.stderr)          # the prompt's line ends
        raise CliError("no password typed (end of input); nothing was done") from None


def has_terminal() -> bool:
    """True when a password can be typed without echo: a controlling terminal on POSIX (what
    getpass opens, /dev/tty), a console on stdin on Windows."""
    if os.name == "nt":
        try:
            return sys.stdin is not None and sys.stdin.isatty()
        except (AttributeError, ValueError):
            return False
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def interactive() -> bool:
    """True when a person is at the terminal (riskctl may ask for a password)."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
