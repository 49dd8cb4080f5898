"""Plain-text tables and durations for riskctl's human output."""
from __future__ import annotations

from typing import Any, Optional, Sequence


def fmt_duration(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


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
