"""`riskctl rules enable|disable ACCOUNT_OR_PROFILE RULE`: switch one rule, applied live or waiting
for the roll (a loosening); the reply and the audit say which (rule_outcome.py). One that would
make risk act at once (flatten, reduce, lock out) asks first (rule_confirm.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import (changed_note, rule_edit_target,
                                                       target_words, run_edit)
from services.supervisor.commands.rule_outcome import RuleEdit
from services.supervisor.commands.rules_params import unlisted_edit
from shared.config.edit import set_rule_enabled
from shared.messages.config import RulesEnable


def execute(sup, r, respond) -> None:
    run_edit(sup, unlisted_edit(sup, r.target, respond), f"{r.target} {r.rule}.enabled",
             lambda path, backups, **kw: set_rule_enabled(path, r.target, r.rule, r.enabled,
                                                          backups, r.new_profile, **kw),
             lambda: RuleEdit(rule_edit_target(sup.config, r.target), r.rule, "enabled",
                              str(r.enabled).lower()),
             shown=f"{target_words(sup, r.target)} {r.rule}.enabled",
             note=changed_note(sup, r.reason),
             confirmed=r.confirmed)       # risk would act at once: ask (rule_confirm.py)


COMMAND = Command(RulesEnable, "admin", execute)
