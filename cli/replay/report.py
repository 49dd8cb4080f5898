"""What a replay says: per day actual vs guarded PnL and the first breach, totals, per rule
figures, every decision with its reason; as text tables or one JSON document.

Times are shown in the trading calendar's zone (the zone the trading day rolls in).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from cli.replay.runner import AccountReplay
from cli.table import render_table
from shared.clock import from_ns

ZERO = Decimal(0)
NOT_A_BREACH = ("trade_management",)      # automation (stop moves), not a breach


@attrs.frozen
class DayRow:
    account_id: int
    account: str
    day: dt.date
    actual: Decimal
    guarded: Decimal
    trades: int
    blocked: int
    breach_ns: Optional[int] = None
    breach_rule: str = ""
    breach_action: str = ""
    breach_mode: str = ""

    @property
    def difference(self) -> Decimal:
        return self.guarded - self.actual


@attrs.frozen
class RuleRow:
    rule: str
    fired: int                  # decisions recorded (acted on, or "would have" in alert mode)
    days: int                   # trading days it fired on
    contracts_closed: int
    trades_blocked: int
    changed: Decimal            # guarded minus actual PnL its actions caused


@attrs.define
class Report:
    label: str
    accounts: list[AccountReplay]
    rows: list[DayRow]
    rules: list[RuleRow]
    retried: list[str] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)

    @property
    def actual(self) -> Decimal:
        return sum((r.actual for r in self.rows), ZERO)

    @property
    def guarded(self) -> Decimal:
        return sum((r.guarded for r in self.rows), ZERO)

    @property
    def blocked(self) -> int:
        return sum(r.blocked for r in self.rows)


def _breaches(decisions):
    """Every breach recorded, acted on or not (a suppressed one may still have set a lockout);
    trade_management's stop moves are automation, not breaches."""
    return [d for d in decisions if d.rule not in NOT_A_BREACH]


def what_done(d) -> str:
    """The action, or the lockout when the decision only locks (a cooldown without flatten)."""
    if d.action == "none" and d.lock is not None:
        return f"lock {d.lock.kind}"
    return d.action


def build(label: str, replays: list[AccountReplay], day_of, days: list[dt.date],
          retried: list[str] = ()) -> Report:
    rows: list[DayRow] = []
    fired: dict[str, list] = {}
    for r in replays:
        first: dict[dt.date, object] = {}
        for d in _breaches(r.decisions):
            first.setdefault(day_of(d.ts_ns), d)
            fired.setdefault(d.rule, []).append(day_of(d.ts_ns))
        for day in days:
            tally = r.days.get(day)
            if tally is None or not tally.trades:
                continue
            b = first.get(day)
            rows.append(DayRow(r.account_id, r.name or str(r.account_id), day, tally.actual,
                               tally.guarded, tally.trades, tally.blocked,
                               b.ts_ns if b else None, b.rule if b else "",
                               what_done(b) if b else "", b.mode if b else ""))
    names = sorted(set(fired) | {n for r in replays for n in r.rules})
    rules = []
    for name in names:
        effects = [r.rules[name] for r in replays if name in r.rules]
        rules.append(RuleRow(name, len(fired.get(name, [])), len(set(fired.get(name, []))),
                             sum(e.contracts_closed for e in effects),
                             sum(e.trades_blocked for e in effects),
                             sum((e.changed for e in effects), ZERO)))
    return Report(label, replays, rows, rules, list(retried))


# -- text ---------------------------------------------------------------------------------------

