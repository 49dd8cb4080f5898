"""The audit trail: show who did what and why, and verify its hash chain.

  riskctl audit show [-n N] [--json]   the last N actions: time, who, action (the command as
                                       typed: "rules set"; a line an older riskd wrote as
                                       "RulesSet" reads the same), what (account, rule,
                                       parameter, old -> new), reason, result
  riskctl audit verify [--json]        walk audit.log's hash chain (exit 1 if broken)

Every audit line carries the hash of the line before it and of itself, across rotated
files and restarts; an edited, removed or reordered line breaks the chain. The first
broken line is named by its number over the whole chain (oldest file first) and by
file and line. Times are in the display zone (docs/operations.md, Times and time zones).
"""
from __future__ import annotations

import json
import os
import re

from cli import configfile
from cli.accountnames import file_called
from cli.commands._risk_view import fmt_time
from cli.fitted import fitted, width
from shared import auditchain
from shared.clock import parse_iso_ns
from shared.commandwords import typed
from shared.plural import plural

NAME = "audit"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("show", help="the last actions: who, what, old -> new, why, result")
    p.add_argument("-n", type=int, default=20, help="how many (default 20)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p = sub.add_parser("verify", help="check the audit log's hash chain")
    p.add_argument("--json", action="store_true", help="print one JSON document")


# the fields that say what an action was about, in the order they are shown
WHAT = ("login_as", "account", "symbol", "worker", "target", "rule", "param", "key", "value",
        "enabled", "now", "stamp", "channel", "file", "all_accounts", "accounts", "until_ns",
        "session")
# shown when false too: `accounts disable` reads "enabled=false" as `accounts enable` reads
# "enabled=true" (trial 2026-12-06: the disable's row said only the account)
SAID_FALSE = frozenset({"enabled"})
HIDDEN = frozenset({"audit", "action", "role", "needs", "outcome", "result", "who", "reason", "changes",
                    "prev", "hash", "time", "ts", "level", "logger", "process", "pid", "msg",
                    "message", "seq", "kind", "by"})


# the fields that name an account as the person typed it (an id, broker name or display name)
ACCOUNT_FIELDS = frozenset({"account", "target"})
ACCOUNT_PREFIX = "account:"          # a target that says it is an account ("account:1001")


def account_shown(value, name) -> str:
    """An account field as riskd names the account (`name`: cli/accountnames.file_called):
    'Demo 2 (strict, id 1002)' for 1002 (fresh-user trial 2026-12-06: "account=1002" and
    "target=1001"); a profile target ('profile:default') and an unknown ref stay as typed."""
    text = str(value)
    if text.startswith(ACCOUNT_PREFIX):
        return name(text[len(ACCOUNT_PREFIX):])
    return text if ":" in text else name(text)


def shown(key: str, value, tz=None, name=None) -> str:
    """key=value for people: a time (until_ns) in the display zone `tz` (an end rounded up as
    the answer showed it, shared/showtime.py), an account as riskd names it (name: ref ->
    'Demo 1 (id 1001)'), true/false, lists joined -- never a nanosecond count or a Python
    repr."""
    if key in ACCOUNT_FIELDS and name is not None and isinstance(value, (str, int)) \
            and not isinstance(value, bool):
        return f"{key}={account_shown(value, name)}"
    if key.endswith("_ns") and isinstance(value, int):      # an end (until) rounds up, as
        return f"{key[:-3]}={fmt_time(value, tz, relative=False, end=key.startswith('until'))}"
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, (list, tuple)):
        return f"{key}={', '.join(str(v) for v in value)}"
    return f"{key}={value}"


def when_of(rec: dict, tz=None) -> str:
    """The record's time in the display zone (the log line's own text when it is not a time)."""
    raw = str(rec.get("time", rec.get("ts", "")))
    try:
        return fmt_time(parse_iso_ns(raw), tz, relative=False)
    except ValueError:
        return raw[:19]


