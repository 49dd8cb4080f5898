"""`riskctl config show` on the built-in sim says which addresses riskd uses and that the
[broker] URLs and the masked api_key shown are not what they seem (trial16c finding 8:
`api_key = "***"` and `rest_url = "https://api.topstepx.com"` under kind = "sim")."""
from __future__ import annotations

from types import SimpleNamespace

import attrs
import tomlkit

from services.supervisor.commands import config_show
from tests.support.env import make_config
from shared.config import load_config


def shown(config) -> str:
    loaded = load_config(config)
    sup = SimpleNamespace(loaded=loaded, config=loaded.config, config_generation=0)
    got = []
    config_show.execute(sup, None, got.append)
    return got[0].body.toml


def test_the_sim_s_addresses_head_the_shown_config_which_still_parses(tmp_path):
    text = shown(make_config(tmp_path))
    first = text.splitlines()[:4]
    assert first[0].startswith('# [broker] kind = "sim": riskd uses its built-in sim broker at '
                               "http://127.0.0.1:"), first
    assert "are not used with the sim" in text and "api_key is the sim's built-in one" in text
    data = tomlkit.parse(text).unwrap()
    assert data["broker"]["kind"] == "sim" and data["broker"]["api_key"] == "***"


def test_a_real_broker_gets_no_such_note(tmp_path):
    loaded = load_config(make_config(tmp_path))
    broker = attrs.evolve(loaded.config.broker, kind="projectx")
    assert config_show.sim_note(broker) == ""
