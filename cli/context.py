"""What every riskctl command gets: the config location, a timed request to riskd, output helpers.

Requests go to the supervisor's control socket with a deadline (Lazy Pirate:
1 retry on a fresh socket, then a clear 'riskd did not answer' error naming
the address), so riskctl never hangs on a dead riskd.

Every riskctl run imports this module, `riskctl --help` and the commands that never reach
riskd too: what only a request needs (the bus and zmq, the message catalog and cattrs, the
config file's reader and tomlkit, the session cache) is imported by the function that uses
it, on first use (tests/unit/cli/test_startup_imports.py keeps it so).
"""
from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
from typing import TYPE_CHECKING, Any, Optional

from cli.errors import AUTH_CODES, EXIT_AUTH, CliError, NotRunning

if TYPE_CHECKING:
    from cli import session as session_cache
    from cli import whichriskd
    from shared.bus.rpc import RpcClient
    from shared.messages.auth import AuthNeeded, LoginReply
    from shared.messages.system import Reply

DEFAULT_TIMEOUT = 1.2     # per attempt; two attempts stay under 3 s
NOT_ANSWERING = "riskd does not answer"     # NotRunning.short of a socket that is silent
LOGIN_TIMEOUT = 5.0       # bcrypt on a busy machine; a login is never retried (it may count)


def default_config_path() -> str:
    """$RISKD_CONFIG, else ./etc/riskd.local.toml, the repo folder's untracked copy of the
    embedded default etc/riskd.toml that `make run` runs on (made from it when missing, so an
    edit never writes into the tracked file: shared/localconfig.py)."""
    from shared import localconfig
    return os.environ.get("RISKD_CONFIG") or localconfig.default_path()


def read_control_address(config_path: str, default: bool = False) -> str:
    """The [bus].control address from the config file, without validating the rest of it
    (riskd runs on its last good config while the file is broken: riskctl must still reach it).
    default: no --config and no $RISKD_CONFIG named it (riskctl looked in the current folder)."""
    from cli import configfile
    try:
        data = configfile.tables(config_path)     # an invalid file is read leniently
    except OSError as exc:
        raise CliError(unreadable(config_path, exc.strerror, default)) from None
    address = configfile.control_address(data)
    if not isinstance(address, str):
        raise CliError(f"{config_path}: bus.control: expected an address like "
                       f"tcp://127.0.0.1:5570, got {address!r}")
    return address


def unreadable(config_path: str, why: str, default: bool) -> str:
    """Why riskctl has no config, naming the file it looked for as a full path. Fresh-user
    trial 2026-12-06: run outside the repo folder, riskctl said "cannot read the config
    etc/riskd.toml" though `make run` runs riskd on etc/riskd.local.toml (README): the file
    it looks for is the current folder's, and --config names the one riskd runs on."""
    from shared import localconfig
    full = os.path.abspath(config_path)
    if not default:
        return (f"cannot read the config {full}: {why} (name riskd's config with --config "
                f"FILE or set RISKD_CONFIG)")
    here = os.path.abspath(".")
    return (f"cannot read the config: riskctl looked in the current folder {here} for "
            f"{localconfig.LOCAL} (the copy of {localconfig.SHIPPED} that `make run` runs riskd "
            f"on, made from it when missing) and found neither ({full}: {why}). Run riskctl "
            f"from the riskd folder, or name the config riskd runs on: riskctl --config "
            f"/path/to/riskd/{localconfig.LOCAL} ... (or set RISKD_CONFIG)")


