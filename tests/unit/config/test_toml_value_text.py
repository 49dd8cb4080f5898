"""One config value as TOML text (shared/config/convert.toml_value_text): the plain values are
written without tomlkit (it cost risk 0.8 MB for its status answers), exactly as tomlkit
writes them; tomlkit still writes the rest."""
import subprocess
import sys
from decimal import Decimal

import attrs
import pytest
import tomlkit

from shared.config.convert import _inline, config_converter, toml_value_text
from shared.config.rules import RULE_CLASSES
from tests.support.env import REPO

VALUES = [1, -5, 0, 123456789012345678901234567890, 0.8, 1e20, 1e-7, -0.0, 3.141592653589793,
          float("inf"), float("-inf"), True, False, "gross", "", "x y", "a#b", "[x]", "{y}",
          "it's", 'a"b', "back\\slash", "tab\there", "é", "line\nbreak", ["mon", "tue"], [], {},
          [{"loss": 100, "seconds": 300}], {"a": [1, 2.5]}, [[1, 2], [3]], {"a b": 1},
          ("t", 1), Decimal("500"), Decimal("12.5"), Decimal("0.25")]


def by_tomlkit(value) -> str:
    return tomlkit.item(_inline(config_converter.unstructure(value))).as_string()


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_written_as_tomlkit_writes_it(value):
    assert toml_value_text(value) == by_tomlkit(value)


@pytest.mark.parametrize("rule, cls", RULE_CLASSES)
def test_every_rules_parameters_as_tomlkit_writes_them(rule, cls):
    params = cls()
    for field in attrs.fields(cls):
        value = getattr(params, field.name)
        if value is not None:
            assert toml_value_text(value) == by_tomlkit(value), f"{rule}.{field.name}"


PROBE = """
import sys
import attrs
from services.risk.views import params_text
from shared.config.rules import RULE_CLASSES
for _rule, cls in RULE_CLASSES:
    params_text(cls())
print("tomlkit" in sys.modules)
"""


def test_risks_status_answers_need_no_tomlkit():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
