"""Offline config edits (`--offline`): only while riskd is stopped, proven by its instance lock.

riskd holds an OS lock on <data_dir>/riskd.lock for its whole life (shared/instancelock.py).
An offline edit takes the same lock for the time of the edit: while riskd runs the lock is
refused and so is the edit (an edit of a running riskd's file would bypass its admin
session and its audit trail), and a riskd started during the edit refuses to start until the
edit is written. The data dir comes from the config; a config that does not validate is read
leniently for [paths].data_dir (an offline edit is how a broken file gets fixed).

Every offline edit leaves its line in the audit trail, still under the lock (no logging worker
writes then): who (the OS user, "offline:ana"), what (the action, the file, the values changed
with secrets masked, never a password or its hash); `riskctl audit show` lists it and riskd's
logging worker continues the hash chain from it on its next start. It also keeps the admin
boundary it wrote (shared/accessprint.py), so riskd's next start does not report an audited
password change again as a file edit made while riskd was stopped.
"""
from __future__ import annotations

import logging
import os
import sys
import time

from cli import configfile
from cli.session import os_user
from shared import accessprint, auditchain, shards
from shared.messages.logs import LogRecord, line_fields
from cli.errors import EXIT_AUTH, CliError
from shared.config.access import first_admin_password_steps
from shared.config.edit import EditError, default_backup_dir, list_backups
from shared.config.errors import ConfigError
from shared.config.refusedwords import refused_reason
from shared.config.load import load_config
from shared.instancelock import AlreadyRunning, InstanceLock


def data_dir_of(config_path: str) -> tuple[str, bool]:
    """(the data dir the config names, whether the config validated)."""
    try:
        return load_config(config_path).data_dir, True
    except ConfigError:
        return configfile.folders(config_path)[0], False


def backup_folder(config_path: str) -> tuple[str, str]:
    """(where the config's backups are, a note when the file does not validate). riskd keeps
    them in <data_dir>/config-backups; a file that does not validate has its [paths].data_dir
    read leniently (cli/configfile.py: every line that still reads), so the backups are found
    exactly when a broken file needs one (trial 15b: `config restore STAMP --offline` looked
    beside the file and said "backups: none" while var/config-backups held ten). A folder
    beside the file is used only when it alone holds backups of this file."""
    data_dir, valid = data_dir_of(config_path)
    folder = default_backup_dir(config_path, data_dir)
    if valid:
        return folder, ""
    beside = default_backup_dir(config_path)
    if not list_backups(config_path, folder) and list_backups(config_path, beside):
        folder = beside
    return folder, (f"the file does not validate: its data dir ({data_dir}) was read from the "
                    f"lines of [paths] that still read")


def admin_password_set(config_path: str) -> bool:
    """Does the file hold an admin password hash? (read leniently: it may be invalid)"""
    try:
        admin = configfile.tables(config_path).get("admin")
    except OSError:
        return True              # cannot tell: give the usual advice
    return bool(isinstance(admin, dict) and admin.get("password_hash"))


def refusal(exc: AlreadyRunning, admin_set: bool = True) -> str:
    pid = exc.pid if exc.pid is not None else "unknown"
    running = (f"riskd is running (pid {pid}, data dir {exc.data_dir}): --offline edits only a "
               f"stopped riskd's file. ")
    if not admin_set:        # nobody can log in as admin yet: the online path does not exist
        return running + "No admin password is set, so " + first_admin_password_steps()
    return (running + "Log in (riskctl login --role admin) and run the same "
            "command without --offline; riskd validates, backs up, audits and applies it. "
            "See docs/operations.md")


def audit_fields(action: str, result, now_ns: int, reason: str = "", said: str = "",
                 **more) -> dict:
    """The audit line of an offline edit, in the shape the supervisor's audit records have
    (services/supervisor/audit.py): who, action, role, file, changes (secrets masked), result,
    the reason given (`accounts enable ... --reason`); said: a line the result adds (a
    restore's "confirmed by the admin ..."); more: the command's own fields (a restore's
    stamp)."""
    who = f"offline:{os_user() or 'unknown user'}"
    outcome = f"ok: saved {result.path} while riskd was stopped (--offline)" + (
        f"; {said}" if said else "")
    fields = {"audit": True, "action": f"{action} (offline)", "role": "admin", "who": who,
              "outcome": outcome, "result": outcome, **more, "file": result.path}
    if result.changes:
        fields["changes"] = "; ".join(result.changes)
    if reason:
        fields["reason"] = reason
    return line_fields(LogRecord(
        ts_ns=now_ns, level="INFO", levelno=logging.INFO, process="riskctl", pid=os.getpid(),
        logger="riskd.audit", message=f"{fields['action']} by {who} (admin): {outcome}",
        fields=fields))


