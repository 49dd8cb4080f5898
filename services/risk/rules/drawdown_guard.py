"""15. drawdown_guard: equity within `buffer` of the firm's max-loss line -> flatten until roll.

line = high-water mark - max_loss, never above starting_balance (the firms stop trailing
there). The mark rises at each roll with the closing balance (eod) or continuously with
equity (intraday). It is persisted; when it is missing (first start, or a lost state file)
riskd never takes today's balance as a fresh baseline below what it knew: it uses the highest
of starting_balance, line + max_loss and the current balance, and asks (a note) for the line
to be checked against the firm's dashboard.

A configured `line` is the firm's line as its dashboard shows it: whenever it is set (at start
or by a live edit) it is the line, riskd's own mark never overrides it, and the note stops.
"""
from __future__ import annotations

from services.risk.pnl import fmt_money
from services.risk.rules.base import ACCOUNT, POSITION, QUOTE, Measure, Rule, progress, until_reset
from shared.messages.risk import FLATTEN
from shared.rulenumbers import drawdown_reading


def ensure_mark(ctx, params) -> None:
    acct = ctx.account
    if acct.hwm is not None or acct.balance is None or params.starting_balance is None:
        return
    candidates = [params.starting_balance, acct.balance]
    if params.line is not None:
        candidates.append(params.line + params.max_loss)
    acct.hwm = max(candidates)
    if params.line is not None:
        return
    # a trader reads it on the phone: the command an admin types, not a config key (round 7);
    # for this account: each account has its own line at the firm, and a profile's line would
    # be every account's of that profile (trial 2026-12-06: the note named the profile)
    # an account the config does not list takes `accounts add` first: `rules set` edits an
    # [[accounts]] entry (trial17b: the command the note gave was refused for account 1004)
    first = "" if ctx.listed else f"`riskctl accounts add {acct.account_id}`, then "
    ctx.notes.append(f"drawdown high-water mark set to {fmt_money(acct.hwm)} with no saved "
                     f"mark: check the max-loss line against the firm's dashboard; an admin "
                     f"sets it for this account with {first}`riskctl rules set "
                     f"{acct.account_id} drawdown_guard line <the line>` (docs/rules.md, "
                     f"drawdown_guard)")


def equity_and_line(ctx, params):
    acct = ctx.account
    unrealized, _ = ctx.net_open_pnl()
    equity = acct.book_balance() + unrealized      # balance and open PnL as of the same fills
    if params.trailing == "intraday" and equity > acct.hwm:
        acct.hwm = equity
    if params.line is not None:
        return equity, params.line          # the firm's line, always
    line = min(acct.hwm - params.max_loss, params.starting_balance)
    return equity, line


def own_line(acct, params):
    """The line riskd works out itself when no `line` is set (high-water mark - max_loss,
    never above starting_balance); None when a line is set or the mark is not known yet."""
    if acct is None or params is None or params.line is not None or acct.hwm is None \
            or params.starting_balance is None:
        return None
    return min(acct.hwm - params.max_loss, params.starting_balance)


def own_line_unknown(acct, params) -> bool:
    """Whether riskd works out its own line for these params but has no mark to do it yet."""
    return params is not None and params.line is None and params.starting_balance is not None \
        and (acct is None or acct.hwm is None)


OWN_LINE_UNKNOWN = ("none set: riskd's own line, not known yet (no high-water mark until riskd "
                    "reads the balance)")


def own_line_words(line) -> str:
    """riskd's own line as a rule change says it: the line in force, and that none is set
    (trial 21a section 4: "line none -> 49,000.00" while 48,000.00 was in force)."""
    return f"{fmt_money(line)} (none set: riskd's own line, high-water mark - max_loss)"


class DrawdownGuard(Rule):
    reads_open_pnl = True
    name = "drawdown_guard"
    locks_to_roll = True        # a trade made while locked counts: warns while locked
    listens = frozenset({ACCOUNT, QUOTE, POSITION})
    description = "equity near the firm's trailing max-loss line: flatten and lock until roll"

    def _ready(self, ctx, params) -> bool:
        ensure_mark(ctx, params)
        return ctx.account.hwm is not None and ctx.account.balance is not None

    def roll(self, ctx, params) -> None:
        """End of day: the eod mark rises with the closing balance."""
        if self._ready(ctx, params) and params.trailing == "eod":
            ctx.account.hwm = max(ctx.account.hwm, ctx.account.balance)

    def measure(self, ctx, now, params):
        if not self._ready(ctx, params):
            return None
        equity, line = equity_and_line(ctx, params)
        room = equity - line
        # the limit is where the rule acts (line + buffer); the detail says so, and every
        # screen shows it in these words (shared/rulenumbers.py SPELLED_OUT)
        return Measure(equity, line + params.buffer,
                       progress(params.max_loss - room, params.max_loss - params.buffer),
                       drawdown_reading(equity, line, params.buffer))

    def evaluate(self, ctx, event, now, params):
        if not self._ready(ctx, params):
            return []
        equity, line = equity_and_line(ctx, params)
        if equity > line + params.buffer:
            return []
        # the same words as its reading: whether the firm's line itself is crossed
        return [self.decide(ctx, params, now, FLATTEN,
                            drawdown_reading(equity, line, params.buffer),
                            value=equity, limit=line + params.buffer, lock=until_reset(ctx, now))]
