"""`riskctl rules set|enable profile:NAME` of a profile the config does not have is refused,
listing the profiles it has, unless --new-profile asks for it (fresh-user trial17a section 4:
`rules set profile:defualt daily_realized_loss limit 200` created a profile no account runs
and exited 0; the admin meant the shared profile). Run on a copy of etc/riskd.toml as shipped
(profiles: default)."""
from __future__ import annotations

import shutil

import pytest

from shared.config.edit import EditError, set_rule_enabled, set_rule_param
from tests.support.env import SHIPPED_CONFIG


@pytest.fixture
def shipped(tmp_path):
    path = tmp_path / "riskd.toml"
    shutil.copy(SHIPPED_CONFIG, path)
    return str(path), str(tmp_path / "backups")


def test_a_typo_of_a_profile_is_refused_and_the_file_is_unchanged(shipped):
    path, backups = shipped
    with open(path) as fh:
        before = fh.read()
    for edit in (lambda: set_rule_param(path, "profile:defualt", "daily_realized_loss",
                                        "limit", "200", backups),
                 lambda: set_rule_enabled(path, "profile:nosuch", "max_contracts", True,
                                          backups)):
        with pytest.raises(EditError) as refused:
            edit()
        words = str(refused.value)
        assert words.startswith("no profile named "), words
        assert "profiles: default;" in words, words
        assert "re-run with --new-profile" in words, words
    with open(path) as fh:
        assert fh.read() == before


def test_new_profile_creates_it_and_a_known_one_needs_no_flag(shipped):
    path, backups = shipped
    set_rule_param(path, "profile:eval", "max_contracts", "limit", "2", backups,
                   new_profile=True)
    set_rule_param(path, "profile:default", "max_contracts", "limit", "4", backups)
    set_rule_enabled(path, "profile:eval", "drawdown_guard", False, backups)  # it exists now
    with open(path) as fh:
        text = fh.read()
    assert "[profiles.eval.rules.max_contracts]" in text, text