def keep_access(data_dir: str, config_path: str) -> None:
    """An audited offline edit's password or [admin]/[ops] change is on record: riskd's next
    start does not report it again as a file edit (shared/accessprint.py). Only where a riskd
    has kept one: a first riskd compares nothing."""
    if accessprint.read(data_dir) is None:
        return
    try:
        accessprint.write(data_dir, accessprint.of(load_config(config_path).config))
    except ConfigError:
        pass


def take_lock(ctx) -> InstanceLock:
    """riskd's instance lock on the config's data dir, or the refusal (exit 3) when riskd
    runs."""
    data_dir, _valid = data_dir_of(ctx.config_path)
    lock = InstanceLock(data_dir)
    try:
        return lock.acquire()
    except AlreadyRunning as exc:
        raise CliError(refusal(exc, admin_password_set(ctx.config_path)), EXIT_AUTH) from None
    except OSError as exc:
        raise CliError(f"cannot check whether riskd is running (lock in {data_dir}): "
                       f"{exc.strerror or exc}") from None


def refuse_while_running(ctx) -> None:
    """The refusal offline_edit would give, said before anything is asked of the user (a
    password read, then checked: trial16c got "must have at least 8 characters" first, and
    only on a second try learned riskd was running and the edit could not be done offline)."""
    take_lock(ctx).release()


def offline_edit(ctx, edit, action: str = "config edit", reason: str = "",
                 lines=None, said=None, refused=None, **fields) -> int:
    """Run edit(path, backup_dir) -> EditResult on the file itself, holding riskd's lock, and
    audit it (action: what the audit trail calls it, e.g. "passwd admin"; fields: its own,
    e.g. a restore's stamp). refused: (shown, rule, param, value) of a rule edit, whose value
    refused is said as the edit's (shared/config/refusedwords.py). lines(changes) -> the lines the answer adds about the edit's
    changes (a restore lists them). said() -> a line the audit's result adds, asked once the
    edit is done (a restore's "confirmed by the admin ...")."""
    backups, _note = backup_folder(ctx.config_path)
    data_dir = data_dir_of(ctx.config_path)[0]        # the locked one: riskd's record is there
    lock = take_lock(ctx)
    unaudited = ""
    log_dir = configfile.folders(ctx.config_path)[1]      # where the audit lives now
    shards_before = configfile.configured_shards(ctx.config_path)
    try:
        result = edit(ctx.config_path, backups)
        keep_access(data_dir, ctx.config_path)
        try:
            auditchain.append_line(log_dir, audit_fields(action, result, time.time_ns(), reason,
                                                         said() if said else "", **fields))
        except OSError as exc:
            unaudited = exc.strerror or str(exc)
    except ConfigError as exc:
        if refused is not None:
            raise CliError(refused_reason(*refused, exc)) from None
        raise CliError("the edit was refused, the file is unchanged:\n" + exc.render()) from None
    except EditError as exc:
        raise CliError(str(exc)) from None
    finally:
        lock.release()
    if unaudited:
        print(f"warning: the edit is saved but is not in the audit log: {unaudited}",
              file=sys.stderr)
    print(f"saved {result.path}" + (f" (previous file: {result.backup})" if result.backup
                                    else ""))
    if lines is not None:
        print("\n".join(lines(result.changes)))
    for w in result.warnings:
        print(f"  {w}")        # a Problem says "warning:" itself (trial16g: it was twice)
    shards_after = configfile.configured_shards(ctx.config_path)
    if shards_after != shards_before:   # what riskd's start will do with it (trial 16c)
        note = shards.edit_words(configfile.folders(ctx.config_path)[0], shards_after)
        if note:
            print(f"  {note}")
    return 0
