"""`riskctl accounts add ID_OR_NAME`: a new [[accounts]] entry, validated and applied live."""
from services.supervisor.commands.base import Command
from services.supervisor.commands.config_edits import run_edit
from shared.config.account_edit import add_account
from shared.messages.accounts import AccountAdd


def execute(sup, r, respond) -> None:
    run_edit(sup, respond, f"accounts add {r.ref}",
             lambda path, backups: add_account(path, r.ref, backups, name=r.name,
                                               display_name=r.display_name, profile=r.profile))


COMMAND = Command(AccountAdd, "admin", execute)
