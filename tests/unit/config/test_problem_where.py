"""Trial findings: `riskctl rules set 1002 ...` was refused with "accounts[1].rules.max_contracts
.limit: ..." (which account is accounts[1]?), and docs/operations.md shows an invalid config
"(line 78 ...)" while status and `config validate` named only the key. A problem now says its
line, and for an account's key which account and rule."""
from __future__ import annotations

from pathlib import Path

import pytest

from shared.config.errors import ConfigError
from shared.config.load import validate_text

ROOT = Path(__file__).resolve().parents[3]
TEXT = (ROOT / "etc" / "riskd.toml").read_text(encoding="utf-8")


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate_text(text, str(ROOT / "etc" / "riskd.toml"))
    return [str(p) for p in caught.value.problems]


def line_no(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[:text.index(needle, start)].count("\n") + 1


def test_an_accounts_bad_rule_names_the_line_account_and_rule():
    bad = TEXT.replace("[accounts.rules.max_contracts]\nlimit = 2",
                       "[accounts.rules.max_contracts]\nlimit = 0")
    [problem] = problems(bad)
    line = line_no(bad, "limit = 0")
    assert problem.startswith("accounts[1].rules.max_contracts.limit: "), problem
    assert problem.endswith(f"(line {line}: account Demo 2 (strict, id 1002), "
                            "rule max_contracts limit)"), problem


def test_a_profile_key_names_its_line():
    bad = TEXT.replace("[profiles.default]\n", "[profiles.default]\nbogus = 1\n", 1)
    [problem] = problems(bad)
    assert problem.startswith("profiles.default.bogus: unknown key"), problem
    assert problem.endswith(f"(line {line_no(bad, 'bogus = 1')})"), problem


def test_an_inline_value_names_the_line_that_holds_it():
    bad = TEXT.replace("[accounts.rules.max_contracts]\nlimit = 2",
                       "[accounts.rules]\nmax_contracts = {limit = -1}")
    [problem] = problems(bad)
    assert f"(line {line_no(bad, 'max_contracts = {limit = -1}')}: account Demo 2" in problem


def test_status_puts_the_line_first_as_docs_operations_shows():
    from zoneinfo import ZoneInfo

    from cli.health import config_note
    from shared.messages.control import ConfigHealth
    bad = TEXT.replace("[accounts.rules.max_contracts]\nlimit = 2",
                       "[accounts.rules.max_contracts]\nlimit = 0")
    [problem] = problems(bad)
    note = config_note(ConfigHealth(path="etc/riskd.toml", loaded_ns=10**18,
                                    invalid_since_ns=2 * 10**18, problem=problem),
                       ZoneInfo("America/Chicago"), 2 * 10**18)
    line = line_no(bad, "limit = 0")
    assert f"(line {line}: accounts[1].rules.max_contracts.limit: " in note, note
    assert "(account Demo 2 (strict, id 1002), rule max_contracts limit))" in note, note
