"""The audit trail of ops and admin actions: one structured record per action, with what and why.

Records go to the logger 'riskd.audit' with extra fields the logging worker writes into
audit.log's hash chain (so the chain covers them): who (user and session role), action (the
command as typed: "rules set", never the request type RulesSet),
the request's own fields (account, symbol, worker, target, rule, param, value, key, ...),
the reason the user gave, the result (riskd's answer), and for config edits `changes`
("KEY: OLD -> NEW" per value, secrets masked). Secrets (a password, a token, a secret
key's value) never reach a record. Config changes that reach riskd by a file edit instead
of an authenticated command are audited here too (file_edit_changes).
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

import attrs

from shared import editasking
from shared.commandwords import typed
from shared.config.edit import is_secret_key
from shared.config.convert import human_value

audit_log = logging.getLogger("riskd.audit")

# LogRecord attributes and our own record keys: a request field of that name gets a prefix
_TAKEN = frozenset({
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "message", "asctime", "taskName",
    "audit", "action", "role", "needs", "outcome", "who", "result", "kind"})
_SECRET_FIELDS = frozenset({"password", "token", "session"})
# what a request's field is called in the audit record
_RENAME = {"name": "worker", "all": "all_accounts"}


NO_SESSION = "no session"     # who, for a request that carried no valid session


def record(action: str, role: str, outcome: str, who: str = "", **fields) -> None:
    """One audit record; action: a request type's name is recorded as riskctl's words for it
    ("lockout", "rules set": shared/commandwords.py), as the person typed it."""
    who = who or NO_SESSION
    action = typed(action, fields)
    detail = " ".join(f"{k}={v}" for k, v in fields.items() if v not in ("", None))
    audit_log.info("%s by %s%s%s: %s", action, who, needs_words(role, who),
                   f" [{detail}]" if detail else "", outcome,
                   extra={"audit": True, "action": action, "needs": role, "outcome": outcome,
                          "result": outcome, "who": who, **fields})


def needs_words(role: str, who: str) -> str:
    """The role the command needs, said beside who did it only when who's own role is not it:
    "start by admin:root: ok" (an admin session serves an ops command), "unlock by no session
    (needs admin)". trial17b: "start by admin:root (ops) ... role=ops" read as if the admin
    had acted as ops."""
    own, colon, _user = who.partition(":")
    rank = {"trader": 0, "ops": 1, "admin": 2}
    if colon and own in rank and rank[own] >= rank.get(role, 0):
        return ""
    return f" (needs {role})"


def request_fields(request: Any) -> dict[str, Any]:
    """The request's own fields as audit fields: scalars as they are, secrets left out."""
    if not attrs.has(type(request)):
        return {}
    out: dict[str, Any] = {}
    secret_value = is_secret_key(getattr(request, "key", "") or "")
    for f in attrs.fields(type(request)):
        if f.name in _SECRET_FIELDS:
            continue
        value = getattr(request, f.name)
        if f.name == "disable":
            # `accounts disable --now` arms risk with RulesOverrideRequest(disable=True): its
            # row says enabled=false now=true, as the disable's own row (and the enable's
            # enabled=true) says it (trial 2026-12-06: the rows were worded differently)
            if value:
                out["enabled"], out["now"] = False, True
            continue
        if f.name == "confirmed" and not value:
            # only an answered question is worth a word: `confirmed=True` marks an edit (or a
            # stop) applied although riskd asked first; the unasked rest say nothing of it
            continue
        if f.name == "value" and secret_value:
            value = "(secret, not recorded)"
        key = _RENAME.get(f.name, f.name)
        if key in _TAKEN:
            key = f"request_{key}"
        out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return out


def outcome_of(reply) -> str:
    return (f"ok: {reply.reason}" if reply.reason else "ok") if reply.ok \
        else f"{reply.code}: {reply.reason}"


def claimed(request: Any) -> str:
    """Who a request without a session says asked: riskctl lockout's "trader:ana" (the OS user
    as riskctl knows it), the Telegram bot's "telegram:42"; marked as not proven by a session
    ('' when the request names nobody)."""
    by = getattr(request, "by", "") if request is not None else ""
    return f"{by} ({NO_SESSION})" if isinstance(by, str) and by.strip() else ""


def acting_who(role: str, session_who: str, request: Any) -> str:
    """Who did an action. A trader's own act (a command of the trader role whose request names
    its trader: riskctl lockout's "trader:ana", the bot's "telegram:42") is that trader's,
    whatever session riskctl happened to send with it: an admin session cached on the machine
    did not lock the account out (trial: a self-lockout read "admin:root"). The trader is
    proven when the session is the same OS user's, else marked as not proven by a session.
    Any other action is the session's (role:user); without one, who the request says asked."""
    by = getattr(request, "by", "") if request is not None else ""
    if role == "trader" and isinstance(by, str) and by.strip():
        session_user = session_who.partition(":")[2]
        return by if session_user and session_user == by.partition(":")[2] else claimed(request)
    return session_who or claimed(request)


