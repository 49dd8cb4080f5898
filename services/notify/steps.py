"""One alert per account per risk step: the breaches and lockout changes that one engine step of
risk published about an account become one alert (pure).

Risk publishes a step's lockout changes and decisions together, all with the step's time
(ts_ns); notify holds them HOLD_S after the first came (StepHold: a step's messages need not
come in one read of the socket) and then makes its one alert. Fresh-user trial: one breach sent "🔒 Lockout started:
Demo 1 until Mon 17:00 CST" and 20 ms later "🔒 Lockout started: Demo 1 until 03:32:43 CST"
(the cooldown the same losing trade started), the second read on a phone as the real end; a
market-wide move made 21 alerts in 90 ms for 3 accounts, past notify's rate limit. The step's
alert leads with when the account is free (the longest lockout in force, its rule) and what
each shorter one adds ("🔒 Demo 1 locked until Mon 17:00 CST (daily_realized_loss);
cooldown_after_loss also until 03:32:43 CST"), then each breach as its own alert would say it.
A step whose messages come further apart than HOLD_S gives two alerts, each still true on its
own (a lockout's alert names the longer one in force: LockoutChange.over).
"""
from __future__ import annotations

from typing import Any, Optional

import attrs

from services.notify.latelock import held_longer
from services.notify.templates import (BREACH, LATE_CLOSE_CANCEL, LOCK_ONLY,
                                       LOCK_ONLY_BESIDE_A_CLOSE, NOT_DONE,
                                       RANK, Alert, Context, _lock_words, breaches_title,
                                       build, extension_line, listed_alert, listing,
                                       moved_alert, moved_only,
                                       readable, unenforced, waits)
from shared.currentends import current_ends
from shared.lockwords import ADMIN_LOCKOUT, ASKED_LOCKOUTS
from shared.messages.risk import ENFORCE, Decision, LockoutChange, LockoutState
from shared.when import gap

CLEARED = "cleared"

FOREVER = 2 ** 63


def step_key(msg: Any) -> Optional[tuple]:
    """(account, step time) of a breach or a lockout change; None for anything else."""
    if listing(msg):        # a symbol the config lists: a step of its own, never a breach's
        return (msg.account_id if isinstance(msg, Decision) else msg.lockout.account_id,
                msg.ts_ns, "listed")
    if isinstance(msg, Decision):
        return msg.account_id, msg.ts_ns
    if isinstance(msg, LockoutChange):
        return msg.lockout.account_id, msg.ts_ns
    return None


HOLD_S = 0.1        # risk publishes a step within a millisecond; the phone waits this long


class StepHold:
    """Risk's breaches and lockout changes, held per step until HOLD_S after its first message
    (times: the caller's monotonic clock)."""

    def __init__(self, hold_s: float = HOLD_S):
        self.hold_s = hold_s
        self._groups: dict[tuple, tuple[float, list]] = {}

    def add(self, msg: Any, now: float) -> bool:
        """Hold a message (step_key(msg) is not None); True when it starts a step."""
        key = step_key(msg)
        held = self._groups.get(key)
        if held is None:
            self._groups[key] = (now, [msg])
            return True
        held[1].append(msg)
        return False

    def due(self, now: float, everything: bool = False) -> list[list]:
        """The steps held HOLD_S (every one with everything), in the order they started."""
        out = []
        for key, (since, msgs) in list(self._groups.items()):
            if everything or now - since >= self.hold_s:
                del self._groups[key]
                out.append(msgs)
        return out

    def __len__(self) -> int:
        return len(self._groups)

    def holds(self, account_id: int) -> bool:
        """Whether a step of this account is held (its results wait behind it)."""
        return any(key is not None and key[0] == account_id for key in self._groups)


def by_step(msgs: list) -> list[list]:
    """The messages grouped by step_key, in the order each group's first message came;
    a message without a key is a group of its own."""
    groups: dict[Any, list] = {}
    for i, msg in enumerate(msgs):
        key = step_key(msg)
        groups.setdefault(key if key is not None else ("alone", i), []).append(msg)
    return list(groups.values())


