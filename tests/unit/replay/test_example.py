"""The replay example in README.md and docs/replay.md has the shape of riskctl replay's real
output, and replay names accounts as every screen does.

Trial 2026-12-05: the README showed a "FIRST BREACH" column with bare times ("07:58:20
daily_unrealized_loss close_position") and accounts named "SIM-DEMO-1"; riskctl replay printed
"first breach Mon 09:55:20 CST ..." on a line of its own under each day, and every other screen
names the account "Demo 1 (id 1001)". Here one line grammar (SHAPES) must read both the real
output of a replay under the shipped config and the docs' examples, line by line, with the
numbers right-aligned under their headers.
"""
from __future__ import annotations

import json
import re

import pytest

from cli.replay import report as rep
from cli.replay.scope import wrapped
from shared.config.load import load_config
from shared.config.rules import RULE_NAMES
from tests.support.replay_days import BrokerOfDays
from tests.unit.replay.test_command import Run, two_days
from tests.unit.test_docs import read

pytestmark = pytest.mark.timeout(60)

HEADERS = ["DAY", "ACTUAL", "GUARDED", "DIFFERENCE", "BLOCKED", "DROPPED"]
MONEY = r"-?\d{1,3}(?:,\d{3})*\.\d\d"
SIGNED = r"[+-]?\d{1,3}(?:,\d{3})*\.\d\d"
RULE = "|".join(RULE_NAMES)
SHAPES = {
    "header": re.compile(r"^DAY +ACTUAL +GUARDED +DIFFERENCE +BLOCKED +DROPPED$"),
    "day": re.compile(rf"^\d{{4}}-\d\d-\d\d +{MONEY} +{MONEY} +{SIGNED} +\d+ +\d+$"),
    "breach": re.compile(rf"^    first breach (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d:\d\d "
                         rf"CST\*? ({RULE}) [a-z_]+( [a-z_]+)?( \(alert\))?$"),
    "total": re.compile(rf"^total +{MONEY} +{MONEY} +{SIGNED} +\d+ +\d+$"),
    "legend": re.compile("^(" + "|".join(re.escape(x) for x in rep.LEGEND) + ")$"),
    # a time set off by a bar's price (`*`): its legend, as the output wraps it at 80 columns
    "bar legend": re.compile("^(" + "|".join(re.escape(x) for x in wrapped([rep.BAR_LEGEND], 80))
                             + ")$"),
    "elided": re.compile(r"^\.\.\.$"),
}


def screen_names(config_path: str) -> set[str]:
    """How the screens name the config's accounts: 'Demo 1 (id 1001)' (docs/operations.md)."""
    from shared.accountname import called, labels, named
    accounts = load_config(config_path).config.accounts
    return {called(named(labels(accounts), a.id), a.id) for a in accounts}


def kinds(lines: list[str], names: set[str]) -> list[str]:
    """Each line's kind; a line of no kind fails the test with the line."""
    out = []
    for line in lines:
        kind = "account" if line in names else next(
            (k for k, pattern in SHAPES.items() if pattern.match(line)), None)
        assert kind, f"a line of no known shape: {line!r}"
        out.append(kind)
    return out


def aligned(lines: list[str]) -> None:
    """Every number of a day or total row ends where its header ends."""
    header = lines[0]
    ends = [m.end() for m in re.finditer(r"\S+", header)][1:]
    for line in lines:
        if SHAPES["day"].match(line) or SHAPES["total"].match(line):
            got = [m.end() for m in re.finditer(r"\S+", line)][1:]
            assert got == ends, f"not under its headers:\n{header}\n{line}"


def check(lines: list[str], names: set[str]) -> list[str]:
    got = kinds(lines, names)
    assert got[0] == "header" and got[1] == "account" and "day" in got and "total" in got
    for i, kind in enumerate(got):
        if kind == "breach":
            assert got[i - 1] == "day", f"a first breach not under its day: {lines[i]!r}"
    aligned(lines)
    return got


def day_block(text: str) -> list[str]:
    """The example's day table: the code block that starts with the DAY header, up to its
    legend."""
    for block in re.findall(r"^```\w*\n(.*?)^```", text, re.S | re.M):
        lines = block.rstrip("\n").split("\n")
        if lines[0].startswith("DAY"):
            end = max(i for i, x in enumerate(lines) if SHAPES["legend"].match(x) or
                      SHAPES["total"].match(x))
            return lines[:end + 1]
    raise AssertionError("no replay example (a code block starting with DAY)")


@pytest.fixture
def two_accounts(config):
    return Run(config, BrokerOfDays(two_days().history(),
                                    two_days(1002, "SIM-DEMO-2").history()))


def test_replay_names_accounts_as_every_screen_does(two_accounts, config, capsys):
    assert two_accounts("--from", "2026-11-24", "--to", "2026-11-25") == 0
    out = capsys.readouterr().out
    assert "SIM-DEMO" not in out
    lines = out.split("\n")
    assert "Demo 1 (id 1001)" in lines and "Demo 2 (strict, id 1002)" in lines
    assert [x for x in lines if len(x) > 80] == []          # docs/replay.md: 80 columns
    assert two_accounts("--from", "2026-11-24", "--to", "2026-11-25", "--json",
                        "--decisions") == 0
    doc = json.loads(capsys.readouterr().out)
    assert {d["account"] for d in doc["days"]} == {"Demo 1 (id 1001)", "Demo 2 (strict, id 1002)"}
    assert {d["account"] for d in doc["decisions"]} <= {"Demo 1 (id 1001)",
                                                       "Demo 2 (strict, id 1002)"}
    assert two_accounts("--from", "2026-11-24", "--to", "2026-11-25", "--decisions") == 0
    decisions = [x for x in capsys.readouterr().out.split("\n") if " CST " in x and ":" in x
                 and not x.startswith("    ")]
    assert decisions and all("Demo " in x for x in decisions), decisions


def test_the_real_output_has_the_shape_the_examples_are_checked_against(two_accounts, config,
                                                                          capsys):
    assert two_accounts("--from", "2026-11-24", "--to", "2026-11-25") == 0
    lines = capsys.readouterr().out.split("\n")
    end = max(i for i, x in enumerate(lines) if SHAPES["legend"].match(x))
    got = check(lines[:end + 1], screen_names(config))
    assert got.count("account") == 2 and "breach" in got and "elided" not in got


@pytest.mark.parametrize("doc", ["README.md", "docs/replay.md"])
def test_the_docs_replay_example_has_the_real_outputs_shape(doc, config):
    """The example names the shipped config's accounts as riskd's screens do."""
    lines = day_block(read(doc))
    got = check(lines, screen_names(config))
    assert "breach" in got


def test_replay_takes_the_account_option_like_every_command(two_accounts, capsys):
    assert two_accounts("--from", "2026-11-24", "--to", "2026-11-25", "--account",
                        "Demo 2 (strict)") == 0
    lines = capsys.readouterr().out.split("\n")
    assert "Demo 2 (strict, id 1002)" in lines and "Demo 1 (id 1001)" not in lines
