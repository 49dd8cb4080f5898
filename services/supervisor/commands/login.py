"""`riskctl login` / `logout` / `whoami`: trade a password for a session token, end it, show it.

The password is checked against the bcrypt hash in the config ([admin] or
[ops] password_hash). bcrypt at cost 12 takes ~0.25 s and runs in the loop:
that is the only wait, and the failed-login limiter (sessions.LoginLimiter)
caps it at a few checks a minute per role and client. Every success, failure and locked attempt
goes to the audit trail with the role asked for (login_as: `audit show` lists it under WHAT);
the password, the hash and the token never do.
"""
from __future__ import annotations

from services.supervisor import audit
from services.supervisor.commands.base import Command
from services.supervisor.sessions import SESSION_ROLES
from services.supervisor.sessionwords import ended_text
from shared import showtime
from shared.config.access import check_password, no_password_hint
from shared.messages.auth import (AuthNeeded, LoginReply, LoginRequest, LogoutRequest, WhoAmI,
                                  WhoAmIRequest)
from shared.messages.system import error, ok


def role_config(config, role: str):
    return getattr(config, role)


def _at(sup, ns: int) -> str:
    """When a login lock ends, in the display zone (shared/showtime.py), as every end is shown."""
    return showtime.at(ns, showtime.zone_of(sup.config), sup.sessions.clock.now_ns())


def execute_login(sup, request: LoginRequest, respond) -> None:
    role, user = request.role, request.user or "unknown user"
    if role not in SESSION_ROLES:
        respond(error("bad_request", f"expected a role in {', '.join(SESSION_ROLES)}, got "
                                     f"{role!r} (trader needs no login)"))
        return
    sessions = sup.sessions
    limiter = sessions.limiter
    locked_until = limiter.locked(role, user)
    if locked_until is not None:
        left = limiter.seconds_left(role, user)
        audit.record("login", role, f"refused: {role} logins locked for {left:.0f} s more",
                     who=user, login_as=role)
        respond(error("auth_locked", f"too many failed {role} logins from {user}: {role} "
                                     f"logins are locked for {left:.0f} s more (until "
                                     f"{_at(sup, locked_until)})",
                      AuthNeeded(role=role, locked_until_ns=locked_until)))
        return
    hashed = role_config(sup.config, role).password_hash
    if not hashed:
        audit.record("login", role, f"refused: no {role} password set", who=user,
                     login_as=role)
        respond(error("auth_refused",
                      no_password_hint(role, bool(sup.config.admin.password_hash)),
                      AuthNeeded(role=role)))
        return
    if not check_password(request.password, hashed):
        locked_now = limiter.failed(role, user)
        note = (f"; {limiter.max_failures} failures within a minute: {role} logins locked for "
                f"{limiter.lock_ns / 60e9:g} minutes for {user}" if locked_now else "")
        others = " (other roles and users can still log in)" if locked_now else ""
        audit.record("login", role, f"refused: wrong {role} password" + note + others,
                     who=user, login_as=role)
        until = f", until {_at(sup, limiter.locked(role, user))}" if locked_now else ""
        respond(error("auth_locked" if locked_now else "auth_refused",
                      f"wrong {role} password{note}{until}{others}", AuthNeeded(
                          role=role, locked_until_ns=limiter.locked(role, user))))
        return
    limiter.succeeded(role, user)
    minutes = role_config(sup.config, role).session_minutes
    session = sessions.issue(role, minutes, user=user)
    audit.record("login", role, f"ok: {role} session for {minutes:g} min",
                 who=user, login_as=role)
    respond(ok(LoginReply(role=role, token=session.token, expires_ns=session.expires_ns,
                          user=user, riskd_since_ns=sessions.since_ns),
               reason=f"logged in as {role} for {minutes:g} minutes"))


def execute_logout(sup, request: LogoutRequest, respond) -> None:
    who = sup.sessions.who(request.token)
    if sup.sessions.revoke(request.token):
        audit.record("logout", "trader", "ok", who=who)
        respond(ok(reason="the session is ended"))     # riskctl: "logged out (admin): ..."
    else:
        respond(ok(reason="no active session (already expired or ended)"))


def execute_whoami(sup, request: WhoAmIRequest, respond) -> None:
    check = sup.sessions.check(request.token)
    session = check.session
    passwords = [r for r in SESSION_ROLES if role_config(sup.config, r).password_hash]
    if session is None:
        # a session ended early says why and when: riskctl, holding it as merely run out,
        # said "expired at" its nominal end (trial 14b: it had ended a minute before, when a
        # restore removed the admin password)
        ended = ended_text(check.ended, showtime.zone_of(sup.config), sup.clock.now_ns()) \
            if check.ended is not None else ""
        respond(ok(WhoAmI(role="trader", passwords_set=passwords, ended=ended)))
    else:
        respond(ok(WhoAmI(role=session.role, expires_ns=session.expires_ns, user=session.user,
                          passwords_set=passwords)))


LOGIN = Command(LoginRequest, "trader", execute_login)
LOGOUT = Command(LogoutRequest, "trader", execute_logout)
WHOAMI = Command(WhoAmIRequest, "trader", execute_whoami)
