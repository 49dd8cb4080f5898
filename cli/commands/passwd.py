"""Set the admin or ops password (stored as a bcrypt hash, cost 12, in the config file).

  riskctl passwd admin|ops [--password-stdin] [--offline]

The password is hashed here; only the hash travels to riskd, which writes it like any
config edit (validated, backed up). --offline edits the file directly, only while riskd is
stopped (riskctl checks riskd's instance lock) and leaves its line in the audit trail (who,
never the password or its hash). Roles and passwords: docs/operations.md.
"""
from __future__ import annotations

from cli.commands.config import EDIT_TIMEOUT, add_offline, print_edited
from cli.offline import offline_edit, refuse_while_running
from cli.commands.init import read_new_password
from shared.config.access import hash_password
from shared.config.edit import set_config_value
from shared.messages.config import ConfigSet

NAME = "passwd"
ROLE = "admin"          # through riskd; --offline edits the file without a session
OFFLINE = True          # its help says so (cli/main.role_note)


def add_arguments(parser) -> None:
    parser.add_argument("role", choices=("admin", "ops"))
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the new password from the first line of stdin")
    add_offline(parser)


def run(args, ctx) -> int:
    if args.offline:
        refuse_while_running(ctx)       # before the password is read and judged
    hashed = hash_password(read_new_password(args.password_stdin, args.role,
                                                "--password-stdin"))
    key = f"{args.role}.password_hash"
    if args.offline:
        return offline_edit(ctx, lambda path, backups: set_config_value(path, key, hashed,
                                                                         backups),
                            action=f"passwd {args.role}")
    return print_edited(ctx, ctx.request(ConfigSet(key=key, value=hashed, via="passwd"),
                                         timeout=EDIT_TIMEOUT, retries=0))
