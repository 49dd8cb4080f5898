"""Ops/admin sessions and the failed-login limiter: pure bookkeeping on an injected clock.

A session is a random token (shared.randtoken.token_urlsafe, as secrets makes it) bound
to a role, a user name and an expiry; tokens live only in this process's memory, so a riskd
restart ends every session. The limiter counts failed logins per role and per
client (the user name riskctl sends) and locks only that pair for `lock_seconds` once
`max_failures` failed within `window_seconds`: wrong admin passwords never lock the ops
login, and one client's failures never lock the real admin out from another.
An expired token is remembered (bounded) so the refusal can say when it expired, and so is
a token ended early (its role's password changed, a logout): the refusal says why and when,
never a guess like "riskd restarted".
Nothing here checks passwords or does I/O: services/supervisor/commands/login.py
does that and services/supervisor/auth.py asks check().
"""
from __future__ import annotations

from typing import Optional, Protocol

import attrs

from shared.clock import NS_PER_S, Clock
from shared.randtoken import token_urlsafe

# Which sessions satisfy a command's role: an admin may do everything an ops person may.
GRANTS = {"trader": ("trader", "ops", "admin"), "ops": ("ops", "admin"), "admin": ("admin",)}
SESSION_ROLES = ("ops", "admin")
MAX_SESSIONS = 256           # bounded memory: the oldest session goes first


@attrs.frozen
class Session:
    token: str = attrs.field(repr=False)
    role: str
    user: str
    expires_ns: int


@attrs.frozen
class Check:
    """What a token is worth now: the session, or a refusal code (auth_refused/session_expired)."""
    session: Optional[Session] = None
    code: str = ""
    expired_ns: Optional[int] = None       # session_expired: when it ran out
    ended: Optional["Ended"] = None         # session_expired: it was ended early (why, when)


@attrs.frozen
class Ended:
    """A session ended before its time: whose, when (UTC ns) and why ("the admin password was
    changed")."""
    role: str
    user: str
    ended_ns: int
    why: str


class Sessions:
    """Issue, check and revoke session tokens."""

    def __init__(self, clock: Clock, limiter: Optional["LoginLimiter"] = None):
        self.clock = clock
        self._by_token: dict[str, Session] = {}
        self._expired: dict[str, int] = {}       # token -> when it expired (the newest few)
        self._ended: dict[str, Ended] = {}       # token -> why it was ended early (the newest few)
        self.limiter = limiter or LoginLimiter(clock)
        self.since_ns = clock.now_ns()           # sessions before this were another riskd's

    def issue(self, role: str, minutes: float, user: str = "") -> Session:
        if role not in SESSION_ROLES:
            raise ValueError(f"expected a role in {SESSION_ROLES}, got {role!r}")
        if minutes <= 0:
            raise ValueError(f"expected a session length above 0 minutes, got {minutes!r}")
        self._purge()
        while len(self._by_token) >= MAX_SESSIONS:
            oldest = min(self._by_token.values(), key=lambda s: s.expires_ns)
            self._end(oldest, f"{MAX_SESSIONS} newer sessions were open and it was the oldest")
        session = Session(token=token_urlsafe(32), role=role, user=user,
                          expires_ns=self.clock.now_ns() + int(minutes * 60 * NS_PER_S))
        self._by_token[session.token] = session
        return session

    def check(self, token: Optional[str]) -> Check:
        if not token:
            return Check(code="auth_required")
        session = self._by_token.get(token)
        if session is None:
            if token in self._ended:
                return Check(code="session_expired", ended=self._ended[token])
            if token in self._expired:
                return Check(code="session_expired", expired_ns=self._expired[token])
            return Check(code="auth_refused")
        if self.clock.now_ns() >= session.expires_ns:
            self._forget(session)
            return Check(code="session_expired", expired_ns=session.expires_ns)
        return Check(session=session)

    def _forget(self, session: Session) -> None:
        del self._by_token[session.token]
        self._expired[session.token] = session.expires_ns
        while len(self._expired) > MAX_SESSIONS:
            del self._expired[next(iter(self._expired))]

    def who(self, token: Optional[str]) -> str:
        """The role and OS user behind a valid token, for the audit trail: "ops:root"
        ("" when the token is no valid session)."""
        session = self.check(token).session
        return f"{session.role}:{session.user or 'unknown user'}" if session else ""

    def revoke(self, token: Optional[str], why: str = "it was logged out") -> bool:
        session = self._by_token.get(token) if token else None
        if session is None:
            return False
        self._end(session, why)
        return True

    def revoke_role(self, role: str, why: str = "") -> list[Session]:
        """End every session of a role (e.g. after its password changed, why: "the admin
        password was changed"); returns the sessions ended."""
        gone = [s for s in self._by_token.values() if s.role == role]
        for session in gone:
            self._end(session, why or f"its {role} sessions were ended")
        return gone

    def ended_since(self, ns: int) -> list[Ended]:
        """The sessions ended early at or after ns (what one change just ended)."""
        return [e for e in self._ended.values() if e.ended_ns >= ns]

    def _end(self, session: Session, why: str) -> None:
        del self._by_token[session.token]
        self._ended[session.token] = Ended(session.role, session.user, self.clock.now_ns(), why)
        while len(self._ended) > MAX_SESSIONS:
            del self._ended[next(iter(self._ended))]

    def active(self) -> list[Session]:
        self._purge()
        return list(self._by_token.values())

    def _purge(self) -> None:
        now = self.clock.now_ns()
        for session in [s for s in self._by_token.values() if now >= s.expires_ns]:
            self._forget(session)


