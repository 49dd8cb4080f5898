"""`riskctl config reload`: re-read the file now; an invalid file keeps the running config."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import mark_seen
from shared.config.watch import file_digest
from shared.messages.config import ConfigReload


def execute(sup, request, respond) -> None:
    mark_seen(sup, file_digest(sup.loaded.path))
    respond(sup.reload_config(reason=request.reason or "riskctl config reload"))


COMMAND = Command(ConfigReload, "ops", execute)
