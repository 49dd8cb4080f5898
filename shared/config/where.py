"""Where a config problem is, in people's words: the file's line, the account and the rule.

A problem's key path ("accounts[1].rules.max_contracts.limit") is what `riskctl config set`
takes, but it names an account by its place in the file. located() adds, after the message,
the line the key is on (or the line of the nearest table or key that holds it, for a value in
an inline table) and, for an account's key, which account it is: "(line 78: account Demo 2
(1002), rule max_contracts limit)". docs/operations.md shows such a problem.

An edit (`riskctl config set`, `rules set`) is judged on the file it would write, but the line
cited is the file's as it is (in_file: the lines of the file on disk): a key the edit adds is
"not in the file", with the line of the table or key in the file that would hold it. Trial:
`config set nosuch.key 3` on a 227-line file said "(line 229)", the line of the candidate.
"""
from __future__ import annotations

import re
from typing import Any, Optional

import attrs

from shared.accountname import called
from shared.config.errors import Problem

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\".]+?)\s*=")
_INDEX = re.compile(r"^(\w+)\[(\d+)\]")
_RULE = re.compile(r"(?:^|\.)rules\.(\w+)(?:\.(\w+))?")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip('"') for p in dotted.split(".")]


def key_lines(text: str) -> dict[str, int]:
    """Dotted key path ('accounts[1].rules.max_contracts.limit') -> its line (1-based), for
    every table header and `key = value` line of the file."""
    out: dict[str, int] = {}
    arrays: dict[str, int] = {}          # array-of-tables path -> its last index
    table: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            parts = _parts(header.group(2))
            resolved: list[str] = []
            for i, part in enumerate(parts):
                here = ".".join(resolved + [part])
                last = header.group(1) == "[[" and i == len(parts) - 1
                if last:
                    arrays[here] = arrays.get(here, -1) + 1
                resolved.append(f"{part}[{arrays[here]}]" if here in arrays else part)
            table = resolved
            out.setdefault(".".join(table), n)
            continue
        key = _KEY.match(line)
        if key and not line.lstrip().startswith("#"):
            out.setdefault(".".join(table + _parts(key.group(1))), n)
    return out


def line_of(path: str, lines: dict[str, int]) -> Optional[int]:
    """The line of `path`, else of the nearest key or table that holds it."""
    parts = path.split(".")
    while parts:
        found = lines.get(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None


def in_file_words(path: str, lines: dict[str, int]) -> str:
    """Where `path` is in the file as it is: 'line 42'; for a key the file does not have (an
    edit adds it), 'not in the file; notify starts at line 150' (the nearest table or key that
    holds it), or 'not in the file' when nothing of it is."""
    found = lines.get(path)
    if found is not None:
        return f"line {found}"
    parts = path.split(".")[:-1]
    while parts:
        holder = ".".join(parts)
        if holder in lines:
            return f"not in the file; {holder} starts at line {lines[holder]}"
        parts.pop()
    return "not in the file"


def _name_of(a: dict) -> str:
    aid = a.get("id") if isinstance(a.get("id"), int) else None
    return str(a.get("display_name") or a.get("name") or (aid if aid is not None else ""))


def account_of(path: str, data: Any, before: Any = None) -> str:
    """'account Demo 2 (1002)' for a key under accounts[N] ('' for any other key). before:
    the file as it is, when data is an edit of it: an account it holds (same id) is named as
    it is now, not by the edit's new name (trial 15c: a refused display name "1001" for 1002
    said "(line 102: account 1001 (id 1002))")."""
    m = _INDEX.match(path)
    if not m or m.group(1) != "accounts" or not isinstance(data, dict):
        return ""
    accounts = data.get("accounts")
    i = int(m.group(2))
    if not isinstance(accounts, list) or i >= len(accounts) or not isinstance(accounts[i], dict):
        return f"account #{i + 1} in the file"
    a = accounts[i]
    aid = a.get("id") if isinstance(a.get("id"), int) else None
    name = _name_of(a)
    held = before.get("accounts") if isinstance(before, dict) else None
    for was in (held if isinstance(held, list) and aid is not None else []):
        if isinstance(was, dict) and was.get("id") == aid and _name_of(was):
            name = _name_of(was)
            break
    return f"account {called(name, aid)}" if name else f"account #{i + 1} in the file"


def located(problem: Problem, text: str, data: Any,
            lines: Optional[dict[str, int]] = None, in_file: bool = False,
            before: Any = None) -> Problem:
    """The problem with where it is (line, account, rule) after its message; in_file: lines
    are the file's as it is, not the text judged (an edit's: in_file_words); before: the
    file's data as it is (accounts named as they are now: account_of)."""
    lines = key_lines(text) if lines is None else lines
    bits = []
    line = line_of(problem.path, lines) if problem.path and not in_file else None
    account = account_of(problem.path, data, before)
    if account:
        bits.append(account)
    rule = _RULE.search(problem.path) if account else None
    if rule:
        bits.append(f"rule {rule.group(1)}" + (f" {rule.group(2)}" if rule.group(2) else ""))
    where = ", ".join(bits)
    if line is not None:
        where = f"line {line}" + (f": {where}" if where else "")
    elif in_file and problem.path:
        where = in_file_words(problem.path, lines) + (f": {where}" if where else "")
    return attrs.evolve(problem, message=f"{problem.message} ({where})") if where else problem


def locate_all(problems, text: str, data: Any, file_text: Optional[str] = None) -> list[Problem]:
    """Every problem located; file_text: the file as it is, when text is an edit of it (the
    lines cited are the file's)."""
    lines = key_lines(text if file_text is None else file_text)
    before = None
    if file_text is not None:
        from shared.config.errors import ConfigError    # noqa: PLC0415 -- one place
        from shared.config.load import parse_toml       # noqa: PLC0415 -- load imports us
        try:
            before = parse_toml(file_text, "")
        except ConfigError:
            before = None      # the file as it is does not parse: the edit's names then
    return [located(p, text, data, lines, in_file=file_text is not None, before=before)
            for p in problems]
