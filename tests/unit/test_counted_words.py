"""Counts read as words: "after 1 call", "after 3 calls", never "after 1 attempt(s)".

Trial 2026-12-06: a failed close's detail in `riskctl history` and the logs read "close_position
gave up after 4 rounds: round 4: /api/Position/closeContract: the broker did not answer
successfully after 1 attempt(s) (last: HTTP 500)". riskd's words: "attempts" are risk's tries of
an action, "rounds" enforcement's runs of one command, "calls" its calls to the broker; each count
says its word once, in the singular or the plural (shared/plural.py). What riskd says is checked
two ways: the texts of the trial, and every string in services/, cli/ and shared/ (docstrings and
comments aside, which quote what trials saw)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shared.projectx.errors import BrokerUnavailable
from tests.support.env import REPO

COUNTED = re.compile(r"[a-z]\(s\)")
# not riskd's words: the sim broker answers as a SignalR server does; "http(s) URL" and "the
# CA(s)" are no counts
KEPT = {("services/simbroker/hubs.py", "argument(s)"), ("shared/config/validators.py", "http(s)"),
        ("shared/projectx/rest.py", "CA(s)")}


@pytest.mark.parametrize("n,says", [(1, "after 1 call (last: HTTP 500)"),
                                    (3, "after 3 calls (last: HTTP 500)")])
def test_enforcements_broker_error_counts_its_calls(n, says):
    err = BrokerUnavailable("/api/Position/closeContract", n, "HTTP 500")
    assert str(err) == ("/api/Position/closeContract: the broker did not answer successfully "
                        f"{says}")


def _strings(tree: ast.AST):
    """Every string constant but docstrings, with the f-strings' literal parts."""
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docs:
            yield node.lineno, node.value


def test_nothing_riskd_says_counts_with_s_in_brackets():
    found = []
    for top in ("services", "cli", "shared"):
        for path in sorted((Path(REPO) / top).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
                for m in COUNTED.finditer(text):
                    word = re.search(r"\S*\(s\)", text[max(0, m.start() - 30):m.end()]).group()
                    if not any(rel == f and w in word for f, w in KEPT):
                        found.append(f"{rel}:{line}: {text.strip()[:90]}")
    assert found == [], "\n".join(found)


def test_a_failed_actions_alert_counts_enforcements_calls_not_its_rounds():
    """A close whose 4 rounds made 8 calls to the broker (a read and the close each): risk's
    FAILED alert said "gave up after 4 calls"; notify's own FAILED alert likewise. An older
    enforcement's result that does not count its calls gives its rounds."""
    from services.notify.templates import Context, result_alert
    from shared.messages.enforce import CommandResult
    from tests.unit.risk.test_failed_action_tried_again import Run
    run = Run()
    close = run.buy_mnq()
    mark = len(run.outs)
    run.result(close, "failed", attempts=4, calls=8)
    (alert,) = run.notices(mark)
    assert "gave up after 8 calls over 2.1 s: HTTP 500 from the broker" in alert.lines[0], alert
    failed = CommandResult(command_id="k.1", account_id=1001, status="failed", attempts=4,
                           broker_calls=8, detail="flatten gave up after 4 rounds",
                           action="flatten", rule="manual")
    ctx = Context(accounts={1001: "Demo 1"})
    assert result_alert(failed, ctx).lines[-1].endswith(", 8 calls to the broker")
    older = CommandResult(command_id="k.1", account_id=1001, status="failed", attempts=4,
                          detail="flatten gave up after 4 rounds", action="flatten",
                          rule="manual")
    assert result_alert(older, ctx).lines[-1].endswith(", 4 rounds")
