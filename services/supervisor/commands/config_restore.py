"""`riskctl config restore STAMP`: put a backup back (validated like any edit), applied live;
one that would make risk act at once (a stricter backup over what an account holds) asks first
(rule_confirm.py), and so does one that removes or changes a password, which changes who can
log in (trial 14b: the backup `passwd admin --offline` made, with no password in it, removed
the admin password of a running riskd with no question, leaving no admin login)."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import (backup_dir, changed_note,
                                                      moves_control, run_edit)
from shared.config.edit import EditError, config_changes, restore_backup
from shared.config.errors import ConfigError
from shared.config.restorewords import login_warning
from shared.messages.config import ConfigRestore
from shared.messages.system import error


def execute(sup, request, respond) -> None:
    def edit(path, backups, **kw):
        return restore_backup(path, request.stamp, backups, **kw)
    moved = moves_control(sup, edit)
    if moved:
        respond(error("refused", f"restore {request.stamp}: {moved}"))
        return
    run_edit(sup, respond, f"restore {request.stamp}", edit,
             note=changed_note(sup, request.reason),
             confirmed=request.confirmed,   # risk would act at once: ask (rule_confirm.py)
             warn=logins_changed(sup, edit))


def logins_changed(sup, edit) -> tuple[str, str]:
    """(question, confirmed line) when the backup removes or changes a password; ('', '')
    when it does not, or cannot be read (the edit itself then says why)."""
    try:
        candidate = edit(sup.loaded.path, backup_dir(sup), dry_run=True)
        with open(sup.loaded.path, encoding="utf-8") as fh:
            now = fh.read()
    except (ConfigError, EditError, OSError):
        return "", ""
    # every change, not the answer's first 20: a password among many must still be seen
    return login_warning(config_changes(now, candidate.text, limit=1_000_000))


COMMAND = Command(ConfigRestore, "admin", execute)
