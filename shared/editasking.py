"""How the admin answered an edit riskd would act on at once, and what its audit row says.

`rules set`, `rules enable|disable`, `config set`, `config restore` and `accounts enable` ask
first when riskd would flatten, reduce, close or lock out an account (cli/confirmedit.py,
services/supervisor/commands/rule_confirm.py). Fresh-user trial (trial14b) read the audit
trail: a prompt-confirmed `accounts enable` wrote a "not done: ... not saved" row and then the
"ok" row (the first read as a refusal); an admin's "n" at the prompt and a script refused for
having no terminal were identical rows; "confirmed by the admin" did not say by --yes or at
the prompt. riskctl now says with each send how the admin answers (the request's `asking`):

- PROMPT: riskctl asks at its terminal; riskd's 'confirm_needed' is recorded as "asked: ...",
  and the edit sent again confirmed as "confirmed by the admin at the prompt: ...";
- NO_TERMINAL: nothing can ask and there is no --yes: "refused: no terminal to ask the admin
  at, and no --yes: ...";
- YES: --yes: "confirmed by the admin with --yes: ...";
- DECLINED: the admin answered no at the prompt: riskctl sends the edit once more with it,
  and riskd records "declined: by the admin at riskctl's prompt: not saved, nothing changed"
  and changes nothing (riskctl exits 1, as for any edit not done).
'' (an older riskctl): rows as before.
"""
from __future__ import annotations

PROMPT = "prompt"
NO_TERMINAL = "no terminal"
YES = "--yes"
DECLINED = "declined"

DECLINED_CODE = "declined"
DECLINED_REASON = "by the admin at riskctl's prompt: not saved, nothing changed"
CONFIRMED_WORDS = "confirmed by the admin"       # rule_confirm.py's CONFIRMED begins so
HOW_CONFIRMED = {PROMPT: "confirmed by the admin at the prompt",
                 YES: "confirmed by the admin with --yes"}


def audit_outcome(asking: str, code: str, outcome: str, confirmed: bool) -> str:
    """The audit row's result for an edit that may ask first: outcome is riskd's 'code:
    reason' (or 'ok: reason'); the words for how the admin answered replace the code."""
    if code == "confirm_needed":
        reason = outcome[len("confirm_needed: "):] if outcome.startswith("confirm_needed: ") \
            else outcome
        if asking == PROMPT:
            return f"asked: the admin is asked at riskctl's prompt; {reason}"
        if asking == NO_TERMINAL:
            return f"refused: no terminal to ask the admin at, and no --yes: {reason}"
        return outcome
    if confirmed and asking in HOW_CONFIRMED:
        return outcome.replace(CONFIRMED_WORDS, HOW_CONFIRMED[asking], 1)
    return outcome
