"""`riskctl config backups`: the config file's backups, newest first."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import backup_dir
from shared.config.edit import list_backups
from shared.messages.config import BackupInfo, ConfigBackups, ConfigBackupsRequest
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    folder = backup_dir(sup)
    respond(ok(ConfigBackups(folder=folder, backups=[
        BackupInfo(stamp=b.stamp, size=b.size) for b in list_backups(sup.loaded.path, folder)])))


COMMAND = Command(ConfigBackupsRequest, "ops", execute)
