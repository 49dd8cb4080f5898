"""The answers to the read commands, as short phone texts (pure: bodies in, text out).

The figures are riskd's own replies (risk's account status, market's orders, the
supervisor's unguarded time), so a chat says what `riskctl status` says at that moment.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional

from services.notify.templates import Context, money
from shared import accountguard, pricewords, unjudged
from shared.lockwords import ENDED_CLEARING, holder_words, lock_end_words, longest_first
from shared.messages.control import SupervisorStatus
from shared.messages.market import OrdersTable
from shared.messages.risk import AccountStatus, HistoryReply, LockoutState, without_note
from shared.rulenumbers import spelled_out
from shared.notlive import market_stopped, prices_line, why_not_live
from shared import historywords
from shared.plural import plural
from shared.symbols import tickers_in
from shared.when import duration
from shared.showprice import fmt_price

BAR = 10
LOSS_RULES = ("daily_realized_loss", "daily_unrealized_loss", "daily_net_loss", "drawdown_guard")


def amount(value: Optional[Decimal]) -> str:
    return "?" if value is None else f"{value:,.2f}"


def fees_part(fees: Decimal) -> str:
    """Realized PnL includes today's fees (risk's AccountStatus.realized), and says so: a
    trader who watched open PnL read -400.00 then sees realized -400.74 incl. fees 0.74, the
    words of the rules' reasons (services/risk/pnl.fee_note). Open PnL is before fees."""
    return f" incl. fees {fees:,.2f}" if fees else ""


def bar(progress: float) -> str:
    """'▓▓▓░░░░░░░  31%': the share of a limit used (1 = the limit)."""
    filled = max(0, min(BAR, int(round(progress * BAR))))
    return "▓" * filled + "░" * (BAR - filled) + f" {progress:4.0%}"


def title(a: AccountStatus, ctx: Context) -> str:
    """The account as riskd names it everywhere (shared/accountname.called): 'Demo 1 (id 1001)',
    'Demo 2 (strict), id 1002' (trial 2026-12-06: the phone wrote 'Demo 2 (strict) (1002)')."""
    return ctx.called(a.account_id)


def lockout_line(lk: LockoutState, ctx: Context, now_ns: int, not_guarded: str = "") -> str:
    scope = f"{lk.symbol} only" if lk.symbol else "account"
    if lk.until_ns and lk.until_ns <= now_ns:      # risk clears it on its next tick
        end = f"until {ctx.at(lk.until_ns, now_ns)}{ENDED_CLEARING}"
    elif lk.until_ns:
        end = f"until {ctx.at(lk.until_ns, now_ns)} (in {duration((lk.until_ns - now_ns) / 1e9)})"
    else:
        end = lock_end_words(lk)     # in words, as every screen: lockwords
    why = f": {lk.reason}" if lk.reason else ""
    # whose it is, as the screens say: 'cooldown_after_loss, extending trade_frequency_limit's
    # cooldown' for one timer another rule extended (trial20a section 4: one lockout, not two)
    whose = holder_words(lk)
    if not_guarded:          # the account is disabled: nothing enforces this lockout
        return f"🔓 {scope} lockout {end} {accountguard.NOT_ENFORCED}, {whose} by {lk.by}{why}"
    return f"🔒 {scope} locked {end}, {whose} by {lk.by}{why}"


def not_live(a: AccountStatus, sup: Optional[SupervisorStatus], ctx: Context,
             now_ns: int, connections: Iterable = (), heard_ns: int = 0) -> list[str]:
    """The mark `riskctl status` gives an account while market is not running or its quote
    feed is not connected (connections: market's BrokerConnection rows; risk answers with
    market's last quotes: shared/notlive.py), as one line; none while prices are live."""
    why = why_not_live(sup is not None and market_stopped(sup.workers), connections)
    if not why:
        return []
    return [f"⚠️ {prices_line(a, ctx.tz, now_ns, why, heard_ns)}"]


