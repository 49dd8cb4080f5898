"""What a replay says: per day actual vs guarded PnL and the first breach, totals, per rule
figures, every decision with its reason; as text tables or one JSON document.

Times are shown in the display zone every screen uses ([notify] timezone, else the trading
day's; docs/operations.md, Times and time zones), passed in as tz.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable, Optional

import attrs

from cli.replay.runner import AccountReplay
from cli.replay.scope import Scope, scope_json, scope_lines, wrapped
from cli.table import cell, render_table
from services.risk.state import symbol_of
from shared import showtime
from shared.clock import from_ns
from shared.lockwords import kind_words
from shared.messages.risk import REDUCE_POSITION

ZERO = Decimal(0)
NS = 1_000_000_000
NOT_A_BREACH = ("trade_management",)      # automation (stop moves), not a breach


@attrs.frozen
class DayRow:
    account_id: int
    account: str
    day: dt.date
    actual: Decimal
    guarded: Decimal
    trades: int
    blocked: int                # the trader's entries stopped by a lockout or cancelled order
    dropped: int                # the trader's exits that followed from a close or a block
    breach_ns: Optional[int] = None
    breach_rule: str = ""
    breach_action: str = ""
    breach_mode: str = ""
    breach_span: Optional[tuple[int, int]] = None   # set off by a bar's price: span (bar_span)

    @property
    def difference(self) -> Decimal:
        return self.guarded - self.actual


@attrs.frozen
class RuleRow:
    rule: str
    fired: int                  # decisions recorded (acted on, or "would have" in alert mode)
    days: int                   # trading days it fired on
    contracts_closed: int
    blocked: int                # entries its lockouts (or cancels) stopped
    dropped: int                # exits of contracts it closed or whose entry it blocked
    changed: Decimal            # guarded minus actual PnL its actions caused


@attrs.define
class Report:
    label: str
    accounts: list[AccountReplay]
    rows: list[DayRow]
    rules: list[RuleRow]
    retried: list[str] = attrs.Factory(list)
    notes: list[str] = attrs.Factory(list)
    days: list[dt.date] = attrs.Factory(list)      # the trading days asked for
    day_of: Optional[Callable[[int], dt.date]] = None   # ts_ns -> its trading day
    name_of: Optional[Callable[[int, str], str]] = None   # (id, broker's name) -> name: build()
    # what the replay can and cannot show: the running day, the config judged (scope.py)
    scope: Optional[Scope] = None

    def account_name(self, r: AccountReplay) -> str:
        """How this report names a replayed account (as every screen does)."""
        return (self.name_of or broker_name)(r.account_id, r.name)

    @property
    def actual(self) -> Decimal:
        return sum((r.actual for r in self.rows), ZERO)

    @property
    def guarded(self) -> Decimal:
        return sum((r.guarded for r in self.rows), ZERO)

    @property
    def blocked(self) -> int:
        return sum(r.blocked for r in self.rows)

    @property
    def dropped(self) -> int:
        return sum(r.dropped for r in self.rows)

    @property
    def traded_days(self) -> list[dt.date]:
        """The trading days of the range that had trades (on any replayed account)."""
        return sorted({r.day for r in self.rows})


def _breaches(decisions):
    """Every breach recorded, acted on or not (a suppressed one may still have set a lockout);
    trade_management's stop moves are automation, not breaches."""
    return [d for d in decisions if d.rule not in NOT_A_BREACH]


def bar_span(r: AccountReplay, d) -> Optional[tuple[int, int]]:
    """The span a decision's bar price came in (from, to ns), when a second or longer: the
    replay cannot time it better than that (one-minute bars; with --bars 1s it is the second
    shown). None: timed by a fill, an order or the clock, to the moment."""
    span = r.bar_timed.get(d.id)
    return span if span is not None and span[1] - span[0] >= NS else None


def what_done(d) -> str:
    """The action, or the lockout when the decision only locks (a cooldown without flatten)."""
    if d.action == "none" and d.lock is not None:
        return f"lock ({kind_words(d.lock.kind, d.rule)})"
    return d.action


def broker_name(account_id: int, name: str) -> str:
    """The broker's name, else the id: the name of a replay that knows no config."""
    return name or str(account_id)


