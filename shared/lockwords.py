"""What a lockout's kind is called on screens and in alerts: one mapping for every place.

The kinds are codes on the wire and in --json (timer, until_reset, until_session, manual;
shared/messages/risk.py); people read words: "timer", "until the roll", "until the session",
"manual", and the trader's own lockout is a "self-lockout" whatever its kind, an admin's
(`riskctl lockout --admin`) an "admin lockout", "locked by the admin". Trial
2026-12-05: `riskctl lockouts` KIND read until_reset / self_lockout, history "locked
until_reset until Mon 17:00 CST", an alert "account Demo 1 locked (until_reset) by
daily_net_loss". `riskctl lockouts`, history, the risk decision's words (its alert and history
line), notify's alerts, the watch/status banners and replay all go through here.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from shared.messages.risk import MANUAL, TIMER, UNTIL_RESET, UNTIL_SESSION, LockoutState

# the rule names of the lockouts a person asks for, not a rule's limit: the one definition
# (risk's words, shared/outcomewords.py, the screens and notify import them from here)
SELF_LOCKOUT = "self_lockout"       # the trader's own lockout (riskctl lockout, the phone)
ADMIN_LOCKOUT = "admin_lockout"     # an admin's lockout of an account (riskctl lockout --admin)
ASKED_LOCKOUTS = (SELF_LOCKOUT, ADMIN_LOCKOUT)
BY_ADMIN = "locked by the admin"    # an admin lockout, as every screen and alert says it
# who holds an asked-for lockout, in words ("by the trader", "by the admin")
HOLDER_WORDS = {SELF_LOCKOUT: "the trader", ADMIN_LOCKOUT: "the admin"}

KIND_WORDS = {TIMER: "timer", UNTIL_RESET: "until the roll", UNTIL_SESSION: "until the session",
              MANUAL: "manual"}
# a broker condition a manual lockout waits for (clears_on), in words
CLEARS_WORDS = {"can_trade": "the broker allows trading again"}
# ... and the reason of its end when it comes (trial23a finding 2: "can_trade cleared" read as
# the right to trade removed)
CLEARED_WORDS = {"can_trade": "the broker allows trading again (canTrade = true)"}


def cleared_words(condition: str) -> str:
    """Why a lockout waiting for a broker condition ended: 'the broker allows trading again
    (canTrade = true)'."""
    return CLEARED_WORDS.get(condition, f"{condition.replace('_', ' ')} cleared")
# clears_on of symbol_blocks' lockouts: they last while the rule lists the symbol, not a broker
# condition (trial17a: `status` read "until the broker allows trading again or an admin
# unlocks", `lockouts` "until symbol blocks clears")
SYMBOL_BLOCKS = "symbol_blocks"


def listed_words(symbol: str = "") -> str:
    """How a symbol_blocks lockout ends, on every screen and alert: 'while CL is listed in
    symbol_blocks (an admin's unlock does not free it: CL's next trade is closed and CL locked
    again)' (docs/rules.md, 11.). Trial 21b: "an admin's unlock ends it until CL's next trade"
    read as if one trade were allowed; the next CL buy was closed at once."""
    sym = symbol or "the symbol"
    then = f"{symbol}'s next trade is closed and {symbol}" if symbol else \
        "its next trade is closed and it"
    return (f"while {sym} is listed in {SYMBOL_BLOCKS} (an admin's unlock does not free it: "
            f"{then} locked again)")


def nothing_held_words(symbol: str) -> str:
    """Why listing a symbol nothing is held in asks nothing (docs/rules.md, An edit riskd would
    act on at once asks first): 'nothing is held in CL, so nothing is closed or cancelled'."""
    return f"nothing is held in {symbol}, so nothing is closed or cancelled"


def kind_words(kind: str, rule: str = "") -> str:
    """The KIND of a lockout in words: 'until the roll', 'timer', 'self-lockout' (the trader's
    own, whatever its kind), 'admin lockout' (an admin's); an unknown code with its
    underscores as spaces."""
    if rule == SELF_LOCKOUT:
        return "self-lockout"
    if rule == ADMIN_LOCKOUT:
        return "admin lockout"
    return KIND_WORDS.get(kind, str(kind).replace("_", " "))