def status_text(accounts: list[AccountStatus], sup: SupervisorStatus, synced: bool,
                ctx: Context, now_ns: int, unreported: list[str] = (),
                connections: Iterable = (), heard_ns: int = 0) -> str:
    """/status (connections: market's broker connections as notify heard them last: prices
    are marked not live while its quote feed is not connected, as `riskctl status` marks
    them)."""
    # an account an admin disabled, or one the broker does not report, is not guarded
    # (trial 2026-12-06: "🟢 guarded now")
    # a held price with no quote during trading hours (shared/quietprice.py): as status says
    stale = pricewords.stale_lines(accounts, now_ns)
    # an action enforcement failed: never "🟢 guarded now" above it (trial 14a, as status)
    failed = accountguard.failed_on(accounts, ctx.called)
    head = accountguard.head(sup.unguarded_now, accounts, ctx.called,
                             guarded="🟢 guarded now", not_guarded="🔴 NOT GUARDED now",
                             unreported=unreported, stale=stale, failed=failed)
    if not sup.unguarded_now and failed:
        head = "🚨 " + head
    elif not sup.unguarded_now and stale:
        head = "🟠 " + head
    elif not sup.unguarded_now and (accountguard.exceptions(accounts, ctx.called)
                                    or unreported):
        head = "🟠" + head[1:]
    lines = [f"{head} · unguarded today {duration(sup.unguarded_today_s)}"]
    if not synced:
        lines.append("⚠️ risk is re-syncing with the broker: figures may lag")
    for a in accounts:
        net = a.realized + a.unrealized
        lines += ["", f"📊 {title(a, ctx)} · day {a.trading_day}",
                  f"balance {amount(a.balance)} · realized {money(a.realized)}"
                  f"{fees_part(a.fees)} · open {money(a.unrealized)}"
                  f"{'' if a.unrealized_complete else ' (incomplete)'} · net {money(net)}"]
        lines += not_live(a, sup, ctx, now_ns, connections, heard_ns)
        if a.not_guarded:
            lines.append(f"🔴 {accountguard.account_line(a.not_guarded)}")
        if a.positions_unjudged:        # only the trade rules judge it now (shared/unjudged.py)
            lines.append("🟠 " + unjudged.line(a.positions_unjudged_since, a.positions_unjudged,
                                               ctx.tz, now_ns))
        if not a.can_trade:
            lines.append("⛔ the broker says this account cannot trade")
        for r in sorted((r for r in a.rules if r.enabled and r.rule in LOSS_RULES
                         and r.progress is not None), key=lambda r: LOSS_RULES.index(r.rule)):
            alert_only = " (alert only)" if r.mode == "alert" else ""
            reading = spelled_out(r.rule, without_note(r.detail)) or \
                f"{money(r.value)} of {money(r.limit)}"      # drawdown_guard: its words
            lines.append(f"{r.rule} {bar(r.progress)} ({reading}){alert_only}")
        lines += [lockout_line(lk, ctx, now_ns, a.not_guarded)
                  for lk in longest_first(a.lockouts, a.next_roll_ns)] \
            or ["🔓 not locked"]
    if not accounts:
        lines.append("no account in this chat's scope")
    return "\n".join(lines)


def positions_text(accounts: list[AccountStatus], ctx: Context,
                   sup: Optional[SupervisorStatus] = None, now_ns: int = 0,
                   connections: Iterable = (), heard_ns: int = 0) -> str:
    """Risk's positions; sup (the supervisor's status) marks them not live while market is
    not running, as `riskctl status` does (trial: "Demo 1 (1001): flat" as if live), with
    the time of market's last message to risk (heard_ns: risk's market_heard_ns)."""
    lines = []
    for a in accounts:
        lines.append(f"📈 {title(a, ctx)}: " + ("flat" if not a.positions
                                                else plural(len(a.positions), "position")))
        lines += ["  " + x for x in not_live(a, sup, ctx, now_ns, connections, heard_ns)]
        for p in a.positions:
            last = f", last {fmt_price(p.last)}" if p.last is not None else ""
            lines.append(f"  {p.symbol} {p.side} {p.size} @ "
                         f"{fmt_price(p.average_price, like=(p.last,))}{last}, "
                         f"open {money(p.unrealized)}")
    return "\n".join(lines) or "no account in this chat's scope"


