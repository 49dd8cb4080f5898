"""`riskctl rules set --help` and `rules override --help` say what RULE, PARAM and VALUE are and
name docs/rules.md (fresh-user trial 13b: neither had a description; `lockout --help` did point
to the docs)."""
from __future__ import annotations

import pytest

from cli.main import build_parser


def help_of(capsys, *args: str) -> str:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*args, "--help"])
    return " ".join(capsys.readouterr().out.split())


def test_rules_set_help_explains_rule_param_value_and_names_the_doc(capsys):
    text = help_of(capsys, "rules", "set")
    assert "RULE the rule's name, e.g. max_contracts" in text, text
    assert "PARAM one of its parameters" in text and "VALUE the new value" in text
    assert "docs/rules.md" in text and "rules override" in text


def test_rules_override_help_says_what_it_applies_and_names_the_doc(capsys):
    text = help_of(capsys, "rules", "override")
    assert "wait for the trading-day roll" in text and "docs/rules.md" in text, text