def build(label: str, replays: list[AccountReplay], day_of, days: list[dt.date],
          retried: list[str] = (), name_of: Optional[Callable[[int, str], str]] = None
          ) -> Report:
    """name_of(account_id, broker's name) names an account in every row, decision and JSON
    document: riskctl replay passes the screens' namer ("Demo 1 (1001)", shared/accountname.py)
    so a replay names accounts as status, watch and history do (trial: replay said
    "SIM-DEMO-1", every other screen "Demo 1 (1001)")."""
    name_of = name_of or broker_name
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
            rows.append(DayRow(r.account_id, name_of(r.account_id, r.name), day, tally.actual,
                               tally.guarded, tally.trades, tally.blocked, tally.dropped,
                               b.ts_ns if b else None, b.rule if b else "",
                               what_done(b) if b else "", b.mode if b else "",
                               bar_span(r, b) if b else None))
    names = sorted(set(fired) | {n for r in replays for n in r.rules})
    rules = []
    for name in names:
        effects = [r.rules[name] for r in replays if name in r.rules]
        rules.append(RuleRow(name, len(fired.get(name, [])), len(set(fired.get(name, []))),
                             sum(e.contracts_closed for e in effects),
                             sum(e.blocked for e in effects),
                             sum(e.dropped for e in effects),
                             sum((e.changed for e in effects), ZERO)))
    return Report(label, replays, rows, rules, list(retried), days=list(days), day_of=day_of,
                  name_of=name_of)


# -- text ---------------------------------------------------------------------------------------

