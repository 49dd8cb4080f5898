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


def test_the_error_keeps_tomlkits_line_and_gives_the_column_as_editors_count_it():
    """tomlkit counts columns from 0: the second '=' of `y = = 2` is the 5th character."""
    with pytest.raises(ConfigError) as err:
        parse_toml("[a]\nx = 1\ny = = 2\n", "riskd.toml")
    text = str(err.value)
    assert "not valid TOML: Unexpected character: '=' at line 3 col 5" in text, text


def test_a_bare_word_as_a_value_points_at_the_character_named():
    """trial15c: a hand edit `limit = five` read "Unexpected character: 'i' at line 125 col
    9", col 9 being the 'f'; the 'i' is the 10th character of the line."""
    line = "limit = five "
    with pytest.raises(ConfigError) as err:
        parse_toml(f"[a]\n{line}\n", "riskd.toml")
    text = str(err.value)
    assert "Unexpected character: 'i' at line 2 col 10" in text, text
    assert line[10 - 1] == "i"


def test_an_array_left_open_at_the_end_points_at_where_it_opened_not_at_x00():
    """Fresh-user trial: a copy of etc/riskd.toml whose last line is `broken = [` read
    "Unexpected character: '\\x00' at line 226 col 0" (no such character, no such line)."""
    text = (ETC / "riskd.toml").read_text(encoding="utf-8").rstrip("\n") + "\nbroken = [\n"
    last = text.count("\n")
    with pytest.raises(ConfigError) as err:
        parse_toml(text, "riskd.toml")
    said = str(err.value)
    assert "\\x00" not in said and "\x00" not in said, said
    assert (f"not valid TOML: the array opened here is never closed at line {last} col 10"
            in said), said


@pytest.mark.parametrize("text, what", [
    ("a = 1\nb = {x = 1\n", "the inline table opened here is never closed at line 2 col 5"),
    ('a = 1\nb = """abc\n\n', "the string opened here is never closed at line 2 col 5"),
    ("[t]\nx = [1,\n  [2, 3],\n# ]\n", "the array opened here is never closed at line 2 col 5"),
    ("[[t]]\nx = ['a]', \"b\\\"]\",\n", "the array opened here is never closed at line 2 col 5"),
])
def test_a_value_left_open_is_said_where_it_opened(text, what):
    with pytest.raises(ConfigError) as err:
        parse_toml(text, "riskd.toml")
    assert f"not valid TOML: {what}" in str(err.value), str(err.value)