class Context:
    def __init__(self, config_path: Optional[str], json_output: bool = False,
                 control: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT):
        self._config_path = config_path        # None: default_config_path(), when first needed
        self.json = json_output
        self.timeout = timeout
        self._control = control
        self.session: Optional[str] = None     # the cached session token, loaded on first call
        self._session_loaded = False
        self._swept = False      # the session folder, once a command (cli/sessionsweep.py)
        self._asked_login = False
        self.expired: Optional[session_cache.CachedSession] = None   # a session that ran out
        self.ended = ""     # riskd's words: that session was ended early, why and when
        self.earlier: Optional[session_cache.CachedSession] = None   # one an earlier riskd issued
        self._sent: Optional[session_cache.CachedSession] = None     # the cached one sent
        self._checked = False    # whether the riskd that answers was compared with the config
        self._other: Optional[whichriskd.Other] = None   # it is another config's riskd
        self._warned = False

    @property
    def config_path(self) -> str:
        """The config riskctl works on: --config, else the default (found, and the repo
        folder's local copy made, only by a command that needs a config: `config validate
        FILE` or `init` never do)."""
        if self._config_path is None:
            self._config_path = default_config_path()
        return self._config_path

    @config_path.setter
    def config_path(self, path: str) -> None:
        self._config_path = path

    @property
    def other(self) -> Optional[whichriskd.Other]:
        """The riskd that answered runs another config (cli/whichriskd.py); None when it is
        this config's, or when none answered yet."""
        return self._other

    @property
    def control_address(self) -> str:
        if self._control is None:
            default = self._config_path is None and not os.environ.get("RISKD_CONFIG")
            self._control = read_control_address(self.config_path, default)
        return self._control

    def call(self, command: Any, timeout: Optional[float] = None, retries: int = 1) -> Reply:
        """Send a command to riskd and return its Reply (ok or error). Raises CliError on silence."""
        from cli import session as session_cache
        from cli import sessionsweep, whichriskd
        from shared.messages.control import ControlRequest
        from shared.messages.system import Reply
        RpcClient, RpcTimeout = _rpc()
        address = self.control_address
        if not self._swept:
            self._swept = True
            # files no message can use any more go (fresh-user trial: dozens in
            # ~/.config/riskd), never one of a riskd stopped for a restart (trial16a finding
            # 3), whether or not one listens here; this riskd's own is judged by its answer
            # below, or, when none answers, waits for the next riskd's refusal to say the
            # restart ended it (trial 14a)
            sessionsweep.sweep(address)
        if not listening(address):         # or only its supervisor is gone: say which
            from cli.notrunning import orphans
            seen = orphans(self.config_path, address)
            raise NotRunning(seen.text(), (
                "riskd's supervisor is not running (its workers run without it)"
                if seen.running else
                f"riskd is stopped (nothing listens on its control socket {address})"))
        if not self._session_loaded:
            self._session_loaded = True
            cached = session_cache.read(address) if self.session is None else None
            if cached is not None and cached.seconds_left() <= 0:
                # say when it ran out, not only "log in"; the file stays (login replaces it,
                # logout removes it) so a later command says it too (fresh-user trial: a
                # command that needed no session removed it, and the next `riskctl unlock`
                # said only "this command needs an admin session")
                self.expired = cached
            elif cached is not None:
                self.session = cached.token
                self._sent = cached
        with RpcClient(address, "riskd", timeout=self.timeout, retries=retries,
                       name="riskctl") as client:
            try:
                if not self._checked:      # until riskd answered it: a retried call asks again
                    self._other = self._which(client, timeout)
                    self._checked = True
                self._warned = whichriskd.judge(self._other, command, self._warned)
                sent_ns = time.time_ns()
                reply = client.call(ControlRequest(command=command, session=self.session),
                                    timeout=timeout)
            except RpcTimeout as exc:
                if self._checked and retries == 0:      # the action itself went out, once
                    untold = self._untold(command, sent_ns, exc.seconds)
                    if untold:
                        raise NotRunning(untold, f"{NOT_ANSWERING} (control socket "
                                                 f"{address}, {exc.seconds:g} s)") from None
                raise NotRunning(f"riskd is not running or not answering: no answer from the "
                                 f"control socket {address} within {exc.seconds:g} s",
                                 f"{NOT_ANSWERING} (control socket {address}, "
                                 f"{exc.seconds:g} s)") from None
        if not isinstance(reply, Reply):
            raise CliError(f"riskd answered with {type(reply).__name__}, not a reply")
        return reply

    def _untold(self, command: Any, sent_ns: int, seconds: float) -> Optional[str]:
        """An admin action sent once that got no answer, said as not known (cli/unanswered.py:
        riskd may have taken it before its supervisor went away), with riskd's state now;
        None for a command with no such words."""
        from cli import configfile, unanswered
        from cli.notrunning import orphans
        from shared import showtime
        address = self.control_address
        if listening(address):
            now = f"its supervisor still listens on {address}: busy, or hung"
        elif orphans(self.config_path, address).running:
            now = ("its supervisor is not running now and its workers run without it: "
                   "`riskctl status` lists them")
        else:
            now = "riskd is not running now"
        zone = configfile.display_zone(self.config_path)
        return unanswered.not_known(command, showtime.start(sent_ns, zone, time.time_ns()),
                                    f"no answer within {seconds:g} s", now)

    def _which(self, client: RpcClient, timeout: Optional[float]):
        """The riskd at the control address, compared with the config riskctl read
        (cli/whichriskd.py): None when it is this config's riskd (or cannot be told)."""
        from cli import whichriskd
        from shared.messages.control import ControlRequest
        from shared.messages.system import Ping, Pong, Reply
        pong = client.call(ControlRequest(command=Ping()), timeout=timeout)
        if not isinstance(pong, Reply) or not pong.ok or not isinstance(pong.body, Pong):
            return None
        return whichriskd.compare(self.config_path, self.control_address,
                                  pong.body.config_path, pong.body.data_dir)

    def request(self, command: Any, timeout: Optional[float] = None, retries: int = 1,
                tolerate: tuple[str, ...] = ()) -> Reply:
        """call(), but an error reply ends the command (exit 1, or 3 when authentication failed),
        except an error whose code is in `tolerate`: that one is returned for the caller."""
        from cli import configfile
        from cli import session as session_cache
        from shared.messages.auth import AuthNeeded
        reply = self.call(command, timeout=timeout, retries=retries)
        if not reply.ok and reply.code in AUTH_CODES and isinstance(reply.body, AuthNeeded):
            self._judge_expired(reply.body)
            self._judge_ended(reply)
            if reply.code == "session_expired" and self.session:
                session_cache.clear(self.control_address)
                self.session = None
            login_as = login_role_of(reply.body)
            if reply.code != "auth_locked" and login_as and session_cache.interactive() \
                    and not self._asked_login:
                self._asked_login = True         # ask once; a second refusal ends the command
                if ended_by_restart(reply, self.earlier):
                    print(f"riskctl: your {self.earlier.role} session was ended by riskd's "
                          f"restart (a restart ends every session)", file=sys.stderr)
                print(f"riskctl: this command needs an {reply.body.role} session; "
                      f"log in once as {login_as}:", file=sys.stderr)
                self.login(login_as, session_cache.read_password(login_as))
                reply = self.call(command, timeout=timeout, retries=retries)
        if not reply.ok and reply.code not in tolerate:
            code = EXIT_AUTH if reply.code in AUTH_CODES else 1
            raise CliError(refusal_text(reply, self.expired,
                                        configfile.display_zone(self.config_path),
                                        codes=self.json, earlier=self.earlier,
                                        ended=self.ended), code)
        return reply

    def _judge_expired(self, needed: AuthNeeded) -> None:
        """An expired cached session this riskd never issued is not "your session expired":
        an earlier riskd at this address issued it (fresh-user trial: a fresh clone's first
        `riskctl shutdown` said "your admin session expired at Sun 02:04:11 CST", an hour
        before the clone existed, while the audit trail said "no session"). Its file goes.
        So does an unexpired one an earlier riskd issued: a restart ended it (trial 14a), and
        the refusal says so (_refusal_words)."""
        from cli import session as session_cache
        sent = self._sent
        if sent is not None and not session_cache.issued_by(sent, needed.riskd_since_ns):
            self.earlier, self._sent, self.session = sent, None, None
            if not restart_ended_now(sent, needed.riskd_since_ns):
                session_cache.clear(self.control_address)
            # else its file stays until its end: every command meanwhile (another terminal
            # too) says the restart ended it, not only the first (trial16g: the next said only
            # "this command needs an admin session"); a login replaces it
            return
        if self.expired is None or session_cache.issued_by(self.expired, needed.riskd_since_ns):
            return
        self.earlier, self.expired = self.expired, None
        session_cache.clear(self.control_address)

    def _judge_ended(self, reply: Reply) -> None:
        """A cached session that ran out may have been ended before its end (its password
        changed or removed): riskd, asked about the token, says why and when, and that is
        said instead of "expired at" its nominal end (trial 14b: `riskctl shutdown` said "your
        admin session expired at 09:22:41 CST"; a restore had ended it at 09:21:40)."""
        from shared.messages.auth import WhoAmI, WhoAmIRequest
        if reply.code != "auth_required" or self.expired is None or self.ended:
            return
        try:
            told = self.call(WhoAmIRequest(token=self.expired.token), retries=0)
        except CliError:
            return
        if told.ok and isinstance(told.body, WhoAmI) and told.body.ended:
            self.ended = told.body.ended

    def login(self, role: str, password: str) -> LoginReply:
        """Trade the role's password for a session, cache it for the next commands."""
        from cli import session as session_cache
        from shared.messages.auth import LoginReply, LoginRequest
        reply = self.call(LoginRequest(role=role, password=password,
                                       user=session_cache.os_user()),
                          timeout=max(self.timeout, LOGIN_TIMEOUT), retries=0)
        if not reply.ok or not isinstance(reply.body, LoginReply):
            code = EXIT_AUTH if reply.code in AUTH_CODES else 1
            raise CliError(refusal_text(reply, codes=self.json), code)
        session_cache.save(self.control_address, reply.body)
        self.session = reply.body.token
        return reply.body

    # -- output -------------------------------------------------------------------------------
    def print_json(self, value: Any) -> None:
        """One JSON document on stdout (catalog messages in their wire field form)."""
        json.dump(to_jsonable(value), sys.stdout, indent=2, sort_keys=False)
        sys.stdout.write("\n")


