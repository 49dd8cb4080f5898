"""Check, show and edit riskd's config: validate, show, set, reload, backups, restore.

  riskctl config validate [FILE]   check a file locally (no riskd needed); exit 1 on problems
  riskctl config show [--json]     [ops] the running config, secrets masked
  riskctl config set KEY VALUE     [admin] e.g. profiles.default.rules.max_contracts.limit 3
  riskctl config set KEY --value-stdin | --value-env VAR   [admin] a secret (bot_token,
                                   webhook_url, api_key): never on the command line
  riskctl config reload [--reason TEXT]   [ops] re-read the file now (an invalid file changes
                                   nothing)
  riskctl config backups           [ops] first the config riskd runs (or last ran: STAMP
                                   last-run), then the backups kept before each edit (the
                                   last 10), each with the edit it is the file before;
                                   --offline lists them with riskd stopped, even when the
                                   file is invalid (riskd refuses to start on it)
  riskctl config restore STAMP     [admin] put a backup back (validated like any edit), or
                                   `last-run`, the config riskd runs or last ran; it says
                                   what it changes by key; one that removes or changes a
                                   password asks first (--yes)

Edits go through the running riskd, which validates the whole new file before it replaces
the old one, keeps a backup (owner-only, 0600) and applies the change live. With --offline
(only while riskd is stopped: riskctl checks riskd's instance lock) the file is edited the
same way directly. An edit riskd would act on at once (a rule tightened past what an account
holds now: flatten, reduce, close, lock out) asks "Apply anyway? [y/N]" first and is not saved
until confirmed (--yes applies directly; docs/rules.md). Roles, backups and the file's
protection: docs/operations.md.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Optional

import tomlkit

from cli import configfile
from cli import session as session_cache
from cli.commands.stop import confirm
from cli.confirmedit import LEFT, YES_HELP, add_yes, send_edit
from cli.errors import EXIT_USAGE, CliError, NotRunning
from cli.offline import backup_folder, offline_edit
from cli.table import render_table
from shared import editasking, showtime
from shared.config import lastrun, rollmove
from shared.config.edit import (EditError, config_changes, is_secret_key, restore_backup,
                                set_config_value, stamp_ns)
from shared.config.errors import ConfigError
from shared.config.restorewords import login_warning, restore_lines
from shared.config.load import load_config
from shared.messages.config import (ConfigBackupsRequest, ConfigReload, ConfigRestore,
                                    ConfigSet, ConfigShow)
from shared.plural import plural

NAME = "config"
EDIT_TIMEOUT = 10.0       # an edit answers after riskd has re-read and applied the file


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("validate", help="check a config file (local; exit 1 on problems)")
    p.add_argument("file", nargs="?", help="the file (default: --config)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p = sub.add_parser("show", help="the running config, secrets masked")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p = sub.add_parser("set", help="set KEY to VALUE, read as the setting's declared type "
                                   "(a number, true/false, a list: TOML syntax; text is a "
                                   "string); docs/operations.md",
                       description=SET_DESCRIPTION)
    p.add_argument("key", help="the setting, dotted: trading_day.roll, bus.market_pub, "
                               "broker.sim.accounts")
    p.add_argument("value", nargs="?", help=SET_VALUE_HELP)
    p.add_argument("--value-stdin", action="store_true",
                   help="read the value from the first line of stdin")
    p.add_argument("--value-env", metavar="VAR", help="take the value from environment "
                                                      "variable VAR")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    add_yes(p)
    add_offline(p)
    p = sub.add_parser("reload", help="re-read the config file now")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    p = sub.add_parser("backups", help="list the config riskd runs (last-run) and the "
                                       "backups, newest first")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    add_offline(p)
    p = sub.add_parser("restore", help="restore the backup with this STAMP, or last-run: the "
                                       "config riskd runs or last ran (asks first when it "
                                       "removes or changes a password: docs/operations.md, "
                                       "Backups)")
    p.add_argument("stamp")
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    add_yes(p, RESTORE_YES)
    add_offline(p)


SET_DESCRIPTION = ("Set one key of the config file, validated and applied live (or saying "
                   "which restart it needs); docs/operations.md.")
# trial 21b: `config set trading_day.roll '"06:16"'` was refused ("expected a time as HH:MM")
# while lists took TOML (`broker.sim.accounts '[{id = 1001, ...}]'`); the help said neither
SET_VALUE_HELP = ("the value, read as the setting's type: text bare, without TOML quotes "
                  "(trading_day.roll 06:16, not '\"06:16\"'); a number or true/false bare; "
                  "a list or table in TOML syntax, quoted for the shell "
                  "('[\"CL\", \"GC\"]', '[{id = 1001, name = \"A\"}]'). A secret: use "
                  "--value-stdin or --value-env, never the command line")


RESTORE_YES = (YES_HELP + "; also when the backup removes or changes the admin or ops "
               "password (who can log in)")


def add_offline(parser) -> None:
    parser.add_argument("--offline", action="store_true",
                        help="edit the file directly (only while riskd is not running)")


def run(args, ctx) -> int:
    return ACTIONS[args.action](args, ctx)


# -- local --------------------------------------------------------------------------------------

def validate(args, ctx) -> int:
    path = args.file or ctx.config_path
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        if ctx.json:
            ctx.print_json({"ok": False, "file": exc.file, "problems": [
                {"path": p.path, "message": p.message, "severity": p.severity}
                for p in exc.problems]})
        else:
            print(exc.render())
        return 1
    if ctx.json:
        ctx.print_json({"ok": True, "file": loaded.path, "problems": [
            {"path": p.path, "message": p.message, "severity": p.severity}
            for p in loaded.warnings]})
    else:
        print(f"{loaded.path}: ok" + (f", {plural(len(loaded.warnings), 'warning')}"
                                      if loaded.warnings else ""))
        for w in loaded.warnings:
            print(f"  {loaded.path}: {w}")
    return 0


def print_edited(ctx, reply) -> int:
    body = reply.body
    if ctx.json:
        ctx.print_json({"status": reply.status, "reason": reply.reason, "edit": body})
        return 0
    print(reply.reason)
    if body is not None and str(body.key).startswith("restore "):
        print("\n".join(restore_lines(body.changes)))    # as the audit trail lists them
    if body is not None and body.backup:
        print(f"  previous file kept as {body.backup}")
    for w in getattr(body, "warnings", []) or []:
        print(f"  {w}")
    return 0


# -- through riskd ------------------------------------------------------------------------------

def show(args, ctx) -> int:
    view = ctx.request(ConfigShow()).body
    if ctx.json:
        ctx.print_json({"path": view.path, "digest": view.digest, "generation": view.generation,
                        "config": tomlkit.parse(view.toml).unwrap(), "warnings": view.warnings})
    else:
        print(f"# {view.path} (running; secrets masked; reloads applied: {view.generation})")
        for w in view.warnings:
            print(f"# {w}")
        sys.stdout.write(view.toml)
    return 0


def value_of(args) -> str:
    """The value to set: the argument, one line of stdin, or an environment variable. A secret
    key refuses the argument form: a command line is visible to every user (ps, history)."""
    given = [w for w, on in (("VALUE", args.value is not None), ("--value-stdin",
             args.value_stdin), ("--value-env", args.value_env)) if on]
    if len(given) != 1:
        raise CliError(f"expected exactly one of VALUE, --value-stdin, --value-env; got "
                       f"{', '.join(given) or 'none'}", EXIT_USAGE)
    if args.value is not None:
        if is_secret_key(args.key):
            raise CliError(f"{args.key} is a secret: it must not be typed on the command line "
                           f"(other users and the shell history see it); use --value-stdin "
                           f"or --value-env VAR", EXIT_USAGE)
        return args.value
    if args.value_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value = os.environ.get(args.value_env)
    if value is None:
        raise CliError(f"environment variable {args.value_env} is not set", EXIT_USAGE)
    return value


def set_value(args, ctx) -> int:
    value = value_of(args)
    if args.offline:
        refused = offline_port_refusal(ctx.config_path, args.key, value)
        if refused:
            raise CliError(f"{args.key}: not saved: {refused}")
        if rollmove.is_calendar_key(args.key):   # from the next roll, as a running riskd does
            return offline_edit(ctx, lambda path, backups: rollmove.set_roll(
                path, value, running_calendar(path), time.time_ns(), backups, key=args.key))
        return offline_edit(ctx, lambda path, backups: set_config_value(
            path, args.key, value, backups))
    # an edit riskd would act on at once (flatten, reduce, lock out) asks first (--yes: apply)
    reply = send_edit(ctx, ConfigSet(key=args.key, value=value, reason=args.reason),
                      args.yes, EDIT_TIMEOUT)
    return 1 if reply is None else print_edited(ctx, reply)


def running_calendar(path: str):
    """The trading calendar the file holds now (a roll edit keeps its day in progress)."""
    return load_config(path).config.trading_day.calendar(os.path.dirname(os.path.abspath(path)))


def offline_port_refusal(path: str, key: str, value: str) -> str:
    """A port set with riskd stopped is checked as riskd's start would check it
    (services/supervisor/portcheck.py): the file's present ports are this riskd's own (free,
    or held by workers its last run left, which its start ends), any other is tried."""
    from services.supervisor import portcheck
    try:
        before = load_config(path).config
    except (ConfigError, OSError):
        before = None
    return portcheck.edit_refusal(
        path, lambda: set_config_value(path, key, value, "", dry_run=True), before,
        portcheck.workers_of(before) if before is not None else ())


def reload(args, ctx) -> int:
    """An ops command: a refusal (no session) exits 3 like every other; an invalid file
    answers config_invalid (exit 1) with every problem."""
    reply = ctx.request(ConfigReload(reason=args.reason.strip() or "riskctl config reload"),
                        timeout=EDIT_TIMEOUT,
                        retries=0, tolerate=("config_invalid",))
    print(reply.reason)
    return 0 if reply.ok else 1


def backups(args, ctx) -> int:
    note = ""
    if args.offline:        # the same folder an offline restore takes them from
        folder, note = backup_folder(ctx.config_path)
        rows = lastrun.listing(ctx.config_path, folder, lastrun.RAN_LAST)
    else:
        try:
            table = ctx.request(ConfigBackupsRequest()).body
        except NotRunning as exc:       # trial 15b: "start riskd again" while it refused to
            raise NotRunning(f"{exc}. With riskd stopped: `riskctl config backups --offline` "
                             f"lists them, `riskctl config restore STAMP --offline` puts one "
                             f"back (also when riskd refuses to start on an invalid file)",
                             exc.short) from None
        folder, rows = table.folder, table.backups
    if ctx.json:        # the config riskd runs apart: "backups" stays the backups, newest first
        shown = [{"stamp": b.stamp, "size": b.size, "what": b.note} for b in rows]
        ran = [r for r in shown if r["stamp"] == lastrun.STAMP]
        ctx.print_json({"folder": folder, "last_run": ran[0] if ran else None,
                        "backups": [r for r in shown if r["stamp"] != lastrun.STAMP]}
                       | ({"note": note} if note else {}))
    else:
        print(f"# {folder}" + (f" ({note})" if note else ""))
        print(render_table(("saved", "stamp (for config restore)", "what it is", "bytes"),
                           backup_rows(rows, configfile.display_zone(ctx.config_path)))
              if rows else "no backups yet")
    return 0


def backup_rows(rows, tz, now_ns: Optional[int] = None) -> list[tuple]:
    """(when it was saved, in the display zone as every screen shows a time that happened:
    shared/showtime.py; the stamp `config restore` takes; what it is: the config riskd runs
    or last ran, or the edit a backup is the file before; bytes). Trial 2026-12-05: only the
    raw stamp '20261205T213103246192Z'; trial 15c: a backup read as the config riskd ran."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    out = []
    for b in rows:
        ns = b.saved_ns or stamp_ns(b.stamp)
        out.append((showtime.at(ns, tz, now_ns, seconds=True) if ns is not None else "?",
                    b.stamp, b.note or "the file before an edit", b.size))
    return out


