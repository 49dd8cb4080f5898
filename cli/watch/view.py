"""The watch screen's layout: a Screen (model.py) -> at most `height` lines of styled text.

Pure: no terminal here. A line is a tuple of (text, style) segments whose
total length is at most `width`; styles are names (bold, dim, green, amber,
red, banner, error, warning, tab) that app.py maps to blessed colours and
`riskctl status` drops. The order of importance decides what survives a
small terminal: header, notice, lockout banners, money and loss-limit bars
always; then positions, the rules and the last actions, each cut with a
"+N more" line when the height runs out; a legend line explains the glyphs.
"""
from __future__ import annotations

import re
import textwrap
from typing import Iterable, Optional

import attrs

from shared.accountname import called
from cli.watch import rulegrid, shortreading
from cli.watch.columns import (CUT, action_cell, action_columns, action_word, name_cuts,
                               who_word)
from cli.watch.model import CLOSING, WAITING, AccountView, Bar, Screen

Seg = tuple[str, str]
Line = tuple[Seg, ...]
MIN_BAR = 10
MAX_BAR = 40
RULE_CELL = 40
MIN_RULE_CELL = rulegrid.MIN_RULE_CELL       # the narrowest rule cell in compact layouts
KEYS_HELP = "q quit  tab/arrows: next account"
ACTIONS_SHOWN = 3             # LAST ACTIONS' newest rows on the smallest screen (actions_floor)
ACTIONS_MORE = "today (riskctl history)"   # '+5 more today (riskctl history)'
LEGEND_FROM = 16              # terminal rows from which the glyph legend has a line


def seg(text: str, style: str = "") -> Seg:
    return (text, style)


def fit(segs: Iterable[Seg], width: int) -> Line:
    """Cut a line to `width` characters (segments kept whole while they fit). A line that loses
    more than blanks ends in CUT ('…'), never silently short of its end (trial 2026-12-06:
    `riskctl status` piped cut sentences mid-word); blank padding is cut silently."""
    segs = list(segs)
    out, used = [], 0
    for i, (text, style) in enumerate(segs):
        if used >= width:
            lost = "".join(t for t, _ in segs[i:])
        elif used + len(text) > width:
            lost = text[width - used:] + "".join(t for t, _ in segs[i + 1:])
            out.append((text[:width - used], style))
        else:
            out.append((text, style))
            used += len(text)
            continue
        if lost.strip() and out and width > 1:   # the line goes on: its last character says so
            last, style = out[-1]
            out[-1] = (last[:-1] + CUT, style)
        break
    return tuple(out)


def column(text: str, width: int) -> str:
    """text in a column `width` wide: padded, or cut with CUT when longer (never silently)."""
    return f"{text:<{width}}" if len(text) <= width else text[:max(0, width - 1)] + CUT


def word_column(text: str, width: int) -> str:
    """column() for words: a text longer than `width` is cut after its last whole word that
    fits, then CUT ('ended early…', not 'ended early 12:24:…'; check23: 'cut 2 too ma…');
    one word longer than the column is cut as column() cuts it."""
    if len(text) <= width:
        return f"{text:<{width}}"
    head = text[:max(0, width - 1)]
    if text[len(head)] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    head = head.rstrip(" ,;:")
    return f"{head + CUT:<{width}}" if head else column(text, width)


def text_of(line: Line) -> str:
    return "".join(t for t, _ in line)


def plain(lines: Iterable[Line]) -> str:
    """Lines without styles, trailing blanks trimmed (riskctl status, tests)."""
    return "\n".join(text_of(line).rstrip() for line in lines)


# -- pieces -------------------------------------------------------------------------------------

def header_lines(screen: Screen, width: int, unicode: bool) -> list[Line]:
    h = screen.header
    broker_style = {True: "green", False: "red"}.get(h.broker_ok, "amber")
    when = [seg(" riskd ", "tab"), seg(f" {h.clock}  day {h.trading_day}  "),
            seg(f"roll in {h.to_roll}")]
    broker = [seg("  broker "), seg(h.broker, broker_style)]
    if sum(len(t) for t, _ in when + broker) <= width:
        heads = [fit(when + broker, width)]
    else:                     # the broker's state is never cut: a line of its own
        heads = [fit(when, width), fit([seg("broker "), broker[1]], width)]
    dot = "\u25cf" if unicode else "*"
    segs: list[Seg] = [seg("workers", "dim")]
    if not h.workers:
        segs.append(seg(" unknown", "amber"))
    for w in h.workers:
        segs.append(seg(f" {w.name}"))
        segs.append(seg(dot if w.healthy else f"{dot}{w.state}", "green" if w.healthy else "red"))
    return [*heads, fit(segs, width)]


