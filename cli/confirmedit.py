"""An edit riskd would act on at once asks first: `rules set`, `rules enable|disable`,
`config set`, `config restore`, `accounts enable`.

riskd answers 'confirm_needed' (services/supervisor/commands/rule_confirm.py) when the edit,
applied now, would make it flatten, reduce, close or lock out an account, naming each; nothing
is saved then. On a terminal riskctl asks "Apply anyway? [y/N]" and sends the edit again
confirmed; without one it refuses unless --yes, which applies directly (as `riskctl stop`).
"""
from __future__ import annotations

import attrs

from cli import session as session_cache
from cli.commands.stop import confirm
from cli.errors import CliError

YES_HELP = ("apply even when riskd would act on it at once (flatten, reduce, close, lock out "
            "an account); without it riskctl asks first, and refuses without a terminal")
LEFT = "not saved: nothing changed"


def add_yes(parser, help: str = YES_HELP) -> None:
    parser.add_argument("--yes", action="store_true", help=help)


def send_edit(ctx, request, yes: bool, timeout: float):
    """The edit's answer: sent confirmed with --yes; else asked first when riskd would act."""
    if yes:
        return ctx.request(attrs.evolve(request, confirmed=True), timeout=timeout, retries=0)
    first = ctx.request(request, timeout=timeout, retries=0, tolerate=("confirm_needed",))
    if first.ok:
        return first
    if not session_cache.interactive():
        raise CliError(f"{first.reason}\nRe-run with --yes to apply it anyway.")
    if not confirm(f"{first.reason}\nApply anyway?"):
        print(LEFT)
        return None
    return ctx.request(attrs.evolve(request, confirmed=True), timeout=timeout, retries=0)
