"""The terminal chart: both equity curves in a few lines (blessed colours when at a terminal).

chart_lines() is pure (points, width, height -> text lines with markers), day_axis() the line
of trading-day marks under it; show() colours them with blessed: the guarded curve in blue
'*', the actual one dim 'o', '#' where they meet.
"""
from __future__ import annotations

import math
from decimal import Decimal

from cli.replay.report import day_starts

ACTUAL, GUARDED, BOTH = "o", "*", "#"


def chart_lines(points: list[tuple[int, Decimal, Decimal]], width: int = 60,
                height: int = 8) -> list[str]:
    if not points or width < 4 or height < 2:
        return []
    values = [float(v) for _, a, g in points for v in (a, g)] + [0.0]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    grid = [[" "] * width for _ in range(height)]

    def row(v) -> int:
        return height - 1 - int(round((float(v) - lo) / span * (height - 1)))

    for col in range(width):
        _, a, g = points[min(len(points) - 1, col * len(points) // width)]
        ra, rg = row(a), row(g)
        grid[ra][col] = ACTUAL
        grid[rg][col] = BOTH if rg == ra else GUARDED
    labels = [f"{hi:>10,.0f} ", *[" " * 11] * (height - 2), f"{lo:>10,.0f} "]
    return [labels[i] + "".join(r) for i, r in enumerate(grid)]


def day_axis(points, width: int = 60, day_of=None) -> str:
    """The trading days under the chart: MM-DD at the column where each day starts (a day
    whose mark would touch the previous one is left unmarked)."""
    line = [" "] * width
    free = 0
    for i, day in day_starts(points, day_of):
        col = min(width - 1, math.ceil(i * width / len(points)))
        label = "|" + day.strftime("%m-%d")
        if col < free or col + len(label) > width:
            continue
        line[col:col + len(label)] = label
        free = col + len(label) + 1
    text = "".join(line).rstrip()
    return " " * 11 + text if text else ""


def show(points, stream, width: int = 0, day_of=None) -> None:
    """Print the chart for a terminal (colours from blessed; plain text elsewhere)."""
    import blessed
    term = blessed.Terminal(stream=stream, force_styling=None)
    w = max(20, min(100, (width or term.width or 80) - 12))
    lines = chart_lines(points, w)
    if not lines:
        return
    for line in lines:
        text = line.replace(GUARDED, term.blue(GUARDED)).replace(ACTUAL,
                                                                term.bright_black(ACTUAL))
        print(text, file=stream)
    axis = day_axis(points, w, day_of)
    if axis:
        print(axis, file=stream)
    print(" " * 11 + f"{term.blue(GUARDED)} guarded  {term.bright_black(ACTUAL)} actual  "
          f"{BOTH} both", file=stream)