def restore(args, ctx) -> int:
    if args.offline:
        return offline_restore(args, ctx)
    # a backup riskd would act on at once (flatten, reduce, lock out) asks first (--yes: apply)
    reply = send_edit(ctx, ConfigRestore(stamp=args.stamp, reason=args.reason), args.yes,
                      EDIT_TIMEOUT)
    return 1 if reply is None else print_edited(ctx, reply)


def offline_restore(args, ctx) -> int:
    """`config restore STAMP --offline`: asks first, as riskd does online (services/supervisor/
    commands/config_restore.py), when the backup removes or changes a password (who can log
    in); without a terminal refused unless --yes. Trial 16b: it put an older admin password
    back with no question and exited 0. Asked under riskd's lock (offline_edit), so the file
    asked about is the file written. Audited as a restore, with its stamp and --reason (it was
    "config edit (offline)" with neither)."""
    confirmed: list[str] = []

    def edit(path, backups):
        candidate = restore_backup(path, args.stamp, backups, dry_run=True)
        with open(path, encoding="utf-8") as fh:
            now = fh.read()
        # every change, not the answer's first 20: a password among many must still be seen
        question, line = login_warning(config_changes(now, candidate.text, limit=1_000_000))
        if question:
            asked = f"restore {args.stamp}: not saved: {question}"
            if not args.yes and not session_cache.interactive():
                raise EditError(f"{asked}\nRe-run with --yes to apply it anyway.")
            if not args.yes and not confirm(f"{asked}\nApply anyway?"):
                raise EditError(LEFT)
            how = editasking.HOW_CONFIRMED[editasking.YES if args.yes else editasking.PROMPT]
            confirmed.append(how + line[len(editasking.CONFIRMED_WORDS):])
        return restore_backup(path, args.stamp, backups)

    return offline_edit(ctx, edit, action="config restore", reason=args.reason,
                        lines=lambda changes: restore_lines(changes)
                        + [f"  {c}" for c in confirmed],
                        said=lambda: "; ".join(confirmed), stamp=args.stamp)


ACTIONS = {"validate": validate, "show": show, "set": set_value, "reload": reload,
           "backups": backups, "restore": restore}
