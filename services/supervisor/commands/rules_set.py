"""`riskctl rules set ACCOUNT_OR_PROFILE RULE PARAM VALUE`: one rule parameter, applied live or waiting
for the roll (a loosening); the reply and the audit say which (rule_outcome.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import rule_target_words, run_edit
from services.supervisor.commands.rule_outcome import RuleEdit
from shared.config.edit import set_rule_param
from shared.messages.config import RulesSet


def execute(sup, r, respond) -> None:
    run_edit(sup, respond, f"{r.target} {r.rule}.{r.param}",
             lambda path, backups: set_rule_param(path, r.target, r.rule, r.param, r.value,
                                                  backups),
             lambda: RuleEdit(r.target, r.rule, r.param, r.value),
             shown=f"{rule_target_words(sup.config, r.target)} {r.rule}.{r.param}")


COMMAND = Command(RulesSet, "admin", execute)