def listening(address: str, timeout: float = 0.5) -> bool:
    """False only when a local TCP control address certainly has no listener (the connection
    is refused at once): then riskctl says "riskd is not running" in milliseconds instead of
    waiting out the request timeouts. Anything else (a listener, a slow or remote host, a
    non-TCP address) is True and left to the timed request."""
    m = re.match(r"^tcp://(127\.0\.0\.1|localhost|\[::1\]):(\d+)$", address)
    if not m:
        return True
    host = m.group(1).strip("[]")
    try:
        with socket.create_connection((host, int(m.group(2))), timeout=timeout):
            return True
    except ConnectionRefusedError:
        return False
    except OSError:
        return True


def login_role_of(needed: AuthNeeded) -> str:
    """The role to log in as for a refused command: riskd's word (admin when no ops password is
    set, '' when no password is set at all), else the role the command needs."""
    return needed.role if needed.login_as is None else needed.login_as


def refusal_text(reply: Reply, expired=None, tz=None, now_ns: Optional[int] = None,
                 codes: bool = False, earlier=None, ended: str = "") -> str:
    """An error reply as riskctl says it; a missing session names the role and the login that
    works for this riskd, and a session that ran out says when, in the display zone tz
    (`expired`: the cached session, if it ran out; `earlier`: a cached session an earlier
    riskd issued, said with this riskd's start). The reply's code ('[auth_required]') ends
    the text only with codes (--json: a script may read it; the exit code says auth, 3, to
    every caller); a person reads the words (trial 2026-12-05)."""
    from shared.messages.auth import AuthNeeded
    text = _refusal_words(reply, expired, tz, now_ns, earlier, ended)
    if not codes:
        return text
    code = "session_expired" if (expired is not None or earlier is not None) \
        and reply.code == "auth_required" and isinstance(reply.body, AuthNeeded) else reply.code
    return f"{text} [{code}]"


