"""A refused `riskctl config set` cites the file as it is, never the edit it judged: `config
set nosuch.key 3` on the shipped etc/riskd.toml (227 lines) said "(line 229)", the line the edit
would have written. A key the file has keeps its line; one the edit adds is "not in the file",
with the line of the table in the file that would hold it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared.config.edit import set_config_value
from shared.config.errors import ConfigError

SHIPPED = Path(__file__).resolve().parents[3] / "etc" / "riskd.toml"


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def refused(cfg, key: str, value: str) -> str:
    before = cfg.read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        set_config_value(str(cfg), key, value, str(cfg.parent / "backups"))
    assert cfg.read_text(encoding="utf-8") == before          # refused: the file is unchanged
    [problem] = caught.value.problems
    return str(problem)


def lines_of(cfg) -> int:
    return len(cfg.read_text(encoding="utf-8").splitlines())


def test_an_unknown_top_level_key_cites_no_line_past_the_end(cfg):
    said = refused(cfg, "nosuch.key", "3")
    cited = [int(n) for n in re.findall(r"line (\d+)", said)]
    assert all(n <= lines_of(cfg) for n in cited), (said, lines_of(cfg))
    assert said.startswith("nosuch: unknown key") and said.endswith("(not in the file)"), said


def test_an_unknown_key_of_a_table_cites_the_tables_line(cfg):
    text = cfg.read_text(encoding="utf-8").splitlines()
    table = text.index("[logging]") + 1
    said = refused(cfg, "logging.nosuch", "1")
    assert said.endswith(f"(not in the file; logging starts at line {table})"), said


def test_a_key_the_file_has_keeps_its_line(cfg):
    text = cfg.read_text(encoding="utf-8").splitlines()
    line = text.index('level = "INFO"') + 1
    said = refused(cfg, "logging.level", "NOPE")
    assert said.endswith(f"(line {line})"), said
