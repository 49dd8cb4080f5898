"""One way to name an account on riskctl's command line: `--account A`, everywhere.

`riskctl sim buy`, `logs`, `history`, `positions` and `rules override` took `--account A`;
`lockout`, `unlock`, `flatten`, `rules list|set|enable|disable` and `accounts
enable|disable|set` took the account as a positional argument, so `riskctl lockout --account
1002 --until 15:40` (the form the other commands taught) was refused (trial 2026-12-05). add()
gives a command both forms: the positional one it had (kept: scripts use it) and
`--account`. resolve() runs after parsing (cli/main.py's parser): the two forms land in one
attribute, giving both with different values or neither where one is needed is a usage error
under the command's own usage line.
"""
from __future__ import annotations

import argparse

OPTION_DEST = "_account_option"
SPECS = "_account_specs"       # the parser default listing each (dest, required, label)


def add(parser: argparse.ArgumentParser, *, dest: str = "account", required: bool = True,
        default=None, metavar: str = "ACCOUNT", help: str = "the account's id or name") -> None:
    """The positional `dest` (optional on the command line now) and `--account` for it."""
    parser.add_argument(dest, nargs="?", default=default, metavar=metavar,
                        help=help + (" (or --account)" if required else ""))
    parser.add_argument("--account", dest=OPTION_DEST + "_" + dest, default=None,
                        metavar=metavar, help=f"the same as {metavar}")
    parser.set_defaults(**{SPECS: [(dest, required, default, metavar)]})


def resolve(args: argparse.Namespace, error) -> None:
    """Put --account's value in its positional's attribute; error(message) on a conflict or
    when a required account is missing (error: the command's parser's error, which exits 2)."""
    for dest, required, default, metavar in getattr(args, SPECS, None) or ():
        option = getattr(args, OPTION_DEST + "_" + dest, None)
        positional = getattr(args, dest, default)
        if option is not None:
            if positional not in (None, default) and positional != option:
                error(f"the account given twice: {metavar} {positional!r} and --account "
                      f"{option!r}; give it once")
            setattr(args, dest, option)
        elif required and positional in (None, ""):
            error(f"the account is required: {metavar} or --account {metavar}")
