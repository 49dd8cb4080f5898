"""An edit riskd would act on at once asks first: `rules set`, `rules enable|disable`,
`config set`, `config restore`, `accounts enable`.

riskd answers 'confirm_needed' (services/supervisor/commands/rule_confirm.py) when the edit,
applied now, would make it flatten, reduce, close or lock out an account, naming each; nothing
is saved then. On a terminal riskctl asks "Apply anyway? [y/N]" and sends the edit again
confirmed; without one it refuses unless --yes, which applies directly (as `riskctl stop`).
Each send says how the admin answers (shared/editasking.py), so the audit trail tells "asked",
"declined by the admin", "refused: no terminal" and "confirmed at the prompt / with --yes"
apart; an answer of no is sent once more to be recorded, and riskctl exits 1 (not saved).
"""
from __future__ import annotations

import attrs

from cli import session as session_cache
from cli.commands.stop import confirm
from cli.errors import CliError
from shared import editasking

YES_HELP = ("apply even when riskd would act on it at once (flatten, reduce, close, lock out "
            "an account); without it riskctl asks first, and refuses without a terminal; "
            "not saved (no, or no terminal) exits 1 (docs/rules.md)")
LEFT = "not saved: nothing changed"


def add_yes(parser) -> None:
    parser.add_argument("--yes", action="store_true", help=YES_HELP)


def send_edit(ctx, request, yes: bool, timeout: float):
    """The edit's answer: sent confirmed with --yes; else asked first when riskd would act.
    None when the admin answered no at the prompt (the caller exits 1: nothing saved)."""
    if yes:
        return ctx.request(attrs.evolve(request, confirmed=True, asking=editasking.YES),
                           timeout=timeout, retries=0)
    can_ask = session_cache.interactive()
    asking = editasking.PROMPT if can_ask else editasking.NO_TERMINAL
    first = ctx.request(attrs.evolve(request, asking=asking), timeout=timeout, retries=0,
                        tolerate=("confirm_needed",))
    if first.ok:
        return first
    if not can_ask:
        raise CliError(f"{first.reason}\nRe-run with --yes to apply it anyway.")
    if not confirm(f"{first.reason}\nApply anyway?"):
        try:        # the audit trail's row: declined by the admin (riskd changes nothing)
            ctx.request(attrs.evolve(request, asking=editasking.DECLINED), timeout=timeout,
                        retries=0, tolerate=(editasking.DECLINED_CODE,))
        except CliError:
            pass    # not recorded (riskd gone meanwhile): nothing was saved all the same
        print(LEFT)
        return None
    return ctx.request(attrs.evolve(request, confirmed=True, asking=editasking.PROMPT),
                       timeout=timeout, retries=0)