def money(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01')):,f}"


def signed_money(v: Decimal) -> str:
    return ("+" if v > 0 else "") + money(v)


def hhmm(ns: Optional[int], tz) -> str:
    """A moment of a replayed day as every screen shows a time (shared/showtime.py): its day and
    zone ('Mon 08:51:20 CST'; the row gives the date). Trial: 'first breach 08:51:20' had no
    zone."""
    return showtime.at(ns, tz or dt.timezone.utc, ns, seconds=True) if ns is not None else ""


BAR_MARK = "*"
BAR_LEGEND = ("*: set off by a bar's price, timed by the bar only: riskd acted when the "
              "price got there, within the span --decisions gives")
LEGEND = ("blocked: your entries that a lockout or a cancelled order stopped",
          "dropped: your exits of contracts riskd had closed or never let you open")
# what the rule table's CLOSED counts (trial24b F3: read as closes, 10 of them beside 11)
CLOSED_LEGEND = ("closed: contracts the rule's closes took out (on a day riskd guarded, those "
                 "its own fills closed, as its records have it)")


def table(headers, rows, right=(), notes=None, headings=None) -> str:
    """render_table with the columns in `right` (numbers) aligned right, each row's note
    (None: none) on an indented line under it, and each row's heading (None: none) on a line
    of its own above it."""
    cells = [[cell(v) for v in row] for row in rows]
    for i in right:
        w = max([len(headers[i])] + [len(r[i]) for r in cells])
        headers = [*headers[:i], headers[i].rjust(w), *headers[i + 1:]]
        for r in cells:
            r[i] = r[i].rjust(w)
    lines = render_table(headers, cells).split("\n")
    out = lines[:1]
    for i, line in enumerate(lines[1:]):
        if headings and i < len(headings) and headings[i]:
            out.append(headings[i])
        out.append(line)
        if notes and i < len(notes) and notes[i]:
            out.append("    " + notes[i])
    return "\n".join(out)


def breach_text(r: DayRow, tz) -> str:
    """The day's first breach: time, rule, what was done ('' when none)."""
    if not r.breach_rule:
        return ""
    return (f"{hhmm(r.breach_ns, tz)}{BAR_MARK if r.breach_span else ''} {r.breach_rule} "
            f"{r.breach_action}" + (" (alert)" if r.breach_mode == "alert" else ""))


def account_headings(rows) -> list:
    """The account's name above its first day (None under it): the rows name accounts as
    every screen does ("Demo 2 (strict), id 1002"), too long for a column of a table that
    fits 80 columns."""
    return [r.account if i == 0 or rows[i - 1].account_id != r.account_id else None
            for i, r in enumerate(rows)]


def day_table(report: Report, tz) -> str:
    """One line per day under its account's name; the first breach on an indented line under
    its day."""
    rows = [(r.day.isoformat(), money(r.actual), money(r.guarded),
             signed_money(r.difference), r.blocked, r.dropped) for r in report.rows]
    notes = [f"first breach {breach_text(r, tz)}" if r.breach_rule else None
             for r in report.rows]
    rows.append(("total", money(report.actual), money(report.guarded),
                 signed_money(report.guarded - report.actual), report.blocked,
                 report.dropped))
    return table(("day", "actual", "guarded", "difference", "blocked", "dropped"),
                 rows, right=(1, 2, 3, 4, 5), notes=notes,
                 headings=account_headings(report.rows))


def rule_table(report: Report) -> str:
    """Per rule; its blocked and dropped add up to the day table's totals."""
    rows = [(r.rule, r.fired, r.days, r.contracts_closed, r.blocked, r.dropped,
             signed_money(r.changed)) for r in report.rules]
    rows.append(("total", "", "", sum(r.contracts_closed for r in report.rules),
                 sum(r.blocked for r in report.rules), sum(r.dropped for r in report.rules),
                 signed_money(sum((r.changed for r in report.rules), ZERO))))
    return table(("rule", "fired", "days", "closed", "blocked", "dropped", "changed pnl"),
                 rows, right=(1, 2, 3, 4, 5, 6))


def range_of(report: Report) -> dict:
    """The range asked and the days in it that had trades: one truth for text, JSON, HTML."""
    traded = report.traded_days
    return {"from": report.days[0].isoformat() if report.days else None,
            "to": report.days[-1].isoformat() if report.days else None,
            "trading_days": len(report.days),
            "days_with_trades": len(traded),
            "first_with_trades": traded[0].isoformat() if traded else None,
            "last_with_trades": traded[-1].isoformat() if traded else None,
            **scope_json(report.scope)}


def range_lines(report: Report, tz=None) -> list[str]:
    """The range asked, then the days of it that had trades, then what the replay can and
    cannot show (the running day, the config judged: scope.py) (text footer, HTML header)."""
    r = range_of(report)
    traded = (f"{r['first_with_trades']} to {r['last_with_trades']} ({r['days_with_trades']})"
              if r["days_with_trades"] else "none")
    return [f"trading days asked: {r['from']} to {r['to']} ({r['trading_days']})",
            f"days with trades:   {traded}", *scope_lines(report.scope, tz)]


def decision_lines(report: Report, tz) -> list[str]:
    """One line per decision, dated by its trading day as the day table dates it, then its
    moment as the first breach shows it ('2026-12-07 Sun 17:40:00 CST'; trial17b: trading day
    2026-12-07's events read '2026-12-06 17:40:00 CST', the calendar date)."""
    out = []
    for r in report.accounts:
        for d in r.decisions:
            day = report.day_of(d.ts_ns) if report.day_of is not None else \
                from_ns(d.ts_ns, tz).date()
            when = f"{day.isoformat()} {hhmm(d.ts_ns, tz)}"
            note = f" [not acted on: {d.suppressed}]" if d.suppressed else ""
            span = bar_span(r, d)
            if span:
                note += (f" [a bar's price: it came between {hhmm(span[0], tz)} and "
                         f"{hhmm(span[1], tz)}]")
            own = r.riskd_own.get(d.id)
            if own is not None:
                flat = found_words(own, flat_on(r, d), d.contract_id is None)
                note += f" [riskd's own: {hhmm(own.ts_ns, tz)}" + \
                    (f": {own.reason}" if own.reason else "") + f"{flat}" + \
                    lost_words(own, tz) + "]"
            out.append(f"{when} {report.account_name(r)} {d.mode}:{d.rule} {d.action}"
                       f"{' ' + d.contract_id if d.contract_id else ''}: {d.reason}{note}")
    return out


def render(report: Report, tz, decisions: bool = False) -> str:
    parts = [day_table(report, tz), *LEGEND]
    if any(r.breach_span for r in report.rows):
        parts += wrapped([BAR_LEGEND], 80)
    if report.rules:
        parts += ["", rule_table(report), *wrapped([CLOSED_LEGEND], 80)]
    if decisions:
        parts += ["", *decision_lines(report, tz)]
    if report.retried:
        parts += ["", "retried:", *[f"  {x}" for x in report.retried]]
    if report.notes:
        # within 80 columns like the rest (a note of riskd's records is a sentence long)
        parts += ["", "notes:", *["  " + x for x in wrapped(report.notes, 78)]]
    return "\n".join(parts)


def compare_table(a: Report, b: Report) -> str:
    """Two configs side by side, day by day (A and B named above the table, first breaches
    under their day), within 80 columns however long the labels."""
    other = {(r.account_id, r.day): r for r in b.rows}
    rows, notes = [], []
    for r in a.rows:
        o = other.get((r.account_id, r.day))
        rows.append((r.day.isoformat(), money(r.actual), money(r.guarded),
                     money(o.guarded) if o else "-",
                     signed_money(o.guarded - r.guarded) if o else "-"))
        breaches = [f"{k} {x.breach_rule}" for k, x in (("A", r), ("B", o))
                    if x is not None and x.breach_rule]
        notes.append("first breach " + ", ".join(breaches) if breaches else None)
    rows.append(("total", money(a.actual), money(a.guarded), money(b.guarded),
                 signed_money(b.guarded - a.guarded)))
    return "\n".join([f"A: {a.label}", f"B: {b.label}",
                      table(("day", "actual", "guarded A", "guarded B", "B - A"),
                            rows, right=(1, 2, 3, 4), notes=notes,
                            headings=account_headings(a.rows))])


# -- JSON ---------------------------------------------------------------------------------------

def amount(v: Decimal) -> str:
    """Money in JSON: exact, with at least cents ("0.00", not "0")."""
    return str(v.quantize(Decimal("0.01")) if v.as_tuple().exponent > -2 else v)


def span_json(span: Optional[tuple[int, int]]) -> Optional[dict]:
    """A bar-timed decision's span in JSON (None: timed to the moment)."""
    return None if span is None else {"from_ns": span[0], "to_ns": span[1]}


def to_json(report: Report, tz=None) -> dict:
    """The whole report; `tz` adds each first breach's local time next to its ts_ns."""
    from cli.context import to_jsonable
    return {
        "label": report.label,
        "days": [{"day": r.day.isoformat(), "account_id": r.account_id, "account": r.account,
                  "actual": amount(r.actual), "guarded": amount(r.guarded),
                  "difference": amount(r.difference), "trades": r.trades, "blocked": r.blocked,
                  "dropped": r.dropped,
                  "first_breach": None if not r.breach_rule else {
                      "ts_ns": r.breach_ns,
                      **({"time": from_ns(r.breach_ns, tz).isoformat()} if tz else {}),
                      "rule": r.breach_rule, "action": r.breach_action,
                      "mode": r.breach_mode, "bar_timed": span_json(r.breach_span)}}
                 for r in report.rows],
        "totals": {"actual": amount(report.actual), "guarded": amount(report.guarded),
                   "difference": amount(report.guarded - report.actual),
                   "blocked": report.blocked, "dropped": report.dropped},
        "range": range_of(report),
        "rules": [{"rule": r.rule, "fired": r.fired, "days": r.days,
                   "contracts_closed": r.contracts_closed, "blocked": r.blocked,
                   "dropped": r.dropped,
                   "changed": amount(r.changed)} for r in report.rules],
        "decisions": [dict(to_jsonable(d), account=report.account_name(a),
                           bar_timed=span_json(bar_span(a, d)),
                           riskd=riskd_json(a.riskd_own.get(d.id), flat_on(a, d)))
                      for a in report.accounts
                      for d in a.decisions],
        "retried": report.retried,
        "notes": report.notes,
    }


def riskd_json(own, found: list[str] = ()) -> Optional[dict]:
    """riskd's own decision a replayed close was matched with, or None; found: the contracts
    its close found flat (flat_on)."""
    return None if own is None else {"ts_ns": own.ts_ns, "reason": own.reason,
                                     "found_flat": bool(found), "found_flat_on": list(found),
                                     "unanswered": [{"contract_id": x.contract_id,
                                                     "how": x.how, "lost_ns": x.lost_ns}
                                                    for x in getattr(own, "lost", ())]}


def found_words(own, found: list[str], flatten: bool) -> str:
    """What riskd's own close found at the broker when it made no fill there (found: flat_on),
    in --decisions' words. A reduce with no close order of its own found the position at or
    under its target, flat or not (enforcement: "MNQ ... is at 5 (target 5): nothing left to
    do"), so it is not said to have found it flat (trial 23c F2: "its close found MNQ already
    flat" of a reduce that found MNQ at 5)."""
    if not found:
        return ""
    names = ", ".join(symbol_of(c) for c in found)
    if own.action == REDUCE_POSITION:
        return f"; its reduce found {names} already at or under its target and made no fill"
    return f"; its close found {names} already flat and made no fill" + (
        " there" if len(found) > 1 or flatten else "")


def lost_words(own, tz) -> str:
    """riskd's own close's calls that got no answer it could trust (enforcement's result lists
    them unsettled: 'HTTP 500', 'timed out', 'sent before enforcement restarted'), as its
    records have them: said, never left out (trial25c F4: the cut answered HTTP 500 read as
    plain 'reduce MNQ by 2'). Whether the broker carried such a call out riskd could not tell
    then; a fill of it that came later is riskd's late close in its history."""
    return "".join(
        f"; its call on {symbol_of(x.contract_id)} got {x.how or 'no answer'}"
        + (f" at {hhmm(x.lost_ns, tz)}" if x.lost_ns else "")
        + ", whether the broker carried it out riskd could not tell then"
        for x in getattr(own, "lost", ()))


def flat_on(r, d) -> list[str]:
    """The contracts riskd's own close matched with decision d found already flat, making no
    fill there (a close's or reduce's own contract; a flatten's, each the replay held then)."""
    own = r.riskd_own.get(d.id)
    if own is None:
        return []
    return r.flat_found.get(d.id) or ([own.contract_id] if own.found_flat else [])


def day_starts(points, day_of) -> list[tuple[int, dt.date]]:
    """(index, trading day) of the first point of each trading day in an equity curve: the
    date marks of both charts (the curves advance point by point, not by clock time)."""
    out: list[tuple[int, dt.date]] = []
    if day_of is None:
        return out
    for i, (ts, _a, _g) in enumerate(points):
        day = day_of(ts)
        if not out or out[-1][1] != day:
            out.append((i, day))
    return out


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