def acted_on(reply, name: Optional[Callable[[int], str]] = None) -> str:
    """The accounts an answer's commands acted on (an admin flatten: one command per account),
    each as riskd names it, 'Demo 1 (id 1001), Demo 2 (strict, id 1002)' (name: account id ->
    shared/accountname.called); '' when the answer lists none. Trial 2026-12-06: `flatten
    --all`'s row said only "all_accounts=true"."""
    ids = list(dict.fromkeys(c.account_id for c in getattr(reply.body, "commands", None) or ()
                             if getattr(c, "account_id", None) is not None))
    return ", ".join(name(a) if name is not None else str(a) for a in ids)


def audited(respond, action: str, role: str, who: str = "", request: Any = None,
            name: Optional[Callable[[int], str]] = None):
    """Wrap a respond callback so the outcome of an action lands in the audit trail, with the
    request's fields and, for a config edit, what changed; for an answer that lists commands
    (a flatten), the accounts they act on (acted_on; name: id -> the account as riskd names
    it). who: the session's role and user (acting_who says whose act it is)."""
    fields = request_fields(request)
    who = acting_who(role, who, request)

    def wrapper(reply) -> None:
        extra = dict(fields)
        accounts = acted_on(reply, name)
        if accounts:
            extra["accounts"] = accounts
        changes = getattr(reply.body, "changes", None)
        if changes:
            extra["changes"] = "; ".join(changes)
        outcome = outcome_of(reply)
        asking = getattr(request, "asking", "")
        if asking:      # how the admin answered an edit that asks first (shared/editasking.py)
            outcome = editasking.audit_outcome(asking, reply.code, outcome,
                                               bool(getattr(request, "confirmed", False)))
        record(action, role, outcome, who=who, **extra)
        respond(reply)
    return wrapper


# -- changes that arrived by editing the file --------------------------------------------------

def access_changes(old, new) -> list[str]:
    """What changed in the admin boundary between two configs: the admin and ops password
    hashes and every [admin] setting (pure; the values of secrets are never named)."""
    out = []
    for role in ("admin", "ops"):
        a, b = getattr(old, role), getattr(new, role)
        if a.password_hash != b.password_hash:
            out.append(f"{role} password " + ("removed" if not b.password_hash else
                                              "set" if not a.password_hash else "changed"))
        for f in attrs.fields(type(a)):
            if f.name == "password_hash":
                continue
            if getattr(a, f.name) != getattr(b, f.name):
                out.append(f"[{role}] {f.name} changed: {human_value(getattr(a, f.name))} -> "
                           f"{human_value(getattr(b, f.name))}")
    return out


def file_edit_values(changes: list[str], path: str, waiting: frozenset = frozenset(),
                     roll: str = "", own_line: frozenset = frozenset()) -> None:
    """Audit every other value a file edit changed ("KEY: OLD -> NEW", secrets masked by
    config_changes): who raised a loss limit by editing the file is on record too (trial15b:
    only passwords and [admin]/[ops] edits were), without the critical alert those get.
    waiting: the changes that are loosenings risk keeps waiting until the roll (at `roll`),
    said so as `rules set` says it, not "applied" (trial 16b: a hand-edited limit 180 -> 400
    read "applied:" while riskd kept 180). own_line: the drawdown_guard lines set or removed
    where the other side had none, which risk judges against its own line (its alert says
    which way: shared/config/changewords.by_own_line)."""
    for change in changes:
        if change in own_line:
            at = f" at {roll}" if roll else ""
            outcome = (f"saved; judged by riskd against its own drawdown line (high-water mark "
                       f"- max_loss): in force now if higher, else it waits for the roll{at} "
                       f"(riskd's rule-change alert says which): {change} (a file edit, not "
                       f"through riskctl)")
        elif change in waiting:
            at = f" at {roll}" if roll else ""
            outcome = (f"saved; waits for the roll{at} (a loosening: riskd keeps the old value "
                       f"until then; `riskctl rules override` applies it now): {change} (a "
                       f"file edit, not through riskctl)")
        else:
            outcome = f"applied: {change} (a file edit, not through riskctl)"
        record("config file edit", "admin", outcome, who="file edit", file=path,
               changes=change)


def file_edit_changes(changes: list[str], path: str, when: str = "") -> list[str]:
    """Audit each access change that reached riskd by a file edit, not an authenticated command;
    returns the sentences (for the alert). when: " while riskd was stopped" for one found at
    riskd's start (shared/accessprint.py)."""
    said = [f"{c} by a file edit{when}, not through riskctl" for c in changes]
    for sentence in said:
        record("config file edit", "admin", f"applied: {sentence}", who="file edit",
               file=path, changes=sentence)
    return said
