"""A TOML file's syntax error as a person can act on it.

tomlkit reports the end of the file as the character '\\x00' one line past the last one
(fresh-user trial: a copy of etc/riskd.toml ending in `broken = [` read "Unexpected
character: '\\x00' at line 226 col 0"; the file has 225 lines and no such character). The
problem is where the value started: an array, inline table or string opened and never closed.
toml_problem finds it ("the array opened here is never closed at line 225 col 10", which
`riskctl watch` and status point at as "line 225 col 10: ...", cli/health.py) and otherwise
says the end of the file plainly; any other error is tomlkit's own, its column counted from
1 as editors count it (tomlkit counts from 0).
"""
from __future__ import annotations

import re
from typing import Optional

WHAT = {"[": "array", "{": "inline table", '"': "string", "'": "string", '"""': "string",
        "'''": "string"}
_AT = re.compile(r"^(.*?)\s*at line (\d+) col (\d+)$")


def unclosed(text: str) -> Optional[tuple[str, int, int]]:
    """(what, line, col) of the outermost value left open at the end of the file (an array,
    an inline table, a string), 1-based; None when every value is closed. Table headers
    ([name], [[name]]) are not values."""
    stack: list[tuple[str, int, int]] = []     # open arrays / inline tables
    string: Optional[tuple[str, int, int]] = None
    value = False           # after a top-level '=': a '[' opens an array, not a header
    line, col, i, n = 1, 0, 0, len(text)
    while i < n:
        c = text[i]
        col += 1
        if string is not None:
            quote = string[0]
            if c == "\\" and quote in ('"', '"""'):
                i, col = i + 2, col + 1
                continue
            if text.startswith(quote, i):
                i, col, string = i + len(quote), col + len(quote) - 1, None
                continue
            if c == "\n":
                if len(quote) == 1:        # a one-line string ends at its line's end
                    return WHAT[quote], string[1], string[2]
                line, col = line + 1, 0
            i += 1
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            string = (quote, line, col)
            i, col = i + len(quote), col + len(quote) - 1
            continue
        if c == "\n":
            line, col = line + 1, 0
            if not stack:
                value = False
        elif c == "=" and not stack:
            value = True
        elif c in "[{" and (stack or value):
            stack.append((c, line, col))
            value = False
        elif c in "]}" and stack:
            stack.pop()
        i += 1
    if string is not None:
        return WHAT[string[0]], string[1], string[2]
    if stack:
        return WHAT[stack[0][0]], stack[0][1], stack[0][2]
    return None


NEWLINE_IN_STRING = "use \\u000a instead"     # tomlkit: a line's end inside a one-line string


def missing_quote(text: str, error: str, line: int) -> str:
    """The hint for a line's end inside a one-line string, which tomlkit calls a control
    character ("... are not allowed in strings, use \\u000a instead at line 43 col 12"): the
    right line, but no word of the quote (trial16g: `kind = "sim` + newline). Names where the
    string starts when unclosed() finds it on that line; '' for any other error."""
    if NEWLINE_IN_STRING not in error:
        return ""
    hint = "; a string is missing its closing quote?"
    left_open = unclosed(text)
    if left_open is not None and left_open[0] == "string" and left_open[1] == line:
        hint += f" (it starts at col {left_open[2]})"
    return hint


def toml_problem(text: str, error: str) -> str:
    """The parser's error text -> what `config validate` and the screens say."""
    m = _AT.match(error)
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    at_end = ("\\x00" in error or "\x00" in error or "end of file" in error.lower()
              or (m is not None and int(m.group(2)) > lines))
    if not at_end and m is not None:
        # tomlkit counts columns from 0, editors and unclosed() from 1: "limit = five" read
        # "Unexpected character: 'i' at line 125 col 9", col 9 being the 'f' (trial15c)
        # the hint before "at line": screens put the line first (cli/health.py)
        return (f"{m.group(1)}{missing_quote(text, error, int(m.group(2)))} at line "
                f"{m.group(2)} col {int(m.group(3)) + 1}")
    if not at_end:
        return error + missing_quote(text, error, 0)
    left_open = unclosed(text)
    if left_open is not None:
        what, line, col = left_open
        return f"the {what} opened here is never closed at line {line} col {col}"
    return f"the file ends in the middle of a value at line {max(lines, 1)}"