def end_words(kind: str, clears_on: str = "", symbol: Optional[str] = "") -> str:
    """How a lockout with no end time ends: 'until the roll', 'until the next session',
    'until the broker allows trading again', 'until an admin unlocks it', a symbol_blocks one
    'while CL is listed in symbol_blocks (...)' (listed_words)."""
    if clears_on == SYMBOL_BLOCKS:
        return listed_words(symbol or "")
    if clears_on:
        return f"until {CLEARS_WORDS.get(clears_on, clears_on.replace('_', ' ') + ' clears')}"
    return {UNTIL_RESET: "until the roll", UNTIL_SESSION: "until the next session",
            MANUAL: "until an admin unlocks it", TIMER: "on a timer"}.get(
        kind, kind_words(kind))


def listed_lock(d) -> bool:
    """symbol_blocks' lock of a symbol the config lists, with no action of its own (nothing
    held in it): the config's block of the symbol, not a trader's breach (trial25a N6)."""
    return (d.action == "none" and d.lock is not None and bool(d.lock.symbol)
            and d.lock.clears_on == SYMBOL_BLOCKS)


def blocked_by_config_words(symbols, account: str) -> str:
    """The one line of a symbol the config lists: 'CL is blocked on Demo 1 (id 1001) by the
    config: a trade in CL is closed' (docs/alerts.md, docs/rules.md 11)."""
    names = ", ".join(symbols)
    verb = "is" if len(symbols) == 1 else "are"
    return f"{names} {verb} blocked on {account} by the config: a trade in {names} is closed"


def lock_end_words(lock) -> str:
    """end_words() of a lockout (LockoutState or LockSpec: kind, clears_on, symbol)."""
    return end_words(lock.kind, lock.clears_on, getattr(lock, "symbol", "") or "")


def locked_words(kind: str, rule: str = "", end: Optional[str] = None,
                 clears_on: str = "", symbol: Optional[str] = "") -> str:
    """'locked until the roll at Mon 17:00 CST', 'locked until 14:05 CST (timer)',
    'locked until 15:00 CST (self-lockout)', 'locked by the admin until 15:00 CST'; without
    an end (end: the time as shown, or None) 'locked until the roll', 'locked (timer)'."""
    if rule == ADMIN_LOCKOUT:
        return f"{BY_ADMIN} until {end}" if end else BY_ADMIN
    words = kind_words(kind, rule)
    if end:
        return f"locked {words} at {end}" if words.startswith("until") \
            else f"locked until {end} ({words})"
    if rule not in ASKED_LOCKOUTS and (kind in (UNTIL_RESET, UNTIL_SESSION) or clears_on):
        return f"locked {end_words(kind, clears_on, symbol)}"
    return f"locked ({words})"


def with_rule(words: str, rule: str) -> str:
    """locked_words() with the rule holding it, in one pair of brackets: 'locked until 12:16:26
    CST (timer, cooldown_after_loss)', 'locked until the roll at Mon 17:00 CST
    (daily_realized_loss)' (trial15a: the stop alert read "(timer) (cooldown_after_loss)").
    Words that name the rule already (what it means and until when) stay as they are: a
    symbol_blocks lockout's 'locked while CL is listed in symbol_blocks (an admin's unlock
    does not free it: ...)' (trial17g: the stop alert read "(... until CL's next trade,
    symbol_blocks)")."""
    if not rule or rule in words:
        return words
    return f"{words[:-1]}, {rule})" if words.endswith(")") else f"{words} ({rule})"


def holder_words(lock) -> str:
    """Whose a lockout is, as the screens name it: its rule, and for one another rule extended
    (one timer per account: the later cooldown takes the earlier one over, services/risk/
    lockouts.py) the rule whose cooldown it extends: 'cooldown_after_loss, extending
    trade_frequency_limit's cooldown'. Trial20a section 4: history said trade_frequency_limit's
    lockout was taken and extended by cooldown_after_loss, while `riskctl lockouts` and the
    COOLDOWN banner named cooldown_after_loss alone (one lockout or two?)."""
    took = getattr(lock, "took_over_rule", "") or ""
    if not took or took == lock.rule:
        return lock.rule
    return f"{lock.rule}, extending {took}'s {'cooldown' if lock.kind == TIMER else 'lockout'}"


