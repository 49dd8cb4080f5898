"""How watch's RULES panel is laid out (pure): how many columns, how many rules shown, and how
wide each column's names are, so that a rule's name is always whole.

Fresh-user trial 2026-12-06: at 80x24 with four or more LAST ACTIONS rows the panel went to
narrower columns and cut names in their middle ("max_contra…nstrument"). Now when the rows are
short the panel drops rules (the last ones), never letters, and says how many it left off
('+4 more rules (riskctl rules list)'); only a terminal too narrow for the longest name beside
a few characters of its reading cuts a name (cli/watch/columns.py name_cuts). A reading too
long for its cell takes the lines below it while the screen has rows to spare (trial: at
100x40 drawdown_guard's row lost its "20%" above six blank rows), else ends in '…'.
"""
from __future__ import annotations

import math
import textwrap
from typing import Optional, Sequence

import attrs

MIN_RULE_CELL = 26            # the narrowest rule cell in compact layouts
MIN_TEXT = 9                  # a reading's narrowest cell beside a whole name ('5/5 100%')
MORE = "more rules (riskctl rules list)"        # '+4 more rules (riskctl rules list)'


@attrs.frozen
class Grid:
    cols: int
    per_col: int                  # rows of rules (the '+N more' line not counted)
    shown: int                    # how many rules are shown (the first ones)
    name_w: tuple[int, ...]       # each column's name width
    cell: int                     # each column's width

    def text_w(self, col: int) -> int:
        """The reading's width in column `col`: a blank between name and text, one after."""
        return max(4, self.cell - self.name_w[col] - 2)


def _grid(names: Sequence[str], cols: int, lay: int, rows: Optional[int]) -> Grid:
    """`cols` columns of the names, cut to `rows` lines (None: no limit) with one for '+N
    more' when some are left off."""
    count = len(names)
    per_col = math.ceil(count / cols)
    if rows is not None and per_col > rows:
        per_col = max(1, rows - 1)                      # a line says how many are left off
    shown = min(count, per_col * cols)
    used = math.ceil(shown / per_col)                   # columns that hold a rule
    widths = tuple(max(len(n) for n in names[c * per_col:min(shown, (c + 1) * per_col)])
                   for c in range(used))
    return Grid(cols=used, per_col=per_col, shown=shown, name_w=widths, cell=lay // cols)


def names_whole(g: Grid) -> bool:
    return all(w + 2 + MIN_TEXT <= g.cell for w in g.name_w)


def layout(names: Sequence[str], texts: Sequence[str], lay: int,
           max_rows: Optional[int]) -> Grid:
    """The grid for these rules in `lay` characters and `max_rows` lines (title included;
    None: every rule). As many columns as keep every reading whole; more, narrower, columns
    only while the rows do not fit and the names stay whole; then rules are left off."""
    count = len(names)
    rows = None if max_rows is None else max(1, max_rows - 1)
    base = max(1, min(count, lay // (max(map(len, names)) + max(map(len, texts)) + 3)))
    if rows is None or math.ceil(count / base) <= rows:
        return _narrow(_grid(names, base, lay, rows))
    best = None
    for cols in range(base, count + 1):
        if cols > base and lay // cols < MIN_RULE_CELL:
            break
        g = _grid(names, cols, lay, rows)
        if names_whole(g) and (best is None or g.shown > best.shown):
            best = g
    if best is not None:
        return best
    return _narrow(_grid(names, 1, lay, rows))


def _narrow(g: Grid) -> Grid:
    """One column too narrow for a whole name beside its reading: the name is cut (in its
    middle, still that rule: columns.name_cuts)."""
    if g.cols == 1 and not names_whole(g):
        return attrs.evolve(g, name_w=(max(1, min(g.name_w[0], g.cell - 8)),))
    return g


def wrapped_text(text: str, width: int, lines: int) -> list[str]:
    """A reading in at most `lines` lines of `width` (the last ends in '…' when it is still
    cut)."""
    if len(text) <= width or lines <= 1:
        return [text]
    return textwrap.wrap(text, max(4, width), max_lines=lines, placeholder=" \u2026",
                         break_on_hyphens=False) or [text]