class LimitStore(Protocol):
    """Where the limiter keeps its state across restarts (services/supervisor/loginstore.py)."""

    def load(self) -> dict[tuple[str, str], tuple[list[int], Optional[int]]]: ...

    def put(self, pair: tuple[str, str], failures: list[int],
            locked_until_ns: Optional[int]) -> None: ...


class LoginLimiter:
    """Five failed logins of one role from one client within a minute lock that role for that
    client for five minutes (the defaults); every other role and client can still log in.
    With a store, the failures and locks outlive a restart of riskd (fresh-user trial: a
    restart ended the lock, so restarting reset a wrong-password storm): each change is
    written before the login is answered, and a new limiter starts from what was written."""

    def __init__(self, clock: Clock, max_failures: int = 5, window_seconds: float = 60.0,
                 lock_seconds: float = 300.0, store: Optional[LimitStore] = None):
        self.clock = clock
        self.max_failures = max_failures
        self.window_ns = int(window_seconds * NS_PER_S)
        self.lock_ns = int(lock_seconds * NS_PER_S)
        self.store = store
        self._failures: dict[tuple[str, str], list[int]] = {}
        self._locked: dict[tuple[str, str], int] = {}
        if store is not None:
            self._restore(store.load())

    def _restore(self, saved: dict[tuple[str, str], tuple[list[int], Optional[int]]]) -> None:
        """Take back what an earlier riskd wrote; what is over (failures outside the window, a
        lock that ended) is forgotten, on disk too."""
        now = self.clock.now_ns()
        for key, (failures, until) in saved.items():
            recent = sorted(t for t in failures if now - t < self.window_ns)
            lock = until if until is not None and now < until else None
            if recent:
                self._failures[key] = recent
            if lock is not None:
                self._locked[key] = lock
            if (recent, lock) != (list(failures), until):
                self._save(key)

    def _save(self, key: tuple[str, str]) -> None:
        if self.store is not None:
            self.store.put(key, list(self._failures.get(key, [])), self._locked.get(key))

    def locked(self, role: str, client: str = "") -> Optional[int]:
        """When this role's logins from this client are locked: the UTC ns they unlock at;
        None when they are open."""
        key = (role, client)
        until = self._locked.get(key)
        if until is not None and self.clock.now_ns() >= until:
            del self._locked[key]
            self._failures.pop(key, None)
            self._save(key)
            return None
        return until

    def locked_any(self, role: str) -> Optional[tuple[int, str]]:
        """(until, client) of the lock of this role's logins that ends last, from any client;
        None when none holds (a refusal for want of a session says it: trial 21a section 6,
        a restart ended the session while login was locked, and nothing said so)."""
        held = [(until, client) for (r, client) in list(self._locked)
                if r == role and (until := self.locked(r, client)) is not None]
        return max(held) if held else None

    def failed(self, role: str, client: str = "") -> bool:
        """Count one failed login; True when this failure locked this role for this client."""
        key = (role, client)
        now = self.clock.now_ns()
        recent = [t for t in self._failures.get(key, []) if now - t < self.window_ns]
        recent.append(now)
        self._failures[key] = recent
        self._prune(now)
        locked_now = len(recent) >= self.max_failures and self.locked(role, client) is None
        if locked_now:
            self._locked[key] = now + self.lock_ns
        self._save(key)
        return locked_now

    def succeeded(self, role: str, client: str = "") -> None:
        """A good password clears that pair's count of failures (not an active lock)."""
        if self._failures.pop((role, client), None) is not None:
            self._save((role, client))

    def seconds_left(self, role: str, client: str = "") -> float:
        until = self.locked(role, client)
        return 0.0 if until is None else max(0.0, (until - self.clock.now_ns()) / NS_PER_S)

    def _prune(self, now: int) -> None:
        """Bounded memory: forget pairs whose failures are all outside the window."""
        if len(self._failures) <= MAX_SESSIONS:
            return
        for key in [k for k, ts in self._failures.items()
                    if not ts or now - ts[-1] >= self.window_ns]:
            del self._failures[key]
            self._save(key)
