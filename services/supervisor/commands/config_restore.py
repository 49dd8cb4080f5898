"""`riskctl config restore STAMP`: put a backup back (validated like any edit), applied live;
one that would make risk act at once (a stricter backup over what an account holds) asks first
(rule_confirm.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import changed_note, run_edit
from shared.config.edit import restore_backup
from shared.messages.config import ConfigRestore


def execute(sup, request, respond) -> None:
    run_edit(sup, respond, f"restore {request.stamp}",
             lambda path, backups, **kw: restore_backup(path, request.stamp, backups, **kw),
             note=changed_note(sup, request.reason),
             confirmed=request.confirmed)   # risk would act at once: ask (rule_confirm.py)


COMMAND = Command(ConfigRestore, "admin", execute)