def money(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01')):,f}"


def signed_money(v: Decimal) -> str:
    return ("+" if v > 0 else "") + money(v)


def hhmm(ns: Optional[int], tz) -> str:
    return from_ns(ns, tz).strftime("%H:%M:%S") if ns is not None else ""


def day_table(report: Report, tz) -> str:
    rows = [(r.day.isoformat(), r.account, money(r.actual), money(r.guarded),
             signed_money(r.difference),
             f"{hhmm(r.breach_ns, tz)} {r.breach_rule} {r.breach_action}"
             + (" (alert)" if r.breach_mode == "alert" else "") if r.breach_rule else "-",
             r.blocked)
            for r in report.rows]
    rows.append(("total", "", money(report.actual), money(report.guarded),
                 signed_money(report.guarded - report.actual), "", report.blocked))
    return render_table(("day", "account", "actual", "guarded", "difference", "first breach",
                         "blocked"), rows)


def rule_table(report: Report) -> str:
    return render_table(("rule", "fired", "days", "closed", "blocked", "changed pnl"),
                        [(r.rule, r.fired, r.days, r.contracts_closed, r.trades_blocked,
                          signed_money(r.changed)) for r in report.rules])


def decision_lines(report: Report, tz) -> list[str]:
    out = []
    for r in report.accounts:
        for d in r.decisions:
            when = from_ns(d.ts_ns, tz).strftime("%Y-%m-%d %H:%M:%S")
            note = f" [not acted on: {d.suppressed}]" if d.suppressed else ""
            out.append(f"{when} {r.name or r.account_id} {d.mode}:{d.rule} {d.action}"
                       f"{' ' + d.contract_id if d.contract_id else ''}: {d.reason}{note}")
    return out


def render(report: Report, tz, decisions: bool = False) -> str:
    parts = [day_table(report, tz)]
    if report.rules:
        parts += ["", rule_table(report)]
    if decisions:
        parts += ["", *decision_lines(report, tz)]
    if report.retried:
        parts += ["", "retried:", *[f"  {x}" for x in report.retried]]
    if report.notes:
        parts += ["", "notes:", *[f"  {x}" for x in report.notes]]
    return "\n".join(parts)


def compare_table(a: Report, b: Report) -> str:
    """Two configs side by side, day by day."""
    other = {(r.account_id, r.day): r for r in b.rows}
    rows = []
    for r in a.rows:
        o = other.get((r.account_id, r.day))
        rows.append((r.day.isoformat(), r.account, money(r.actual), money(r.guarded),
                     money(o.guarded) if o else "-", r.breach_rule or "-",
                     (o.breach_rule or "-") if o else "-"))
    rows.append(("total", "", money(a.actual), money(a.guarded), money(b.guarded), "", ""))
    return render_table(("day", "account", "actual", f"guarded {a.label}",
                         f"guarded {b.label}", f"first breach {a.label}",
                         f"first breach {b.label}"), rows)


# -- JSON ---------------------------------------------------------------------------------------

def to_json(report: Report) -> dict:
    from cli.context import to_jsonable
    return {
        "label": report.label,
        "days": [{"day": r.day.isoformat(), "account_id": r.account_id, "account": r.account,
                  "actual": str(r.actual), "guarded": str(r.guarded),
                  "difference": str(r.difference), "trades": r.trades, "blocked": r.blocked,
                  "first_breach": None if not r.breach_rule else {
                      "ts_ns": r.breach_ns, "rule": r.breach_rule, "action": r.breach_action,
                      "mode": r.breach_mode}} for r in report.rows],
        "totals": {"actual": str(report.actual), "guarded": str(report.guarded),
                   "difference": str(report.guarded - report.actual),
                   "blocked": report.blocked, "days": len(report.rows)},
        "rules": [{"rule": r.rule, "fired": r.fired, "days": r.days,
                   "contracts_closed": r.contracts_closed, "trades_blocked": r.trades_blocked,
                   "changed": str(r.changed)} for r in report.rules],
        "decisions": [dict(to_jsonable(d), account=a.name) for a in report.accounts
                      for d in a.decisions],
        "retried": report.retried,
        "notes": report.notes,
    }


def equity_curve(report: Report) -> list[tuple[int, Decimal, Decimal]]:
    """Cumulative actual and guarded PnL of all replayed accounts together, point by point."""
    last: dict[int, tuple[Decimal, Decimal]] = {}
    points = sorted((ts, a.account_id, act, grd) for a in report.accounts
                    for ts, act, grd in a.curve)
    out = []
    for ts, aid, act, grd in points:
        last[aid] = (act, grd)
        out.append((ts, sum((v[0] for v in last.values()), ZERO),
                    sum((v[1] for v in last.values()), ZERO)))
    return out
