"""The rule names of the lockouts a person asks for (the trader's self-lockout, an admin's
lockout) are defined once, in shared/lockwords.py, and imported everywhere else. They were
defined apart in services/risk/words.py (SELF_LOCK), shared/lockwords.py (SELF_LOCKOUT),
shared/outcomewords.py (SELF_LOCK) and cli/watch/model.py: a rename in one would have left
the others judging and naming a lockout by a name risk no longer gives it."""
from __future__ import annotations

import ast
import pathlib

from shared import lockwords

REPO = pathlib.Path(__file__).resolve().parents[2]
NAMES = {"self_lockout": "SELF_LOCKOUT", "admin_lockout": "ADMIN_LOCKOUT"}   # value: its name


def assignments_of(values) -> dict[str, list[str]]:
    """value -> every `NAME = "<value>"` in riskd's own code, as 'path:NAME' (one pass over
    the source for all the values: parsing it all takes ~1.5 s of CPU)."""
    found: dict[str, list[str]] = {value: [] for value in values}
    for path in sorted(p for top in ("services", "shared", "cli")
                       for p in (REPO / top).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and \
                    isinstance(node.value, ast.Constant) and node.value.value in found:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found[node.value.value] += [f"{path.relative_to(REPO)}:{getattr(t, 'id', '?')}"
                                            for t in targets]
    return found


def test_each_name_is_defined_once_in_lockwords():
    found = assignments_of(NAMES)
    for value, name in NAMES.items():
        assert found[value] == [f"shared/lockwords.py:{name}"]
        assert getattr(lockwords, name) == value


def test_the_others_use_lockwords_own():
    from services.risk import words
    from shared import outcomewords
    assert words.SELF_LOCKOUT is lockwords.SELF_LOCKOUT
    assert outcomewords.SELF_LOCKOUT is lockwords.SELF_LOCKOUT
