"""Why risk gave no figures, as one short clause a screen shows after "NOT LIVE:".

The supervisor answers a request risk cannot take with a whole sentence for a person at a
prompt (services/supervisor/unreachable.py): "risk is restarting after a crash (killed by
signal 9 (SIGKILL); attempt 1): try again in a few seconds (`riskctl status` shows what riskd
runs)". On `riskctl status` and `watch` that sentence sat inside "NOT LIVE (risk status
unavailable (...)", nested parentheses cut off at the width, telling the reader of a screen
that refreshes itself to try again (trial 2026-12-06). clause() keeps what happened ("risk is
restarting after a crash (attempt 1)"); transient() says whether the supervisor expects it to
pass by itself, so watch can say "this screen updates by itself" and status "run it again in a
few seconds".
"""
from __future__ import annotations

import re

# the supervisor's pointer to `riskctl status`, pointless on the status screen itself
_HINT = re.compile(r"\s*\(`riskctl status`[^()]*\)\s*$")
# its advice to a person at a prompt: "try again ..." (the state passes by itself)
_ADVICE = re.compile(r"(?::|;) (?:try again in a few seconds|riskd starts it again in (\S+); "
                     r"try again then)\s*$")
# "(killed by signal 9 (SIGKILL); attempt 1)" -> "(attempt 1)": how it crashed is the crash
# alert's and `riskctl workers`' to say
_CRASH = re.compile(r" after a crash \((?:[^()]|\([^()]*\))*?;?\s*attempt (\d+)\)")

UPDATES = "this screen updates by itself"
AGAIN = "run it again in a few seconds"


def _bare(reason: str) -> str:
    return _HINT.sub("", (reason or "").strip())


def transient(reason: str) -> bool:
    """The supervisor's words say the state passes by itself (it asked to try again)."""
    return bool(_ADVICE.search(_bare(reason)))


def clause(reason: str) -> str:
    """'risk is restarting after a crash (attempt 1)': what happened, no advice, no pointer,
    no parentheses inside parentheses; a reason in other words is kept as it came."""
    text = _bare(reason)
    m = _ADVICE.search(text)
    when = f", next try in {m.group(1)}" if m and m.group(1) else ""
    text = _ADVICE.sub("", text)
    text = _CRASH.sub(lambda c: f" after a crash (attempt {c.group(1)})", text)
    return (text + when) if text else "risk did not answer"