def current_step(msgs: list) -> list:
    """The step's messages, its lockout enforcement naming the lockout in force after the whole
    step (shared/currentends.py): risk publishes the outcome of a Position and of its Trade
    apart, with one step time, and the Trade's may extend the lockout the Position's cut named
    (trial25a N2: "Lockout extended ... until 17:16:29 (trade_frequency_limit)" then "Lockout
    enforced ...: locked until 17:15:23 (cooldown_after_loss)" in one alert)."""
    changes = [m for m in msgs if isinstance(m, LockoutChange)]
    decisions = [m for m in msgs if isinstance(m, Decision)]
    if not changes or not decisions:
        return msgs
    now = iter(current_ends(decisions, changes))
    return [next(now) if isinstance(m, Decision) else m for m in msgs]


def _end(lock: LockoutState) -> int:
    return lock.until_ns if lock.until_ns is not None else FOREVER


def step_alert(msgs: list, ctx: Context) -> Optional[Alert]:
    """The one alert of a step's messages (build() of the message when it is alone)."""
    if msgs and all(listing(m) for m in msgs):
        return readable(listed_alert(msgs, ctx))
    msgs = current_step(msgs)
    alerts = [(m, build(m, ctx)) for m in msgs]
    alerts = [(m, a) for m, a in alerts if a is not None]
    if len(alerts) > 1:
        # riskd's cancel of what its late close left working is said by the late close's own
        # alert (templates.LATE_CLOSE_CANCEL, logged only): never a breach beside a rule's
        alerts = [(m, a) for m, a in alerts if a.kind != LATE_CLOSE_CANCEL] or alerts[:1]
    if len(alerts) == 1 and isinstance(alerts[0][0], Decision) \
            and alerts[0][0].rule in ASKED_LOCKOUTS:
        # its lockout change came apart (further than HOLD_S): the longest notify knows
        m, a = alerts[0]
        return attrs.evolve(a, lines=held_longer(m, a.lines, _known_over(m, ctx), ctx, m.ts_ns))
    if len(alerts) <= 1:
        return alerts[0][1] if alerts else None
    moved = _moved(alerts, ctx)
    if moved is not None:
        return moved
    folded = _fold_moved(alerts, ctx)
    if folded is not None:
        return folded
    locks = [m for m, _ in alerts if isinstance(m, LockoutChange) and m.change != CLEARED]
    ends = [(m, a) for m, a in alerts if isinstance(m, LockoutChange) and m.change == CLEARED]
    breaches = [(m, a) for m, a in alerts if isinstance(m, Decision)]
    first = alerts[0][1]
    # the account's name from the context, not from the first alert's (a "Lockout enforced"
    # decision said it in its heading: trial 2026-12-06, "⚠️ 2 breaches on : lockout, ...")
    account = ctx.called(first.account_id) if first.account_id is not None else first.account
    lines: list[str] = []
    if locks:
        ts = locks[0].ts_ns
        held = [c.lockout for c in locks] + [c.over for c in locks if c.over is not None]
        longest = max(held, key=_end)
        scope = f"{account} {longest.symbol}" if longest.symbol else account
        # an extension of the lockout in force is not a new lockout (trial17g): said first
        grown = next((c for c in locks if c.lockout.id == longest.id
                      and c.change == "extended" and c.was is not None), None)
        title = (("🔒 Lockout extended: " if grown is not None else "🔒 ") + f"{scope} locked "
                 + _lock_words(longest.kind, longest.until_ns, ctx, ts, longest.clears_on,
                               longest.symbol) + " "
                 f"({longest.rule})")
        for c in locks:
            lo = c.lockout
            if lo.id != longest.id:
                grew = "extended " if c.change == "extended" and c.was is not None else ""
                words = _lock_words(lo.kind, lo.until_ns, ctx, ts, lo.clears_on, lo.symbol)
                if lo.symbol and lo.symbol != longest.symbol:
                    # another symbol's lock is named by its symbol (fresh-user trial 21b: "MNQ
                    # locked until Tue 05:00 CST (session_block_outside); session_block_outside
                    # also until Tue 05:00 CST", the ES lock of the same session end unnamed)
                    title += f"; {lo.symbol} also {grew or 'locked '}{words} ({lo.rule})"
                else:
                    title += f"; {lo.rule} also {grew}{words}"
        for c in locks:
            lines += extension_line(c, ctx)
        told = {m.rule for m, _ in breaches}
        for c in locks:              # a lockout no breach of the step speaks for
            if c.lockout.rule not in told:
                lines.append(f"🔒 {c.lockout.rule}, by {c.lockout.by}"
                             + (f": {c.reason}" if c.reason else ""))
        if not any(waits(m, ctx) for m, _ in breaches):    # a waiting breach's lines say it
            lines += unenforced(ctx, ts)
    elif breaches:
        title = breaches_title(account, [m.rule for m, _ in breaches])
    else:
        title = _ends_title(account, [m for m, _ in ends], ctx)
    if any(waits(m, ctx) for m, _ in breaches):
        title += f"; action {NOT_DONE}"
    # a lockout shorter than one already in force, asked for or a rule's taken beside it (a
    # cooldown under the trader's own lockout to the roll, trial15a): its own end is not the
    # account's (the longer one, risk's LockoutChange.over, is said beside it)
    breaches = [(m, attrs.evolve(a, lines=held_longer(m, a.lines, _over(m, locks), ctx,
                                                      m.ts_ns))) for m, a in breaches]
    # a close the step makes: enforce mode and sent (an alert-mode rule's "would have
    # flattened" closes nothing: trial17a section 9 read "no flatten of its own" beside one)
    closes = any(m.action in CLOSING and getattr(m, "mode", ENFORCE) == ENFORCE
                 and not getattr(m, "suppressed", "") for m, _ in breaches)
    titled = longest if locks else None
    for m, a in breaches + ends:
        head, body = a.title, a.lines
        if titled is not None and isinstance(m, Decision) and m.rule in ASKED_LOCKOUTS \
                and m.lock is not None and m.rule == titled.rule \
                and m.account_id == titled.account_id:
            # the trader's (or the admin's) lockout the title already says: no second title,
            # no second "locked until" (trial15c: "🔒 Demo 1 (id 1001) locked until ...
            # (self_lockout)" then "🔒 Self-lockout on Demo 1 (id 1001)")
            head = _asked_by(m)
            said = "locked " + _lock_words(m.lock.kind, m.lock.until_ns, ctx, m.ts_ns,
                                           m.lock.clears_on, m.lock.symbol)
            body = tuple(x for x in body if x != said)
        lines += [head, *(_beside_a_close(x) if closes else x for x in body)]
    severity = max((a.severity for _m, a in alerts), key=lambda s: RANK.get(s, 0))
    # a step whose decisions are none a rule's breach (an admin flatten) keeps their kind
    kind = BREACH if any(a.kind == BREACH for _m, a in breaches) else "lockout_start" \
        if locks else breaches[0][1].kind if breaches else "lockout_end"
    return readable(Alert(kind=kind, severity=severity,
                          title=title, lines=tuple(lines), account=account,
                          account_id=first.account_id, ts_ns=first.ts_ns))