def tab_lines(screen: Screen, width: int, max_lines: int) -> list[Line]:
    """A tab bar when the names fit on one line, else a compact table of every account."""
    if len(screen.accounts) <= 1:
        return []
    segs: list[Seg] = []
    for i, a in enumerate(screen.accounts):
        mark = "!" if a.locked else ""
        style = "tab" if i == screen.selected else ("red" if a.locked else "")
        segs += [seg(f" {i + 1}:{a.name}{mark} ", style), seg(" ")]
    if sum(len(t) for t, _ in segs) <= width:
        return [fit(segs, width)]
    rows = []
    for i, a in enumerate(screen.accounts):
        pointer = ">" if i == screen.selected else " "
        lock = "LOCKED" if a.locked else ""
        worst = max((b.fraction for b in a.bars), default=None)
        worst_text = "-" if worst is None else f"{worst:.0%}"
        rows.append(fit([seg(f"{pointer}{i + 1:>2} {column(a.name, 16)} ", "tab" if pointer == ">"
                             else ""),
                         seg(f"net {a.net:>12} ", a.net_colour),
                         seg(f"worst limit {worst_text:>4} "), seg(lock, "red")], width))
    if len(rows) <= max_lines:
        return rows
    shown = max(1, max_lines - 1)                 # a window of rows around the selected one
    start = min(max(0, screen.selected - shown // 2), len(rows) - shown)
    note = fit([seg(f"  {len(rows) - shown} more accounts (tab/arrows to move)", "dim")], width)
    return rows[start:start + shown] + [note]


def banner_lines(account: AccountView, width: int, max_lines: Optional[int] = 2) -> list[Line]:
    """Each lockout banner on at most max_lines lines (None: all, as status prints it)."""
    out = []
    for b in account.banners:
        on = f" on {b.on}" if getattr(b, "on", "") else ""     # a symbol's: whose account
        text = f" {b.kind}{on}  {b.countdown}  -- {b.text}"
        for part in textwrap.wrap(text, max(8, width - 1), max_lines=max_lines,
                                  placeholder=" " + CUT):
            out.append(fit([seg((" " + part.strip()).ljust(width), "banner")], width))
    return out


def failing_lines(account: AccountView, width: int) -> list[Line]:
    """What riskd could not enforce and tries again: wrapped, never cut (act now)."""
    out = []
    for text in account.failing:
        for part in textwrap.wrap(text, max(8, width - 1)):
            out.append(fit([seg((" " + part).ljust(width), "error")], width))
    return out


def money_lines(account: AccountView, width: int, layout: Optional[int] = None) -> list[Line]:
    parts: list[Seg] = [seg(called(account.name, account.account_id), "bold"),
                        seg(f"  balance {account.balance}"),
                        seg("  realized "), seg(account.realized, _sign(account.realized)),
                        # realized is after fees and says so, as the phone and the rules'
                        # reasons do (docs/rules.md, Which figure includes fees)
                        seg(f" incl. fees {account.fees}"),
                        seg("  unrealized "), seg(account.unrealized, _sign(account.unrealized)),
                        seg("  net "), seg(account.net, account.net_colour or "bold"),
                        seg(f"  trades {account.trades}"
                            + (f" (+{account.trades_held} that may be riskd's close)"
                               if account.trades_held else "")
                            + f"  orders {account.open_orders}")]
    if account.unrealized_note:
        parts.append(seg(f"  {account.unrealized_note}", "amber"))
    return wrap(parts, width, layout)


def _sign(text: str) -> str:
    return "red" if text.startswith("-") else ("green" if text.startswith("+") and
                                                text.strip("+0.,") else "")


def wrap(segs: list[Seg], width: int, layout: Optional[int] = None) -> list[Line]:
    """Put segments on as many lines as needed (a segment starting with two spaces may break,
    and does when it and the segments that stick to it, up to the next such one, do not fit:
    a label never stays behind without its value). layout: the width to break at when the
    lines are not cut at `width` (render's wrap)."""
    lines: list[list[Seg]] = [[]]
    used = 0
    for i, (text, style) in enumerate(segs):
        run = len(text)
        for after, _ in segs[i + 1:]:
            if after.startswith("  "):
                break
            run += len(after)
        if used + run > (layout or width) and lines[-1] and text.startswith("  "):
            lines.append([])
            used = 0
            text = text[2:]
        lines[-1].append((text, style))
        used += len(text)
    return [fit(line, width) for line in lines]


def bar_line(bar: Bar, width: int, unicode: bool, layout: Optional[int] = None,
             noted: bool = False, size: Optional[int] = None) -> Line:
    """layout: the width the bar is sized for when the line is not cut at `width` (render's
    wrap); noted: the bar says risk's note too (its RULES row is not shown: bars_only);
    size: the bar's width (None: as its words leave room for)."""
    label = f"{column(bar.rule, 21)} "
    pct = f"{bar.fraction:>4.0%} "
    text = f"{bar.text} {bar.note}" if noted and bar.note else bar.text
    room = (layout or width) - len(label) - len(pct) - len(text) - 3
    size = max(MIN_BAR, min(MAX_BAR, room)) if size is None else size
    filled = min(size, int(round(min(bar.fraction, 1.0) * size)))
    full, empty = ("\u2588", "\u2591") if unicode else ("#", ".")
    return fit([seg(label), seg("[" + full * filled, bar.colour),
                seg(empty * (size - filled) + "] ", "dim"), seg(pct, bar.colour),
                seg(text)], width)


def bar_lines(bar: Bar, width: int, unicode: bool, layout: Optional[int] = None,
              noted: bool = False, max_lines: Optional[int] = None) -> list[Line]:
    """A bar on its line, and when its words do not fit beside it at `width`, the words
    wrapped on the lines under it, never cut (trial20a section 7: at 80 columns the
    drawdown_guard bar read "acts at 48,100.00 (li…"). max_lines: at most that many (the
    last one cut, as before, when even they do not hold the words). layout (render's wrap):
    one line, wrapped later."""
    line = bar_line(bar, width, unicode, layout, noted)
    text = f"{bar.text} {bar.note}" if noted and bar.note else bar.text
    if layout or not text or text_of(line).rstrip().endswith(text.rstrip()):
        return [line]
    if max_lines == 1:
        # no line to spare (80x24): its words without their last bracket, whole, when that
        # fits ('equity 49,613.11, acts at 48,200.00': the line and buffer are in RULES and
        # `riskctl rules list`), else cut as before
        short = re.sub(r" \([^()]*\)$", "", text)
        if short != text:
            shorter = attrs.evolve(bar, text=short, note="")
            line2 = bar_line(shorter, width, unicode)
            if text_of(line2).rstrip().endswith(short):
                return [line2]
        return [line]
    head = bar_line(attrs.evolve(bar, text="", note=""), width, unicode,
                    size=max(MIN_BAR, min(MAX_BAR, width - 22 - 5 - len(text) - 3)))
    indent = " " * min(len(column(bar.rule, 21)) + 1, max(2, width - len(text)))
    parts = textwrap.wrap(text, max(8, width - len(indent)), break_on_hyphens=False)
    out = [head, *(fit([seg(indent + part)], width) for part in parts)]
    if max_lines is not None and len(out) > max_lines:
        return [line] if max_lines <= 1 else out[:max_lines - 1] + [fit(
            [seg(indent + " ".join(parts[max_lines - 2:]))], width)]
    return out


def position_lines(account: AccountView, width: int) -> list[Line]:
    if not account.positions:
        return [fit([seg("POSITIONS ", "bold"), seg("none open", "dim")], width)]
    head = fit([seg(f"{'POSITIONS':<10} {'side':<5} {'size':>4} {'avg':>11} {'last':>11} "
                    f"{'unrealized':>12}", "bold")], width)
    rows = [fit([seg(f"{column(p.ticker, 10)} {p.side:<5} {p.size:>4} {p.average:>11} "
                     f"{p.last:>11} "),
                 seg(f"{p.unrealized:>12}", p.colour),
                 *([seg(f" {p.note.upper() if p.note == CLOSING else p.note}", "amber")]
                   if p.note else [])], width)
            for p in account.positions]
    return [head, *rows]


def bars_only(account: AccountView, max_rows: Optional[int]) -> bool:
    """The screen is short of rows: the rules drawn as bars are not listed under RULES too."""
    return bool(max_rows is not None and len(account.rules) + 1 > max_rows and account.bars)


def rule_lines(account: AccountView, width: int, max_rows: Optional[int] = None,
               layout: Optional[int] = None) -> list[Line]:
    """Every enabled rule. One column while the texts fit uncut and the rows fit in max_rows;
    when the rows do not fit, more (narrower) columns, a text too long for its cell cut with
    '…' (compact, at 80x24), names always whole: rules left off and counted when even so the
    rows do not fit, a long text going on below while rows are spare (rulegrid.py); a wide
    terminal shows every text whole. layout: the width the
    columns are laid out for when the lines are not cut at `width` (render's wrap): one
    column's texts are then kept whole."""
    names = getattr(account, "rules_off_names", ())
    off = (f" ({account.rules_off} off" + (f": {', '.join(names)}" if names else "") + ")"
           if account.rules_off else "")
    if not account.rules and getattr(account, "not_guarded", ""):
        return [fit([seg("RULES ", "bold"), seg("none in force: the account is NOT GUARDED ("
                                                f"{account.not_guarded})", "red")], width)]
    if not account.rules:
        return [fit([seg("RULES ", "bold"), seg("no readings from risk yet" if not off
                                                else f"none enabled{off}", "dim")], width)]
    rules, note = account.rules, ""
    barred = {b.rule for b in account.bars}
    if bars_only(account, max_rows):
        # short of rows: the rules drawn as bars above already show value, limit and use
        rules = [r for r in rules if r.rule not in barred]
        note = f"; {len(account.rules) - len(rules)} as bars above"
    count = len(rules)
    if not count:
        return [fit([seg("RULES", "bold"), seg(f" all shown as bars above{off}", "dim")],
                    width)]
    lay = layout or width
    # the title with the rules off, wrapped on the lines under it where it does not fit (watch:
    # trial20a section 7, at 120 columns "(4 off: ..., daily_rea…"); the rows get the rest
    title = f"RULES value/limit used, or parameters{note}{off}"
    heads: list[Line] = []
    if max_rows is not None and not layout and len(title) > width and names:
        parts = textwrap.wrap(title, max(8, width), subsequent_indent="  ",
                              break_on_hyphens=False)
        extra = len(parts) - 1
        fits = rulegrid.layout([r.rule for r in rules], [r.text for r in rules], lay, max_rows)
        roomy = rulegrid.layout([r.rule for r in rules], [r.text for r in rules], lay,
                                max_rows - extra)
        if (fits.shown, fits.cols, fits.per_col) == (roomy.shown, roomy.cols, roomy.per_col) \
                and fits.per_col + 1 + extra <= max_rows:
            heads = [fit([seg("RULES", "bold"), seg(parts[0][len("RULES"):], "dim")], width),
                     *(fit([seg(part, "dim")], width) for part in parts[1:])]
            max_rows -= extra       # (no line to spare: off_fitting below, names whole)
    # names whole, rules left off when the rows are short (cli/watch/rulegrid.py)
    grid = rulegrid.layout([r.rule for r in rules], [r.text for r in rules], lay, max_rows)
    if grid.shown < count:
        # the rules left off are the last ones: a rule acting now is never among them
        rules = acting_first(rules, acting_rules(account))
    whole = max(len(r.text) for r in rules)
    spare = None if max_rows is None else max(1, max_rows - 1) - grid.per_col \
        - (grid.shown < count)
    rows = []
    for r in range(grid.per_col):
        segs: list[Seg] = []
        more: list[Seg] = []                   # the reading's lines below (one column)
        for c in range(grid.cols):
            i = c * grid.per_col + r
            if i >= grid.shown:
                break
            rule = rules[i]
            text_w = grid.text_w(c)
            if layout and grid.cols == 1:
                text_w = max(text_w, whole)    # not cut: the line is wrapped (render's wrap)
            parts = [rule.text]
            if grid.cols == 1 and len(rule.text) > text_w and (spare is None or spare > 0):
                parts = rulegrid.wrapped_text(rule.text, text_w,
                                              1 + (len(rule.text) if spare is None else spare))
                spare = None if spare is None else spare - (len(parts) - 1)
                more = [(part, rule.colour) for part in parts[1:]]
            if len(parts) == 1:        # cut, not wrapped: the countdown kept (shortreading)
                parts = [shortreading.fitting(rule.rule, parts[0], text_w)]
            text = column(parts[0], text_w)
            segs += [seg(f"{name_cuts([rule.rule], grid.name_w[c])[rule.rule]} "),
                     seg(f"{text:<{text_w}}", rule.colour), seg(" ")]
        rows.append(fit(segs, width))
        rows += [fit([seg(" " * (grid.name_w[0] + 1)), seg(part, colour)], width)
                 for part, colour in more]
    if grid.shown < count:
        rows.append(fit([seg(f"  +{count - grid.shown} {rulegrid.MORE}", "dim")], width))
    if heads:
        return [*heads, *rows]
    if max_rows is not None and not layout and names:
        # no line to spare (80x24): the names off that fit whole, then how many more (lastact20's
        # leftover: "(5 off: max_unrealized_profit, no_stop_lo…")
        off = off_fitting(f"RULES value/limit used, or parameters{note}", account.rules_off,
                          names, width)
    head = fit([seg("RULES", "bold"), seg(f" value/limit used, or parameters{note}{off}",
                                          "dim")], width)
    if max_rows is None and names and (layout or width) < len(text_of(head)):
        # printed once (status): the names whole, on lines of their own, never cut
        off = f" ({account.rules_off} off, below)"
        head = fit([seg("RULES", "bold"), seg(f" value/limit used, or parameters{note}{off}",
                                              "dim")], width)
        rows += [fit([seg(part, "dim")], width) for part in textwrap.wrap(
            f"off: {', '.join(names)}", layout or width, subsequent_indent="  ")]
    return [head, *rows]


def off_fitting(title: str, count: int, names, width: int) -> str:
    """The RULES title's rules off in what is left of `width` after `title`: every name, else
    the first ones whole and '+N more' ('(5 off: max_unrealized_profit, +4 more)'), else the
    count alone ('(5 off)'); a name is never cut (`riskctl rules list` names them all)."""
    names = list(names)
    for shown in range(len(names), 0, -1):
        more = f", +{len(names) - shown} more" if shown < len(names) else ""
        off = f" ({count} off: {', '.join(names[:shown])}{more})"
        if len(title) + len(off) <= width:
            return off
    return f" ({count} off)"


IN_PROGRESS = ("pending", "accepted")     # an action of LAST ACTIONS not ended yet
# not sent because another action of riskd's was on its way (cli/watch/model.py not_sent)
NOT_SENT_FLYING = ("not sent: in flight", "not sent: under way")


def acting_rules(account: AccountView) -> set[str]:
    """The rules acting now: one whose action is on its way (pending, accepted), or, while
    one is, one whose own action was not sent because it was ('not sent: in flight', 'not
    sent: under way'); and one at its limit (red). Trial18c: at 80x24 a cooldown banner and a
    position left no_stop_loss_grace off RULES ('+3 more rules') while its close was 'not
    sent: in flight'."""
    actions = getattr(account, "actions", ()) or ()
    flying = any(a.status in IN_PROGRESS for a in actions)
    named = {a.rule for a in actions if a.status in IN_PROGRESS
             or (flying and (a.outcome or a.status) in NOT_SENT_FLYING)}
    return named | {r.rule for r in account.rules if r.colour == "red"}


def acting_first(rules: list, acting: set[str]) -> list:
    """The rules, those acting first, each group in its own order (what is left off when
    the rows are short is the last ones: never one that acts)."""
    return [r for r in rules if r.rule in acting] + [r for r in rules if r.rule not in acting]


def legend_items(unicode: bool) -> list[str]:
    """What the glyphs mean, most needed first."""
    dot = "\u25cf" if unicode else "*"
    full, empty = ("\u2588", "\u2591") if unicode else ("#", ".")
    return [f"{dot} running", f"{dot}state: a worker down", f"{full}{empty} loss limit used",
            "amber from warn_at, red halfway to the limit", "! locked",
            "(alert) rule only alerts", ACCEPTED_LEGEND, LATENCY_LEGEND]


# LAST ACTIONS' 'accepted', what it means (trial20c section 6: it read as the broker having
# accepted a close the broker had not answered)
ACCEPTED_LEGEND = ("accepted: riskd's action is under way, not done yet (not the broker's "
                   "answer)")


# LAST ACTIONS' latency column, what its figures are (trial18b section 7: "10s, done 34s" under
# "latency" was explained only by history's "first answer 10s after the event, done after 34s")
LATENCY_LEGEND = ("latency: from the event that set the rule off to the broker's first answer "
                  "(a failed action: to riskd giving up); \"10s, done 34s\": an action of more "
                  "rounds (or done a second or more after its first answer), first answer "
                  "10 s after the event, done 34 s after it; \"no answer "
                  "within 10s, done 56s\": riskd's call got no answer within its [broker] "
                  "timeout (10 s), and the action was done 56 s after the event; \"no "
                  "call\": riskd made no broker call (a lockout it took)")


def legend_line(width: int, unicode: bool) -> Line:
    """What the glyphs mean, on one line: whole items only, as many as fit (never one cut)."""
    shown, used = [], 0
    for item in legend_items(unicode):
        need = len(item) + (3 if shown else 0)
        if used + need > width:
            continue
        shown.append(item)
        used += need
    return fit([seg(" | ".join(shown), "dim")], width)


def legend_lines(width: int, unicode: bool) -> list[Line]:
    """Every glyph's meaning, wrapped to the width (for output printed once: nothing cut)."""
    text = " | ".join(legend_items(unicode))
    return [fit([seg(part, "dim")], width)
            for part in textwrap.wrap(text, max(8, width), break_on_hyphens=False)]


def action_lines(account: AccountView, width: int, max_lines: Optional[int] = None,
                 layout: Optional[int] = None) -> list[Line]:
    """LAST ACTIONS: its title, today's actions newest first, and the note on what it may lack
    (actions_note). Cut to max_lines: the newest rows, then '+5 more today (riskctl history)'
    counting the rows left out, and the note kept. layout (render's wrap: printed where
    nothing may be cut): the columns laid out for that width, one line an action, and an
    outcome (or latency) the row has no room for whole said whole under it (trial19a: piped,
    every row's latency went to a line of its own once one outcome was long)."""
    if not account.actions:      # "none" only when none is known to be the truth
        return [fit([seg("LAST ACTIONS ", "bold"), seg(account.actions_note, "amber")
                     if account.actions_note else seg("none today", "dim")], width)]
    wide = max([13, *(len(a.outcome or a.status) for a in account.actions)])
    wide = min(wide, 27)          # 'not sent: locked already', 'left to its cut in flight' whole
    # the time column as wide as its times ('Sun 01:23:57 CST': the header sat 4 columns
    # left of its values, trial 2026-12-06)
    when = max([12, *(len(a.time) for a in account.actions)])
    cells = [action_cell(a.action, getattr(a, "contract", "")) for a in account.actions]
    rule_w, action_w, wide, lat_w = action_columns(
        layout or width, when, wide, [a.latency for a in account.actions],
        rules=[a.rule for a in account.actions], actions=cells)
    latency_head = [seg(f" {'latency':>{lat_w}}", "bold")] if lat_w else []
    head = fit([seg(f"{'LAST ACTIONS':<{when}} {'rule':<{rule_w}} {'action':<{action_w}} "
                    f"{'outcome':<{wide}}", "bold"), *latency_head], width)
    # who acted in a word or two where it does not fit (not cut in a word); a rule name cut
    # in its middle, still itself
    shown = {a.rule: who_word(a.rule, rule_w) for a in account.actions}
    cuts = name_cuts(shown.values(), rule_w)
    rule_names = {rule: cuts[short] for rule, short in shown.items()}
    # each action's row, then its note (wrapped under the rule column, never cut)
    groups = [[fit([seg(f"{a.time:<{when}} {rule_names[a.rule]} "
                        f"{column(action_word(cell, action_w), action_w)} "),
                    seg(word_column(a.outcome or a.status, wide), a.colour),
                    *([seg(f" {a.latency:>{lat_w}}")] if lat_w else [])],
                   width),
               *(fit([seg(f"{' ' * (when + 1)}{part}")], width)
                 for part in textwrap.wrap(_under(a, wide, lat_w, layout),
                                           max(8, width - when - 1)))]
              for a, cell in zip(account.actions, cells)]
    rows = [line for group in groups for line in group]
    note = [fit([seg(f"  {account.actions_note}", "amber")], width)] \
        if account.actions_note else []
    if max_lines is None or 1 + len(rows) + len(note) <= max_lines:
        return [head, *rows, *note]
    if max_lines < 3:
        return [head][:max_lines]
    note = note if max_lines >= 4 else []
    kept: list[Line] = []
    shown = 0
    for group in groups:                # whole actions only: a row is never without its note
        if len(kept) + len(group) > max_lines - 2 - len(note):
            if not kept:                # the newest row at least, its note left to history
                kept, shown = group[:1], 1
            break
        kept += group
        shown += 1
    more = fit([seg(f"  +{len(groups) - shown} more {ACTIONS_MORE}", "dim")], width)
    return [head, *kept, more, *note]


def _under(a, wide: int, lat_w: int, layout: Optional[int]) -> str:
    """The words under an action's row: its note, its outcome when its column cut it (the
    outcome gives way before a rule name does: columns.action_columns), and (layout: nothing
    may be cut) its latency when there was no room for that column."""
    parts = []
    note = getattr(a, "note", "")
    outcome = a.outcome or a.status
    # said whole under it, unless its note says every word of it already (a lockout ended
    # early: "ended early 12:24:06" and "..., ended early at Mon 12:24:06 CST by an unlock";
    # check23: the row said "ended early" three times)
    if len(outcome) > wide and not set(outcome.split()) <= set(note.replace(",", " ").split()):
        parts.append(f"outcome: {outcome}")
    if layout and not lat_w and a.latency:
        parts.append(f"latency: {a.latency}")
    return "; ".join(parts + ([note] if note else []))


def clip(lines: list[Line], budget: int, width: int, what: str = "") -> list[Line]:
    """At most `budget` lines; the last one says how many were left out."""
    if budget <= 0:
        return []
    if len(lines) <= budget:
        return lines
    kept = lines[:budget - 1]
    left = len(lines) - len(kept)
    return kept + [fit([seg(f"  +{left} more{' ' + what if what else ''}", "dim")], width)]


# -- the whole screen ---------------------------------------------------------------------------

WIDE = 10_000        # render's wrap: no line is cut at this width


def render(screen: Screen, width: int, height: Optional[int] = None,
           unicode: bool = True, wrap: bool = False) -> list[Line]:
    """The screen as lines for a width x height terminal (height None: everything, no footer).
    wrap (printed where nothing may be cut: `riskctl status` to a pipe or a file): laid out
    for `width`, but no line cut; the lines longer than `width` are wrapped (wrapped())."""
    width = max(1, width)
    layout = width if wrap else None
    if wrap:
        width = WIDE
    unlimited = height is None
    budget = 10 ** 6 if unlimited else max(1, height)
    def cap(n: int) -> Optional[int]:         # printed once (status): every line, none left out
        return None if unlimited else n
    top = header_lines(screen, width, unicode)
    if screen.notice:                 # wrapped, never cut: it says why nothing is as it seems
        for part in textwrap.wrap(screen.notice, max(8, width - 2), max_lines=cap(6),
                                  placeholder=" " + CUT):
            top.append(fit([seg(f" {part} ".ljust(width), screen.notice_level)], width))
    for text, level in screen.health:
        for part in textwrap.wrap(text, max(8, width - 2), max_lines=cap(3), placeholder=" " + CUT):
            top.append(fit([seg(f" {part} ".ljust(width), level)], width))
    # printed once (riskctl status): every glyph explained below, wrapped, none left out
    footer = [(), *legend_lines(width, unicode)] if unlimited else [fit([seg(KEYS_HELP, "dim")],
                                                                         width)]
    if not unlimited and budget >= LEGEND_FROM:
        footer.insert(0, legend_line(width, unicode))
    tabs = tab_lines(screen, width, max_lines=max(1, min(6, budget // 4)))
    lines = top + tabs
    if not screen.accounts:
        # why there are none: "yet" only while they are on their way (model.no_figures)
        waiting = screen.empty == WAITING
        for part in textwrap.wrap(screen.empty, max(8, width - 2), max_lines=cap(3),
                                  placeholder=" " + CUT):
            lines.append(fit([seg(part if waiting else f" {part} ".ljust(width),
                                  "dim" if waiting else "error")], width))
        done = finish(lines, footer, budget)
        return wrapped(done, layout) if layout else done
    accounts = screen.accounts if unlimited else [screen.accounts[screen.selected]]
    for account in accounts:
        if unlimited and len(accounts) > 1:
            lines.append(())
        if account.not_live:          # last known figures: never read as current (wrapped,
            for part in textwrap.wrap(account.not_live, max(8, width - 2), max_lines=cap(3),
                                      placeholder=" " + CUT):          # never cut at the width)
                lines.append(fit([seg(f" {part} ".ljust(width), "error")], width))
        if unlimited:
            # printed (status): the account's header line first, its lockouts under it; above
            # it, they sat right under the previous account's LAST ACTIONS and read as that
            # account's (trial23b section 7: Demo 2's COOLDOWN read as Demo 1's)
            lines += money_lines(account, width, layout)
            lines += banner_lines(account, width, cap(2))
            lines += failing_lines(account, width)
        else:
            lines += banner_lines(account, width, cap(2))
            lines += failing_lines(account, width)
            lines += money_lines(account, width, layout)
        at = len(lines)
        # drawn once RULES is laid out (noted); a bar's words wrapped under it (bar_lines)
        # when the screen has the lines to spare: every rule's row still shown
        sizes = [len(bar_lines(b, width, unicode, layout)) for b in account.bars]
        if not unlimited and budget - len(lines) - sum(sizes) - len(footer) \
                - len(position_lines(account, width)) - min(len(action_lines(account, width)), 1
                + ACTIONS_SHOWN + 1 + 1) < len(account.rules) + 1:
            sizes = [1] * len(account.bars)
        lines += [()] * sum(sizes)
        room = budget - len(lines) - len(footer)
        positions = position_lines(account, width)
        actions = action_lines(account, width, layout=layout)
        floor = actions_floor(actions, bool(account.actions and account.actions_note))
        max_rows = None if unlimited else room - len(positions) - floor
        rules = rule_lines(account, width, max_rows=max_rows, layout=layout)
        noted = bars_only(account, max_rows)
        lines[at:at + sum(sizes)] = [line for b, n in zip(account.bars, sizes)
                                     for line in bar_lines(b, width, unicode, layout, noted,
                                                           max_lines=n)]
        grant = shares([len(positions), len(rules), len(actions)], room, [2, 2, floor])
        lines += cut(positions, grant[0], width) + cut(rules, grant[1], width) \
            + (actions if grant[2] >= len(actions) else action_lines(account, width, grant[2],
                                                                     layout=layout))
    done = finish(lines, footer, budget)
    return wrapped(done, layout) if layout else done


def wrapped(lines: list[Line], width: int) -> list[Line]:
    """Each line longer than `width` as several, broken at blanks, the rest indented under its
    start (as `riskctl history` wraps its blocks: nothing cut when not on a terminal). Trial:
    `riskctl status` piped read "(line 48,000.00 + buffe…"."""
    out: list[Line] = []
    for line in lines:
        text = text_of(line).rstrip()
        if len(text) <= width:
            out.append(line)
            continue
        lead = len(text) - len(text.lstrip())
        indent = " " * min(lead + 2, max(0, width // 2))
        out += [(seg(part),) for part in textwrap.wrap(
            text.lstrip(), width, initial_indent=" " * lead, subsequent_indent=indent,
            break_on_hyphens=False, drop_whitespace=True)]
    return out


def actions_floor(actions: list[Line], noted: bool = False) -> int:
    """The lines LAST ACTIONS keeps however short the screen: its title, the ACTIONS_SHOWN
    newest actions and the '+N more' line, and a note when it has one (fewer when there are
    fewer). Trial 2026-12-06: at 80x24 the rules took the room and LAST ACTIONS showed its
    title, one row and "+7 more rows"."""
    return min(len(actions), 1 + ACTIONS_SHOWN + 1 + noted)


def shares(sizes: list[int], room: int, floors: list[int]) -> list[int]:
    """The lines each section (title + rows) gets of `room`: first its floor (title + one row,
    unless told), cut from the last section first when even those do not fit; then what is
    left, in order of importance."""
    if room >= sum(sizes):
        return list(sizes)
    grant = [min(n, f) for n, f in zip(sizes, floors)]
    while sum(grant) > room and any(grant):
        last = max(i for i, g in enumerate(grant) if g)
        grant[last] -= 1
    spare = room - sum(grant)
    for i, n in enumerate(sizes):
        extra = min(spare, n - grant[i])
        grant[i] += extra
        spare -= extra
    return grant


def cut(section: list[Line], granted: int, width: int) -> list[Line]:
    """A section in the lines it was granted, the last one saying how many rows were left out."""
    if granted >= len(section):
        return section
    return clip(section, granted, width, what="rows") if granted >= 2 else section[:granted]


def finish(lines: list[Line], footer: list[Line], budget: int) -> list[Line]:
    if budget >= 10 ** 6:                 # no height (printed once): nothing cut, no padding
        return lines + footer
    body = lines[:max(0, budget - len(footer))]
    if footer:
        body += [()] * (budget - len(footer) - len(body))
    return body + footer
