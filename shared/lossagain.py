"""cooldown_after_loss's words for a losing fill of a position whose earlier loss already started
the cooldown running (risk's reason, and notify's one line for it).

Trial24a F2: the trader's partial sell of MNQ at a loss started the 5-minute cooldown; riskd's
close of the contract left, 2 s later, lost as much and was told as a second "⚠️ Breach
cooldown_after_loss" with "🔒 Lockout extended ... from 14:03:56 to 14:03:58". Its loss counts
(docs/rules.md 7: a loss realized by riskd's own close counts too), and it moves the cooldown's
end; a second breach for 2 s of the same cooldown is noise. Risk's reason says whose fill it is
and that it follows the loss that started the cooldown (again_reason); notify then says it in
one line (moved_title), not as a breach.
"""
from __future__ import annotations

from typing import Optional

from shared.messages.risk import OWN_EXTENDED

# the words every such reason carries, and notify looks for
AFTER = "that started the cooldown"


def whose_fill(symbol: str, whose: Optional[bool]) -> str:
    """Whose the closing fill is: riskd's (True), the trader's (False), not known yet (None:
    riskd's close in flight there, or the trader's own sell)."""
    if whose is True:
        return f"riskd's close of {symbol}"
    if whose is False:
        return f"your own, of {symbol}"
    return f"of {symbol}, riskd's close in flight or yours (not known yet)"


def again_reason(symbol: str, whose: Optional[bool], lost: str, tier: str,
                 cooldown: str) -> str:
    """'closing fill lost 101.37 incl. its fees 0.37 (tier 100.00): riskd's close of MNQ,
    after the loss on MNQ that started the cooldown; it counts too: cooldown 5m00s from it'."""
    return (f"closing fill lost {lost} (tier {tier}): {whose_fill(symbol, whose)}, after the "
            f"loss on {symbol} {AFTER}; it counts too: cooldown {cooldown} from it")


def is_again(rule: str, reason: str) -> bool:
    """A cooldown_after_loss reason of a loss after the one that started the cooldown."""
    return rule == "cooldown_after_loss" and f" {AFTER}; " in reason


def moved_only(d) -> bool:
    """A cooldown_after_loss decision of a loss after the one that started its cooldown,
    which only moved the end of its own lockout: one line on the phone (notify), not a
    breach."""
    return d.lock is not None and d.suppressed.startswith(OWN_EXTENDED) \
        and is_again(d.rule, d.reason)


def moved_title(account: str, end: str, later: str = "") -> str:
    """'🔒 Demo 1 (id 1001): cooldown_after_loss's cooldown now ends Mon 14:03:58 CST (2s
    later)': the one line of such a loss that only moves the cooldown's end."""
    return (f"🔒 {account}: cooldown_after_loss's cooldown now ends {end}"
            + (f" ({later} later)" if later else ""))


def moved_what(lock: str) -> str:
    """History's WHAT of such a loss: 'nothing done but move the cooldown's end: locked until
    Mon 14:03:58 CST (timer)'."""
    return f"nothing done but move the cooldown's end: {lock}"
