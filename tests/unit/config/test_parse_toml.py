"""parse_toml: tomllib reads the file, tomlkit only what tomllib refuses (its error text)."""
from __future__ import annotations

import pathlib

import pytest
import tomlkit

from shared.config.errors import ConfigError
from shared.config.load import parse_toml

ETC = pathlib.Path(__file__).resolve().parents[3] / "etc"


@pytest.mark.parametrize("path", sorted(ETC.glob("*.toml")), ids=lambda p: p.name)
def test_shipped_configs_parse_as_tomlkit_parses_them(path):
    text = path.read_text(encoding="utf-8")
    assert parse_toml(text, str(path)) == tomlkit.parse(text).unwrap()


def test_the_error_keeps_tomlkits_line_and_column():
    with pytest.raises(ConfigError) as err:
        parse_toml("[a]\nx = 1\ny = = 2\n", "riskd.toml")
    text = str(err.value)
    assert "not valid TOML: Unexpected character: '=' at line 3 col 4" in text, text
