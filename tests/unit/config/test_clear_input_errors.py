"""A bad value for a rule parameter is refused with what was given and what is wanted, nothing
written (trial25b F7): `rules set 1001 max_contracts limit 1e9` answered "expected a whole number,
got 1000000000.0" (it is whole: the range was the reason), and a cooldown tier without
`seconds` answered "required key is missing; expected a whole number from 1 to 604800, got
NOTHING" (no key named). Run on a copy of etc/riskd.toml as shipped; each value is the only
change, through `rules set` and through a hand edit riskd's load reads."""
from __future__ import annotations


import pytest

from shared.config.edit import set_rule_param
from shared.config.errors import ConfigError
from shared.config.load import load_config

CASES = [
    ("max_contracts", "limit", "1e9",
     ["max_contracts.limit: expected a whole number from 1 to 1000, got 1000000000.0"]),
    ("max_contracts", "limit", "5.0",
     ["max_contracts.limit: expected a whole number from 1 to 1000, got 5.0"]),
    ("trade_frequency_limit", "per_minute", "1e5",
     ["per_minute: expected a whole number from 0 to 10000, got 100000.0"]),
    ("cooldown_after_loss", "tiers", "[{loss = 100}]",
     ["tiers[0].seconds: required key `seconds` is missing (expected a whole number from 1 to "
      "604800)"]),
    ("cooldown_after_loss", "tiers", "[{seconds = 100}]",
     ["tiers[0].loss: required key `loss` is missing (expected an amount from 0.01 to "
      "1000000)"]),
]


def _problems(refused: ConfigError) -> list[str]:
    return [str(p) for p in refused.problems]


@pytest.mark.parametrize("rule,param,value,said", CASES)
def test_rules_set_says_what_was_given_and_what_is_wanted(shipped, rule, param, value, said):
    path, backups = shipped
    with open(path) as fh:
        before = fh.read()
    with pytest.raises(ConfigError) as refused:
        set_rule_param(path, "profile:default", rule, param, value, backups)
    problems = _problems(refused.value)
    # exactly the problems said, each once: no "got NOTHING" echo of a missing key, no
    # Python comparison error from a validator run on a value that is not there
    assert len(problems) == len(said), problems
    for text, want in zip(problems, said):
        assert want in text, problems
        assert "NOTHING" not in text and "not supported" not in text, problems
    with open(path) as fh:
        assert fh.read() == before


@pytest.mark.parametrize("rule,param,value,said", CASES)
def test_a_hand_edit_is_refused_by_the_load_in_the_same_words(shipped, rule, param, value, said):
    path, _ = shipped
    with open(path, "a") as fh:
        fh.write(f"\n[profiles.hand.rules.{rule}]\n{param} = {value}\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    text = refused.value.render()
    for want in said:
        assert want in text, text
    assert "NOTHING" not in text and "not supported" not in text, text