def unlocked_words(was: str, by: str = "") -> str:
    """What `riskctl unlock` did to a lockout it ended, for its table: 'cleared by your unlock
    (admin:root); it was until Sat 03:23:23 CST' (was: the end it had, as shown, or end_words
    for one without a time: 'until the roll'). Trial 2026-12-06: the table said "ENDED now",
    which read as a lockout that had run its time."""
    who = f" ({by})" if by else ""
    return f"cleared by your unlock{who}; it was {was}"


def unlocked_listed_words(symbol: str, by: str = "") -> str:
    """What `riskctl unlock` did to a symbol_blocks lock, for its table: the lock is gone, the
    listing is not ('cleared by your unlock (admin:root), but CL is still listed in
    symbol_blocks: CL's next trade is closed and CL locked again'). Trial22a F5: the row read
    "cleared by your unlock ...; it was while CL is listed in symbol_blocks (an admin's unlock
    does not free it ...)", cleared and not freed in one breath."""
    who = f" ({by})" if by else ""
    sym = symbol or "the symbol"
    then = f"{symbol}'s next trade is closed and {symbol}" if symbol else \
        "its next trade is closed and it"
    return (f"cleared by your unlock{who}, but {sym} is still listed in {SYMBOL_BLOCKS}: "
            f"{then} locked again")


def with_end(kind: str, rule: str, end: str) -> str:
    """The kind and the end in one note: 'timer Mon 14:05 CST (in 12m)', 'until the roll,
    Mon 17:00 CST'."""
    words = kind_words(kind, rule)
    if end.startswith(words):           # an end in words: 'until the roll', not twice
        return end
    return f"{words}, {end}" if words.startswith("until") else f"{words} {end}"


# a breach under a lockout as long or longer: nothing was sent and its own lock adds nothing
# (notify's alert and history's row say it so: trial17g, history read "what: lock the account
# (timer)" for a breach not acted on)
ADDS_NOTHING = "adds nothing: the account is locked as long or longer"


def outlasted(d) -> bool:
    """A rule's breach acted on (its action sent) while a lockout in force as long or longer
    held its scope: its own lock added nothing; d.under and d.under_rule name that lockout
    (services/risk/acting.py _outlasted). Lockout enforcement's records carry `under` too,
    with no lock of their own; a trader's own lockout that changed none has no lock either."""
    return getattr(d, "lock", None) is not None and getattr(d, "under", None) is not None


def adds_nothing_words(lock: str) -> str:
    """'its lockout until 09:01:03 CST (timer) adds nothing: the account is locked as long or
    longer' (lock: its own lockout in words, 'locked until 09:01:03 CST (timer)')."""
    own = f" {lock.removeprefix('locked ')}" if lock else ""
    return f"its lockout{own} {ADDS_NOTHING}"


def nothing_done_words(lock: str) -> str:
    """WHAT of a breach not acted on because a lockout as long or longer holds (lock: its own
    lockout in words, 'locked until 09:01:03 CST (timer)'): 'nothing done: its lockout until
    09:01:03 CST (timer) adds nothing: the account is locked as long or longer'."""
    return f"nothing done: {adds_nothing_words(lock)}"


# a lockout past its end that risk has not cleared yet (it does on its next tick): `riskctl
# lockouts` and the phone's /status and /lockouts say so, never a countdown of "in 0s"
ENDED_CLEARING = " (ended, clearing)"
FOREVER = 2 ** 63      # the end of a lockout that waits for a condition or an admin
# an extended lockout's reason: the one it started with, then the latest extension's
# (services/risk/lockouts.py extended_reason; notify's alert of an extension says the first)
# a lockout asked again does no harm (services/risk/acting.py _as_own_lock): said when whether
# riskd took one is not known (services/supervisor/untold.py; riskctl and the Telegram bot)
AGAIN_HARMLESS = ("asking again does no harm (the account keeps one lockout per owner, ending "
                  "at the later of the two times, and is flattened again)")