def _refusal_words(reply: Reply, expired, tz, now_ns: Optional[int], earlier=None,
                   ended: str = "") -> str:
    from shared import showtime
    from shared.config.access import login_hint
    from shared.messages.auth import AuthNeeded
    restarted = ended_by_restart(reply, earlier)
    if restarted or (reply.code == "auth_required" and isinstance(reply.body, AuthNeeded)):
        role = reply.body.role
        now = time.time_ns() if now_ns is None else now_ns
        zone = tz or showtime.zone_of_tables({})
        hint = login_hint(role, login_role_of(reply.body)) + locked_words(reply.body, zone, now)
        if restarted:
            since = showtime.start(reply.body.riskd_since_ns, zone, now)
            until = showtime.at(earlier.expires_ns, zone, now)
            return (f"your {earlier.role} session (until {until}) was ended by riskd's restart: "
                    f"riskd runs again since {since}, and a restart ends every session "
                    f"(sessions live in riskd's memory); log in again: this command needs an "
                    f"{role} session: {hint}")
        if earlier is not None and reply.body.riskd_since_ns is not None:
            since = showtime.start(reply.body.riskd_since_ns, zone, now)
            return (f"no session: your cached {earlier.role} session is not one this riskd "
                    f"issued (it runs since {since}; sessions live in its memory, so a restart "
                    f"ends them); this command needs an {role} session: {hint}")
        if expired is not None and ended:    # riskd says it ended early: why and when
            return f"{ended}; this command needs an {role} session: {hint}"
        if expired is not None:
            at = showtime.at(expired.expires_ns, zone, now)
            return (f"your {expired.role} session expired at {at}; this command needs an "
                    f"{role} session: {hint}")
        return f"this command needs an {role} session: {hint}"
    return reply.reason


