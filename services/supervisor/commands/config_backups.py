"""`riskctl config backups`: the config riskd runs (last-run), then the file's backups, newest
first, each with the edit it is the file before (shared/config/lastrun.py, edit.Backup.note)."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import backup_dir
from shared.config import lastrun
from shared.messages.config import ConfigBackups, ConfigBackupsRequest
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    folder = backup_dir(sup)
    respond(ok(ConfigBackups(folder=folder, backups=lastrun.listing(
        sup.loaded.path, folder, lastrun.RUNS_NOW))))


COMMAND = Command(ConfigBackupsRequest, "ops", execute)