def orders_text(table: OrdersTable, accounts: list[AccountStatus], ctx: Context) -> str:
    lines = []
    for a in accounts:
        rows = [o for o in table.orders if o.account_id == a.account_id]
        lines.append(f"📋 {title(a, ctx)}: " + (plural(len(rows), "working order") if rows
                                                else "no working orders"))
        for o in rows:
            price = " ".join(x for x in (f"limit {fmt_price(o.limit_price)}"
                                         if o.limit_price is not None
                                         else "", f"stop {fmt_price(o.stop_price)}"
                                         if o.stop_price is not None else "") if x)
            lines.append(f"  #{o.order_id} {o.ticker} {o.side} {o.size} {o.type} {o.status}"
                         + (f" {price}" if price else ""))
    down = [c.hub for c in table.connections if c.state != "connected"]
    if down:
        lines.append(f"⚠️ broker feed not live ({', '.join(down)} hub): orders may lag")
    return "\n".join(lines) or "no account in this chat's scope"


def lockouts_text(accounts: list[AccountStatus], ctx: Context, now_ns: int) -> str:
    lines = []
    for a in accounts:
        lines.append(f"{title(a, ctx)}: " + ("not locked" if not a.lockouts else ""))
        lines += ["  " + lockout_line(lk, ctx, now_ns, a.not_guarded)
                  for lk in longest_first(a.lockouts, a.next_roll_ns)]   # the one waited for
    return "\n".join(x.rstrip(": ") if x.endswith(": ") else x for x in lines) \
        or "no account in this chat's scope"


def history_text(body: HistoryReply, count: int, ctx: Context, day: str,
                 now_ns: Optional[int] = None, outcomes: Optional[dict] = None,
                 unknown: str = "") -> str:
    """Today's newest `count` entries, one line each in `riskctl history`'s words: its rows
    (shared/historywords.py, one piece of code for both: who, what, the reading vs its limit,
    risk's reason, the lockout's kind and end), symbols as tickers (trial 2026-12-06: the phone
    read "drawdown_guard at 80%: ? vs ?", "+3.00 vs +3.00: none" and a broker contract id
    where riskctl history said otherwise). outcomes, unknown: what enforcement did for the
    decisions' commands and why those missing are not known (services/notify/bot/outcomes.py),
    so WHAT is the outcome as riskctl history gives it, never the plan (None: the plan)."""
    entries = historywords.rows(body, outcomes, tz=ctx.tz, unknown=unknown)
    if not entries:
        return f"nothing recorded today ({day})"
    shown = sorted(entries, key=lambda r: r[0], reverse=True)[:count]
    head = f"🕘 today ({day}), newest first: {len(shown)} of {len(entries)}"
    newest = shown[0][0]
    lines = [head]
    for ts, account_id, who, what, *rest in shown:
        name = ctx.called(account_id)
        if who.startswith("warning: "):
            icon = "🟡"
        elif who.endswith(" lockout") or who == "self-lockout":
            icon = "🔓" if what.startswith("cleared") else "🔒"
        else:
            icon = "⚠️"
        what = historywords.without_account(what, account_id, name)
        said = "; ".join(str(p) for p in (what, *rest) if p not in ("", "-", None))
        lines.append(tickers_in(f"{ctx.at(ts, now_ns or newest, seconds=True)} {icon} {name} "
                                f"{who}: {said}"))
    return "\n".join(lines)


def unguarded_text(sup: SupervisorStatus, accounts: list = (), ctx: Optional[Context] = None,
                   unreported: list = ()) -> str:
    """The day's unguarded time and whether riskd guards now: an account an admin disabled
    (or one the broker does not report) is named, as /status names it (trial 2026-12-06:
    "guarded right now" beside /status's "guarded now except Demo 1: disabled by ...")."""
    name_of = ctx.called if ctx is not None else str
    now = accountguard.head(sup.unguarded_now, accounts, name_of, guarded="guarded right now",
                            not_guarded="NOT guarded right now", unreported=unreported)
    return (f"🛡 trading day {sup.trading_day}: unguarded for {duration(sup.unguarded_today_s)} "
            f"so far; {now}")