def locked_words(body, zone, now_ns: int) -> str:
    """'; but admin logins are locked until Mon 05:27 CST ...' when riskd says the login the
    refusal points to is locked now (AuthNeeded.locked_until_ns of a refusal for want of a
    session; trial 21a section 6: "log in again" after a restart, and the login was refused);
    '' otherwise (an auth_locked login refusal says it in its own words)."""
    from shared import showtime
    until = getattr(body, "locked_until_ns", None)
    if until is None or until <= now_ns:
        return ""
    who = login_role_of(body) or body.role
    return (f"; but {who} logins are locked until {showtime.at(until, zone, now_ns)} (too many "
            f"wrong {who} passwords): `riskctl login` is refused until then "
            f"(docs/operations.md, Roles and passwords)")


def restart_ended_now(cached, riskd_since_ns: Optional[int],
                      now_ns: Optional[int] = None) -> bool:
    """The cached session would still run but for riskd's restart: issued by an earlier riskd
    that recorded its start, this riskd started before its end, and its end is still ahead.
    While so, "ended by riskd's restart" is what a command needing it is told."""
    now = time.time_ns() if now_ns is None else now_ns
    return (riskd_since_ns is not None and cached.riskd_since_ns is not None
            and cached.riskd_since_ns < riskd_since_ns < cached.expires_ns
            and now < cached.expires_ns)


def ended_by_restart(reply: Reply, earlier) -> bool:
    """Whether a refusal is of a cached session an earlier riskd at this address issued that
    was still valid when this riskd started (and whose start it recorded): riskd's restart
    ended it (trial 14a). One that had run out before is no session of this riskd."""
    from shared.messages.auth import AuthNeeded
    body = reply.body
    return (earlier is not None and reply.code in ("auth_required", "session_expired")
            and isinstance(body, AuthNeeded) and body.riskd_since_ns is not None
            and earlier.riskd_since_ns is not None
            and earlier.riskd_since_ns < body.riskd_since_ns < earlier.expires_ns)


def to_jsonable(value: Any) -> Any:
    from shared import codec
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if hasattr(type(value), "__attrs_attrs__"):
        return to_jsonable(codec.to_fields(value))
    return value


def _rpc():
    """(RpcClient, RpcTimeout) of shared/bus/rpc.py, which imports zmq: imported by the first
    request (`riskctl --help` and the offline commands send none). Read as this module's
    attributes, so a test can stand a riskd in for RpcClient (monkeypatch)."""
    module = sys.modules[__name__]
    return module.RpcClient, module.RpcTimeout


def __getattr__(name: str) -> Any:
    """RpcClient and RpcTimeout, imported on first use (_rpc)."""
    if name in ("RpcClient", "RpcTimeout"):
        from shared.bus import rpc
        globals()[name] = value = getattr(rpc, name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
