"""Plain-text tables and durations for riskctl's human output."""
from __future__ import annotations

from typing import Any, Optional, Sequence

from shared.when import table_duration as fmt_duration   # noqa: F401  (one for every screen)


def cell(value: Any) -> str:
    """A value as one line: a multi-line one (an audit RESULT) joins its lines with '; ' (a
    space after a line ending in ':' or ','), so a table keeps one line per row."""
    if value is None or value == "":
        return "-"
    text = str(value)
    if "\n" in text or "\r" in text:
        text = ""
        for part in (p.strip() for p in str(value).splitlines()):
            if part:
                text += ("" if not text else " " if text.endswith((":", ",")) else "; ") + part
    return text or "-"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)
