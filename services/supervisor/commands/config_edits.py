"""The one path of every config edit in the supervisor: run it, then apply the new file live.

Not a command itself: config_set, config_restore, rules_set and rules_enable call
run_edit(). Edits are admin commands (the role check lives in services/supervisor/auth.py).
"""
from __future__ import annotations

from typing import Callable

from shared.config.edit import EditError, EditResult, default_backup_dir
from shared.config.errors import ConfigError
from shared.messages.config import ConfigEdited
from shared.messages.system import error, ok


def is_rule_key(key: str) -> bool:
    """A key inside a rules table (profiles.P.rules.R.X, accounts[0].rules.R.X)."""
    return ".rules." in f".{key}" or key.startswith("rules.")


def backup_dir(sup) -> str:
    return default_backup_dir(sup.loaded.path, sup.loaded.data_dir)


def mark_seen(sup, digest: str) -> None:
    """Tell the file watcher this content is handled, so it does not reload it a second time."""
    watcher = getattr(sup, "config_watcher", None)
    if watcher is not None and digest:
        watcher.mark_seen(digest)


def run_edit(sup, respond, key: str, edit: Callable[[str, str], EditResult]) -> None:
    """edit(path, backup_dir) -> EditResult; answer ConfigEdited once the reload is done."""
    try:
        result = edit(sup.loaded.path, backup_dir(sup))
    except ConfigError as exc:
        respond(error("config_invalid", "the edit was refused, the file is unchanged:\n"
                      + exc.render()))
        return
    except EditError as exc:
        respond(error("bad_edit", str(exc)))
        return
    except OSError as exc:
        respond(error("io_error", f"cannot write {sup.loaded.path}: {exc}"))
        return
    mark_seen(sup, result.digest)
    reloaded = sup.reload_config(reason=f"edit: {key}", authenticated=True)
    changed = reloaded.body
    restart = list(getattr(changed, "restart_needed", []) or [])
    body = ConfigEdited(path=result.path, key=key, backup=result.backup, digest=result.digest,
                        applied=reloaded.ok, restart_needed=restart,
                        warnings=[str(w) for w in result.warnings],
                        changes=list(result.changes))
    note = "applied live" if reloaded.ok else f"written but not applied: {reloaded.reason}"
    if reloaded.ok and is_rule_key(key):
        # risk applies a tightening now and keeps a loosening waiting for the roll (or an
        # admin override): the audit and the reply never claim a loosening is live
        note = "riskd took it; a tightening applies now, a loosening waits for the trading-day roll"
    if restart:
        note += "; needs a restart to take effect: " + ", ".join(restart)
    respond(ok(body, reason=f"{key}: saved ({note})"))
