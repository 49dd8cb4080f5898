"""`riskctl config show` spells numbers as the file does. Trial 2026-12-06: it printed
"session_minutes = 15.0" for etc/riskd.toml's "session_minutes = 15" (a float field: a login
may last 0.05 minutes, so a fraction stays a fraction). The supervisor's own command runs on
the shipped config."""
from __future__ import annotations

from types import SimpleNamespace

import tomlkit

from services.supervisor.commands import config_show
from shared.config.load import load_config
from tests.unit.risk.desk import SHIPPED


def shown(config) -> str:
    loaded = SimpleNamespace(path=SHIPPED, digest="d", warnings=[])
    sup = SimpleNamespace(loaded=loaded, config=config, config_generation=0)
    replies = []
    config_show.execute(sup, None, replies.append)
    return replies[0].body.toml


def test_config_show_writes_whole_minutes_as_the_file_does():
    text = shown(load_config(SHIPPED).config)
    assert "session_minutes = 15\n" in text, text
    assert "= 15.0" not in text, text


def test_a_fraction_stays_a_fraction():
    import attrs
    config = load_config(SHIPPED).config
    config = attrs.evolve(config, admin=attrs.evolve(config.admin, session_minutes=0.5))
    data = tomlkit.parse(shown(config)).unwrap()
    assert data["admin"]["session_minutes"] == 0.5