EXTENDED_BY = "; extended: "
NEVER_SHORTENED = "a lockout is never shortened"


def lock_end_ns(lock: LockoutState, next_roll_ns: int) -> int:
    """When a lockout ends, for comparing: its time, the roll for an until-reset one without
    a time, FOREVER for one that waits for a session, a broker condition or an admin."""
    if lock.until_ns is not None:
        return lock.until_ns
    return next_roll_ns if lock.kind == UNTIL_RESET else FOREVER


def outlasting(locks: Iterable[LockoutState], asked_ns: int, next_roll_ns: int,
               same_too: bool = False) -> Optional[tuple[int, LockoutState]]:
    """(end, lockout) of the account-wide lockout in force that ends last, when it ends
    later than a self-lockout asked until asked_ns (same_too: or as late); None when none
    does. risk's answer to a self-lockout and the phone's /lockout question both say it."""
    later = [(lock_end_ns(lk, next_roll_ns), lk) for lk in locks if lk.symbol is None]
    later = [(end, lk) for end, lk in later if end > asked_ns or (same_too and end == asked_ns)]
    return max(later, key=lambda pair: pair[0]) if later else None


def longest_first(locks: Iterable[LockoutState], next_roll_ns: Optional[int] = None) -> list:
    """The lockouts with each account's longest first (the one the trader waits for), the
    accounts in the order they first come: trial 2026-12-06, `riskctl watch` showed "COOLDOWN
    29m25s ... trade_frequency_limit" above "LOCKED OUT 1d19h15m (until Mon 17:00 CST)" (in
    the order they started) and the trader read he could trade in 29 minutes. An end not set
    is the roll for an until-reset lockout (next_roll_ns, when known), else FOREVER; equal ends
    keep the order they came in. Risk's lists, the screens and the phone all sort through
    here."""
    locks = list(locks)
    first: dict = {}
    for lk in locks:
        first.setdefault(lk.account_id, len(first))
    return sorted(locks, key=lambda lk: (first[lk.account_id],
                                         -lock_end_ns(lk, next_roll_ns or FOREVER)))



def unchanged_words(d, at: Callable[[int], str]) -> str:
    """What a trader's (or an admin's) own lockout that changed no lockout asked (d.asked), and
    the lockout that held the account as long or longer (d.under, d.under_rule): 'asked until
    Sun 16:29:51 CST; unchanged: already locked until Mon 17:00 CST (self-lockout)' (at: an
    end as the caller shows ends). One wording for history's note (shared/historywords.py)
    and its alert (notify's templates): trial16g finding 5, history kept the request with
    neither what it asked nor that the lockout was unchanged."""
    asked = at(d.asked.until_ns) if d.asked is not None and d.asked.until_ns else "the roll"
    u = d.under
    if u is None:
        return f"asked until {asked}; unchanged: already locked as long or longer"
    held = locked_words(u.kind, d.under_rule, at(u.until_ns) if u.until_ns else None,
                        u.clears_on)
    words = held if d.under_rule in ASKED_LOCKOUTS else with_rule(held, d.under_rule)
    return f"asked until {asked}; unchanged: already {words}"


def extends_words(since: str, was_end: str, end: str, was_rule: str = "", rule: str = "",
                  was_reason: str = "") -> str:
    """What a lockout's extension does, said beside its new end: 'extends the lockout in force
    since Sun 18:42:23 CST (tilt test) from Mon 17:00 CST to Tue 18:42:27 CST'; one another
    rule took over names the rule it was ('extends trade_frequency_limit's lockout in force
    since ...'). since, was_end, end: the times as the caller shows them; was_reason: the reason
    it was taken with. Trial17g: a longer self-lockout's alert read like a new lockout, with
    neither the one it extended nor until when that one was."""
    whose = f"{was_rule}'s lockout" if was_rule and was_rule != rule else "the lockout"
    why = f" ({was_reason})" if was_reason else ""
    return f"extends {whose} in force since {since}{why} from {was_end} to {end}"
