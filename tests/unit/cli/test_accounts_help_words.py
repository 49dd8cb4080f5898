"""`riskctl accounts --help` says when `enable` asks first (trial14b: it said only "a lockout in
force closes what it opened while disabled: riskctl asks first", while riskctl also asked, as
it should, when max_contracts would reduce at the enable) and names a section that exists."""
from __future__ import annotations

import pytest

from cli.main import build_parser
from tests.support.env import REPO


def test_accounts_help_says_enable_asks_when_a_rule_would_act_and_names_the_doc(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["accounts", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "a rule it is past reduces or flattens, e.g. more contracts than max_contracts" \
        in text, text
    assert "docs/operations.md, Enabling an account again" in text
    assert "### Enabling an account again" in open(f"{REPO}/docs/operations.md").read()
