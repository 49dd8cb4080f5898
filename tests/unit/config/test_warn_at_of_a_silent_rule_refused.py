"""`riskctl rules set ... RULE warn_at X` (and `config set ...rules.RULE.warn_at X`) of a rule
that never warns (shared/config/rules.py NEVER_WARN) is refused with words that say why and
that nothing was written (round 21, rules21: it was saved silently and never used, while
`rules list` shows no warn_at for such a rule). Run on a copy of etc/riskd.toml as shipped."""
from __future__ import annotations


import pytest

from shared.config.edit import EditError, set_config_value, set_rule_param
from shared.config.rules import NEVER_WARN


@pytest.mark.parametrize("rule", sorted(NEVER_WARN))
def test_warn_at_of_a_rule_that_never_warns_is_refused(shipped, rule):
    path, backups = shipped
    with open(path) as fh:
        before = fh.read()
    for edit in (lambda: set_rule_param(path, "profile:default", rule, "warn_at", "0.5",
                                        backups),
                 lambda: set_config_value(path, f"profiles.default.rules.{rule}.warn_at",
                                          "0.5", backups)):
        with pytest.raises(EditError) as refused:
            edit()
        words = str(refused.value)
        assert words.startswith(f"{rule} never warns"), words
        assert "nothing was written" in words and "max_contracts" in words, words
    with open(path) as fh:
        assert fh.read() == before


def test_warn_at_of_a_rule_that_warns_is_still_set(shipped):
    path, backups = shipped
    set_rule_param(path, "profile:default", "max_contracts", "warn_at", "0.5", backups)
    set_config_value(path, "profiles.default.rules.daily_net_loss.warn_at", "0.6", backups)
    with open(path) as fh:
        text = fh.read()
    assert "warn_at = 0.5" in text and "warn_at = 0.6" in text, text
