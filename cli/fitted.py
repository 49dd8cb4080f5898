"""A table that fits the terminal's width: rows too wide become blocks, every fact kept.

`riskctl history` printed rows of 400+ characters (fresh-user trial 2026-12-06): a terminal
wrapped them mid-word and a pipe gave lines nobody could read. fitted() prints the plain table
when it fits the width; when it does not, each row becomes a block: its first columns (the
time, the account, who acted) on one line, then each long column on lines of its own,
"  what: ..." wrapped at the width under its label. Nothing is cut.

The width is the terminal's when stdout is one, else COLUMNS, else DEFAULT_WIDTH (a pipe, a
file): width().
"""
from __future__ import annotations

import os
import shutil
import textwrap
from typing import Any, Sequence

from cli.table import cell, render_table

DEFAULT_WIDTH = 100           # piped output without COLUMNS
MIN_WIDTH = 40                # narrower than this is read as this (labels keep some room)


def width() -> int:
    """The width to print at: COLUMNS when set, else the terminal's (the size blessed reads, by
    the same ioctl), else DEFAULT_WIDTH for a pipe or a file."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns or DEFAULT_WIDTH


def fitted(headers: Sequence[str], rows: Sequence[Sequence[Any]], columns: int,
           head: int = 3, labels: Sequence[str] = (), head_header: bool = False,
           spaced: bool = True) -> str:
    """render_table's table when every line fits in `columns` characters; else one block a
    row: the first `head` columns on its first line (aligned as a table when they fit), then
    '  <header>: <value>' for each other column that has one, wrapped at `columns`. labels:
    the blocks' names of the columns after `head` when shorter than their headers.
    head_header: the first columns' header line once above the blocks, for columns that do
    not explain themselves ('yes default yes' in `riskctl accounts list`: final trial)."""
    table = render_table(headers, rows)
    columns = max(MIN_WIDTH, columns)
    if all(len(line) <= columns for line in table.split("\n")):
        return table
    cells = [[cell(v) for v in row] for row in rows]
    heads = render_table(headers[:head], [r[:head] for r in cells]).split("\n")
    firsts = heads[1:]
    names = list(labels) or list(headers[head:])
    label_w = max(len(h) for h in names) + 1                    # 'reason:'
    indent = " " * (2 + label_w + 1)
    blocks = []
    for first, row in zip(firsts, cells):
        lines = textwrap.wrap(first, columns, subsequent_indent="  ",
                              break_on_hyphens=False) or [first]
        for name, value in zip(names, row[head:]):
            if value == "-":
                continue
            lines += textwrap.wrap(value, columns, initial_indent=f"  {name + ':':<{label_w}} ",
                                   subsequent_indent=indent, break_on_hyphens=False,
                                   break_long_words=True)
        blocks.append("\n".join(lines))
    # the header line, wrapped as the rows' first lines are when it is wider than the width:
    # never left out (task 22c-5: `riskctl lockouts`' header went when a row got wider)
    top = "\n".join(textwrap.wrap(heads[0].rstrip(), columns, subsequent_indent="  ",
                                   break_on_hyphens=False)) + "\n" if head_header else ""
    # a blank line between blocks, unless told (spaced=False: a table of short rows, each row's
    # lines under it indented, reads best as one; trial23b section 7: once one worker had a
    # note, `riskctl status`'s worker table turned double-spaced)
    return top + ("\n\n" if spaced else "\n").join(blocks)


def fitted_head(headers: Sequence[str], rows: Sequence[Sequence[Any]], columns: int,
                most: int, least: int = 1, typical: Sequence[int] = (), **kw) -> str:
    """fitted() with as many first columns on each row's line (at most `most`, at least
    `least`) as fit in `columns`: a wide table keeps its short columns as a table, the rest
    wrapped under each row (`riskctl workers`, `riskctl lockouts`: trial19a). typical: each
    first column's usual width; given, the count depends on the width alone, never on the
    rows, so the same terminal shows the same columns call after call (a wider row wraps its
    line; task 22c-5: `riskctl lockouts`' BY header came and went as rows got wider)."""
    limit = max(MIN_WIDTH, columns)
    head = most
    if typical:
        while head > least and sum(typical[:head]) + 2 * (head - 1) > limit:
            head -= 1
        return fitted(headers, rows, columns, head=head, **kw)
    cells = [[cell(v) for v in row] for row in rows]
    while head > least and any(
            len(line) > limit
            for line in render_table(headers[:head], [r[:head] for r in cells]).split("\n")):
        head -= 1
    return fitted(headers, rows, columns, head=head, **kw)
