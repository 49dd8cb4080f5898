"""The config file's layout after an edit: comments stay above the table they describe, tables
stay apart by a blank line.

tomlkit keeps a comment block that stands above a table as the tail of the table before it, so a
table an edit appends there lands between the comment and the table it describes (trial17b:
`riskctl rules set 1002 drawdown_guard line ...` and `riskctl accounts add 1004` put
`[accounts.rules.drawdown_guard]` and a new `[[accounts]]` under "# The default profile: ...",
above `[profiles.default]`, with no blank line before it). keep_layout() mends the text an edit
made, by the text before it: such a block goes back directly above its table, what was inserted
stays where the edit put it (above the block), and a table that had a blank line before it, or
a new array entry (`[[...]]`), gets one. Only lines are moved or blank lines added: the TOML
means the same (comments and blank lines carry no data).
"""
from __future__ import annotations


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _blank(line: str) -> bool:
    return not line.strip()


def _blocks_above_headers(lines: list[str]) -> list[tuple[tuple[str, ...], str]]:
    """(comment block, the header line directly under it) of each run of whole-line comments
    that a table header follows at once."""
    out = []
    i = 0
    while i < len(lines):
        if _is_comment(lines[i]):
            j = i
            while j < len(lines) and _is_comment(lines[j]):
                j += 1
            if j < len(lines) and _is_header(lines[j]):
                out.append((tuple(lines[i:j]), lines[j]))
            i = j
        else:
            i += 1
    return out


def _find(lines: list[str], block: tuple[str, ...]) -> int:
    n = len(block)
    for i in range(len(lines) - n + 1):
        if tuple(lines[i:i + n]) == block:
            return i
    return -1


def _strip_blank_ends(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and _blank(lines[start]):
        start += 1
    while end > start and _blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def keep_layout(old_text: str, new_text: str) -> str:
    """new_text (an edit of old_text) with its comment blocks back above their tables and its
    tables apart as old_text had them (the module's docstring)."""
    old = old_text.splitlines()
    new = new_text.splitlines()
    for block, header in _blocks_above_headers(old):
        at = _find(new, block)
        if at < 0:
            continue
        end = at + len(block)
        if end < len(new) and new[end] == header:
            continue                                    # still above its table
        try:
            h = new.index(header, end)
        except ValueError:
            continue                                    # its table is gone: leave it
        inserted = _strip_blank_ends(new[end:h])
        if not inserted or any(_is_comment(x) for x in inserted):
            continue
        before = new[:at]
        while before and _blank(before[-1]):
            before.pop()
        gap = [""] if at > 0 and _blank(new[at - 1]) else []
        new = [*before, *inserted, *gap, *block, *new[h:]]
    old_gap = {old[i] for i in range(1, len(old)) if _is_header(old[i]) and _blank(old[i - 1])}
    old_headers = {x for x in old if _is_header(x)}
    out: list[str] = []
    for line in new:
        wants_gap = _is_header(line) and (
            line in old_gap or (line not in old_headers and line.lstrip().startswith("[[")))
        if wants_gap and out and not _blank(out[-1]) and not _is_comment(out[-1]):
            out.append("")
        out.append(line)
    text = "\n".join(out)
    return text + "\n" if new_text.endswith("\n") else text
