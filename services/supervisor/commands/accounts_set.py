"""`riskctl accounts set ACCOUNT display_name|profile VALUE`: one field of one account, live."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import rule_target_words, run_edit
from shared.config.account_edit import set_account_field
from shared.messages.accounts import AccountSet


def execute(sup, r, respond) -> None:
    run_edit(sup, respond, f"accounts set {r.account} {r.key}",
             lambda path, backups: set_account_field(path, r.account, r.key, r.value, backups),
             shown=f"accounts set {rule_target_words(sup.config, r.account)} {r.key}")


COMMAND = Command(AccountSet, "admin", execute)
