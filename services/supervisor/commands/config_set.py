"""`riskctl config set KEY VALUE`: edit one key of the config file, validated and applied live."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import run_edit
from services.supervisor.commands.rule_outcome import rule_edit_of
from shared.config.edit import set_config_value
from shared.messages.config import ConfigSet


def execute(sup, request, respond) -> None:
    run_edit(sup, respond, request.key,
             lambda path, backups: set_config_value(path, request.key, request.value, backups),
             lambda: rule_edit_of(request.key, request.value, sup.config.accounts))


COMMAND = Command(ConfigSet, "admin", execute)
