"""`riskctl config restore STAMP`: put a backup back (validated like any edit), applied live."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import run_edit
from shared.config.edit import restore_backup
from shared.messages.config import ConfigRestore


def execute(sup, request, respond) -> None:
    run_edit(sup, respond, f"restore {request.stamp}",
             lambda path, backups: restore_backup(path, request.stamp, backups))


COMMAND = Command(ConfigRestore, "admin", execute)