def what_of(rec: dict, tz=None, name=None) -> str:
    """The object of an action, then its changes (old -> new); name: ref -> the account as
    riskd names it (file_called)."""
    parts = [shown(k, rec[k], tz, name) for k in WHAT
             if rec.get(k) not in (None, "", False) or (k in SAID_FALSE and rec.get(k) is False)]
    parts += [shown(k, v, tz) for k, v in rec.items()
              if k not in HIDDEN and k not in WHAT and v not in (None, "", False)
              and k.startswith("request_")]
    changes = rec.get("changes")
    if changes:
        parts.append("; ".join(map(str, changes)) if isinstance(changes, (list, tuple))
                     else str(changes))
    return " ".join(parts) or "-"


_CODE = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+): ")     # "config_invalid: "
WORDS_OF = {"ok": "", "refused": "refused: "}
# the one-word error codes riskd answers with (shared/messages/system.py error()); any other
# one word before ': ' is a word of the sentence ("applied: ...", a file edit's result: the
# trial read "not done: [admin] session_minutes changed" for an edit that took effect)
ONE_WORD_CODES = frozenset({"internal", "unreachable", "timeout", "unreadable", "denied",
                            "forbidden", "unknown", "invalid", "failed", "error"})


def result_text(result) -> str:
    """RESULT in words: the audit file keeps riskd's 'code: reason' ('config_invalid: the edit
    was refused ...'); the screen says 'not done: the edit was refused ...' (trial 2026-12-05;
    machine codes show only with --json, docs/operations.md). 'ok' and 'ok: reason' read as
    they are, a login's 'refused: ...' too."""
    text = str(result or "")
    m = _CODE.match(text)
    if m is None or m.group(1) == "ok":
        return text
    if "_" not in m.group(1) and m.group(1) not in WORDS_OF and m.group(1) not in ONE_WORD_CODES:
        return text
    return WORDS_OF.get(m.group(1), "not done: ") + text[m.end():]


def show(args, ctx, log_dir: str) -> int:
    lines = []
    for path in auditchain.audit_files(log_dir):
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines += [ln for ln in fh if ln.strip()]
    records = []
    for raw in lines[-max(0, args.n):] if args.n else []:
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if isinstance(rec, dict):
            records.append(rec)
    if ctx.json:
        ctx.print_json({"records": records})
        return 0
    if not records:
        print(f"no audit records yet in {log_dir}")
        return 0
    tz = configfile.display_zone(ctx.config_path)
    name = file_called(ctx.config_path)
    # fitted as `riskctl history` is: a row too wide becomes a block (fresh-user trial: lines
    # of 588 characters with COLUMNS=100 or piped)
    print(fitted(("time", "who", "action", "what", "reason", "result"), [
        (when_of(r, tz), r.get("who", ""), typed(str(r.get("action", "")), r),
         what_of(r, tz, name), r.get("reason", "") or "-",
         result_text(r.get("result", r.get("outcome", ""))))
        for r in records], width()))
    return 0


def run(args, ctx) -> int:
    _data_dir, log_dir = configfile.folders(ctx.config_path)
    if args.action == "show":
        return show(args, ctx, log_dir)
    files = auditchain.audit_files(log_dir)
    verdict = auditchain.verify_files(files)
    if ctx.json:
        ctx.print_json({"ok": verdict.ok, "lines": verdict.lines, "files": files,
                        "broken_line": verdict.broken_line, "file": verdict.file,
                        "file_line": verdict.file_line, "reason": verdict.reason})
    elif not files:
        print(f"no audit log yet in {log_dir}")
    elif verdict.ok:
        print(f"audit chain ok: {plural(verdict.lines, 'line')} in {plural(len(files), 'file')}")
    else:
        print(f"audit chain BROKEN at line {verdict.broken_line} "
              f"({os.path.basename(verdict.file)} line {verdict.file_line}): {verdict.reason}")
    return 0 if verdict.ok else 1
