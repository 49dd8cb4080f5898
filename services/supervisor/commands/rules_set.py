"""`riskctl rules set ACCOUNT_OR_PROFILE RULE PARAM VALUE`: one rule parameter, applied live."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import run_edit
from shared.config.edit import set_rule_param
from shared.messages.config import RulesSet


def execute(sup, r, respond) -> None:
    run_edit(sup, respond, f"{r.target} {r.rule}.{r.param}",
             lambda path, backups: set_rule_param(path, r.target, r.rule, r.param, r.value,
                                                  backups))


COMMAND = Command(RulesSet, "admin", execute)