def _moved(alerts: list, ctx: Context) -> Optional[Alert]:
    """A step of only a later loss that moved cooldown_after_loss's own cooldown (templates.
    moved_only) and that lockout's extension: its one line, with how much later (trial24a
    F2: a second breach and "Lockout extended" for 2 s of the same cooldown)."""
    said = [m for m, _ in alerts if isinstance(m, Decision)]
    grown = [m for m, _ in alerts if isinstance(m, LockoutChange)]
    if len(said) != 1 or not moved_only(said[0]) or len(said) + len(grown) != len(alerts) \
            or any(c.change != "extended" or c.lockout.rule != said[0].rule or c.was is None
                   or c.over is not None for c in grown):
        return None
    d = said[0]
    return moved_alert(d, ctx, ctx.called(d.account_id), _later(grown, d.rule))


def _later(grown: list, rule: str) -> str:
    """How much later the extensions of `rule`'s cooldown among `grown` moved its end ('3s');
    '' when none says it."""
    later = max((c.lockout.until_ns - c.was.until_ns for c in grown
                 if c.lockout.rule == rule and c.lockout.until_ns is not None
                 and c.was.until_ns is not None), default=0)
    return gap(later / 1e9) if later > 0 else ""


def _fold_moved(alerts: list, ctx: Context) -> Optional[Alert]:
    """A step where a later loss that only moved cooldown_after_loss's own cooldown (moved_only:
    riskd's flatten's fill under the cooldown) comes beside another rule's breach: that loss
    and its own cooldown's extension are no breach of the group, but its "cooldown now ends"
    line under the rest of the step's alert (fees25's leftover, trial25a N1: "⚠️ 2 breaches on
    Demo 1: daily_realized_loss, cooldown_after_loss" for riskd's own flatten's fill). None
    when the step has no such loss, or nothing else."""
    said = [m for m, _ in alerts if isinstance(m, Decision) and moved_only(m)]
    if not said:
        return None
    rules = {d.rule for d in said}
    # its own cooldown's extension goes with it; any other lockout change stays the step's
    grown = [m for m, _ in alerts if isinstance(m, LockoutChange) and m.change == "extended"
             and m.lockout.rule in rules and m.was is not None]
    rest = [m for m, _ in alerts if not any(m is x for x in [*said, *grown])]
    if not rest:
        return None
    alert = step_alert(rest, ctx)
    if alert is None:
        return None
    lines = list(alert.lines)
    for d in said:
        line = moved_alert(d, ctx, ctx.called(d.account_id), _later(grown, d.rule))
        lines += [line.title, *line.lines]
    return readable(attrs.evolve(alert, lines=tuple(lines)))


