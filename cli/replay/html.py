"""--html FILE: one self-contained page (no script, no network): both equity curves as inline
SVG, the per-day table, the per-rule figures, every decision with its reason, and the notes
the text output prints (what the replay could not do as riskd asked, riskd's records, where a
day riskd guarded parts from what it did)."""
from __future__ import annotations

import html

from cli.replay.report import (BAR_LEGEND, CLOSED_LEGEND, LEGEND, ZERO, Report, breach_text,
                               day_starts, decision_lines, equity_curve, money, range_lines,
                               signed_money)
from shared.clock import from_ns

W, H, PAD = 900, 300, 40
STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;
text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.neg{color:#b00}.pos{color:#070}pre{white-space:pre-wrap;font-size:.9em}"""


def day_ticks(points, day_of, width: int = W) -> list[tuple[float, str]]:
    """(x, label) at the first point of each trading day, labels at least 40 px apart."""
    n = max(1, len(points) - 1)
    out: list[tuple[float, str]] = []
    for i, day in day_starts(points, day_of):
        x = PAD + (width - 2 * PAD) * i / n
        if not out or x - out[-1][0] >= 40:
            out.append((x, day.strftime("%m-%d")))
    return out


def svg_curves(points, width: int = W, height: int = H, day_of=None) -> str:
    """Actual (grey) and guarded (blue) cumulative PnL over the replayed fills and closes,
    with the trading days marked along the bottom."""
    if not points:
        return "<p>no trades to chart</p>"
    values = [float(v) for _, a, g in points for v in (a, g)] + [0.0]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    n = max(1, len(points) - 1)

    def xy(i, v):
        x = PAD + (width - 2 * PAD) * i / n
        y = height - PAD - (height - 2 * PAD) * (float(v) - lo) / span
        return f"{x:.1f},{y:.1f}"

    actual = " ".join(xy(i, a) for i, (_, a, _g) in enumerate(points))
    guarded = " ".join(xy(i, g) for i, (_, _a, g) in enumerate(points))
    zero = height - PAD - (height - 2 * PAD) * (0 - lo) / span
    base = height - PAD
    ticks = "".join(
        f'<line x1="{x:.1f}" y1="{PAD}" x2="{x:.1f}" y2="{base + 4}" stroke="#eee"/>'
        f'<text x="{x:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">{label}'
        f'</text>' for x, label in day_ticks(points, day_of, width))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="equity curves">'
            f'{ticks}'
            f'<line x1="{PAD}" y1="{zero:.1f}" x2="{width - PAD}" y2="{zero:.1f}" '
            f'stroke="#ccc"/>'
            f'<polyline fill="none" stroke="#888" stroke-width="2" points="{actual}"/>'
            f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{guarded}"/>'
            f'<text x="{PAD}" y="16" font-size="12">{html.escape(money(points[-1][1]))} actual '
            f'(grey) / {html.escape(money(points[-1][2]))} guarded (blue)</text>'
            f'<text x="4" y="{PAD}" font-size="11">{hi:,.0f}</text>'
            f'<text x="4" y="{base}" font-size="11">{lo:,.0f}</text>'
            f'<text x="{width - PAD}" y="{height - 4}" font-size="11" text-anchor="end">'
            f'trading day</text></svg>')


def _cls(v) -> str:
    return "neg" if v < 0 else "pos" if v > 0 else ""


def render_html(report: Report, tz, title: str = "riskd replay") -> str:
    e = html.escape
    day_rows = "".join(
        f"<tr><td>{r.day}</td><td>{e(r.account)}</td><td class={_cls(r.actual)}>"
        f"{money(r.actual)}</td><td class={_cls(r.guarded)}>{money(r.guarded)}</td>"
        f"<td class={_cls(r.difference)}>{signed_money(r.difference)}</td>"
        f"<td>{e(breach_text(r, tz) or '-')}</td><td>{r.blocked}</td><td>{r.dropped}</td>"
        f"</tr>" for r in report.rows)
    total = report.guarded - report.actual
    day_rows += (f"<tr><th>total</th><th></th><th>{money(report.actual)}</th>"
                 f"<th>{money(report.guarded)}</th><th>{signed_money(total)}</th><th></th>"
                 f"<th>{report.blocked}</th><th>{report.dropped}</th></tr>")
    rule_rows = "".join(
        f"<tr><td>{e(r.rule)}</td><td>{r.fired}</td><td>{r.days}</td>"
        f"<td>{r.contracts_closed}</td><td>{r.blocked}</td><td>{r.dropped}</td>"
        f"<td class={_cls(r.changed)}>{signed_money(r.changed)}</td></tr>"
        for r in report.rules)
    changed = sum((r.changed for r in report.rules), ZERO)
    rule_rows += (f"<tr><th>total</th><th></th><th></th>"
                  f"<th>{sum(r.contracts_closed for r in report.rules)}</th>"
                  f"<th>{sum(r.blocked for r in report.rules)}</th>"
                  f"<th>{sum(r.dropped for r in report.rules)}</th>"
                  f"<th>{signed_money(changed)}</th></tr>")
    decisions = "\n".join(e(line) for line in decision_lines(report, tz)) or "none"
    bar_legend = f"<p>{e(BAR_LEGEND)}.</p>" if any(r.breach_span for r in report.rows) else ""
    notes = ("<h2>Notes</h2>\n<ul>" + "".join(f"<li>{e(n)}</li>" for n in report.notes)
             + "</ul>") if report.notes else ""
    retried = ("<h2>Retried</h2>\n<ul>" + "".join(f"<li>{e(x)}</li>" for x in report.retried)
               + "</ul>") if report.retried else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{e(title)}: {e(report.label)}</h1>
<p>{'; '.join(e(' '.join(x.split())) for x in range_lines(report, tz))}.</p>
<p>Actual: what the broker booked. Guarded: the same days with
riskd's rules acting (closes at that moment's bar price with the close fee; trades a lockout
would have blocked removed with their exits). See docs/replay.md.</p>
{svg_curves(equity_curve(report), day_of=report.day_of)}
<h2>Days</h2>
<table><tr><th>day</th><th>account</th><th>actual</th><th>guarded</th><th>difference</th>
<th>first breach</th><th>blocked</th><th>dropped</th></tr>{day_rows}</table>
<p>{e(LEGEND[0])}; {e(LEGEND[1])}.</p>
{bar_legend}
<h2>Rules</h2>
<table><tr><th>rule</th><th>fired</th><th>days</th><th>contracts closed</th>
<th>blocked</th><th>dropped</th><th>changed PnL</th></tr>{rule_rows}</table>
<p>{e(CLOSED_LEGEND)}.</p>
<h2>Decisions</h2>
<pre>{decisions}</pre>
{notes}
{retried}
<p>Last replayed event: {e(last_event(report, tz))}</p>
</body></html>
"""


def last_event(report: Report, tz) -> str:
    last = max((p[0] for a in report.accounts for p in a.curve), default=None)
    return "-" if last is None else from_ns(last, tz).strftime("%Y-%m-%d %H:%M %Z")