def _asked_by(d: Decision) -> str:
    """Who asked for the lockout, as a line under the step's title."""
    if d.rule == ADMIN_LOCKOUT:
        return f"locked by the admin ({d.by})" if d.by else "locked by the admin"
    return "self-lockout by the trader"


# actions that close positions of the account: a rule's "positions stay" is not true beside one
CLOSING = ("flatten", "close_position", "reduce_position")


def _beside_a_close(line: str) -> str:
    """A lock-only rule's action line in a step where another decision closes a position."""
    return line.replace(LOCK_ONLY, LOCK_ONLY_BESIDE_A_CLOSE)


def _over(d: Decision, changes: list) -> Optional[LockoutState]:
    """The longer lockout risk said holds the scope of the decision's own lockout (the
    LockoutChange of its rule in the step), None when none does."""
    return next((c.over for c in changes if c.lockout.rule == d.rule and c.over is not None),
                None)


def _known_over(d: Decision, ctx: Context) -> Optional[LockoutState]:
    """The account-wide lockout of another rule that notify knows ends last (ctx.locks)."""
    held = [lk for lk in ctx.locks.values() if lk.account_id == d.account_id
            and lk.symbol is None and lk.rule != d.rule]
    return max(held, key=_end, default=None)


def _ends_title(account: str, ends: list, ctx: Context) -> str:
    """Lockouts ending in one step (an unlock, timers ending together): which, and whether the
    account is free now ("still locked ..." by the one left; "still past" a limit)."""
    rules = ", ".join(dict.fromkeys(c.lockout.rule for c in ends))
    over = next((c.over for c in ends if c.over is not None), None)
    if over is not None:
        until = _lock_words(over.kind, over.until_ns, ctx, ends[0].ts_ns, over.clears_on,
                            over.symbol)
        title = f"🔒 {rules} ended on {account}: still locked {until} ({over.rule})"
    else:
        title = f"🔓 Lockouts ended on {account}: {rules}"
    # a limit still past (an unlock ending a daily limit's lockout, whether or not another
    # lockout still holds the account: trial15a) is in the title, as one change's alert says
    past = list(dict.fromkeys(p.rule for c in ends for p in c.still_past))
    return title + (": ⚠️ the account is still past " + ", ".join(past) if past else "")
