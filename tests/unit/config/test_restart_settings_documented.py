"""The restart policy's settings are where an operator looks, at their real defaults:
docs/operations.md ("Restarting a crashed worker") and etc/riskd.toml's [supervisor] lines.
Fresh-user trial 15a (finding 11): docs/alerts.md named flapping_crashes, flapping_window,
flapping_backoff and stable_after, and no user doc or the shipped config gave their defaults
or where to set them."""
from __future__ import annotations

import os
import re

import attrs

from shared.config.sections import SupervisorConfig
from tests.support.env import REPO

SETTINGS = ("backoff_initial", "backoff_max", "flapping_crashes", "flapping_window",
            "flapping_backoff", "stable_after")


def read(*path: str) -> str:
    with open(os.path.join(REPO, *path), encoding="utf-8") as fh:
        return fh.read()


def defaults() -> dict:
    return {f.name: f.default for f in attrs.fields(SupervisorConfig) if f.name in SETTINGS}


def test_operations_gives_each_setting_its_real_default():
    section = read("docs", "operations.md").split("\n## Restarting a crashed worker\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    for name, default in defaults().items():
        row = re.search(rf"^\| `{name}` \| ([\d.]+)( s)? \|", section, re.M)
        assert row, name
        assert float(row[1]) == default, (name, row[0], default)


def test_the_shipped_config_names_each_at_its_default_under_supervisor():
    text = read("etc", "riskd.toml")
    table = text.split("\n[supervisor]\n", 1)[1].split("\n[", 1)[0]
    for name, default in defaults().items():
        line = re.search(rf"^# {name} = ([\d.]+) ", table, re.M)
        assert line, name
        assert float(line[1]) == default, (name, default)
    assert "docs/operations.md, Restarting a crashed worker" in table


def test_alerts_points_to_them():
    alerts = read("docs", "alerts.md")
    assert alerts.count('docs/operations.md, "Restarting a crashed worker"') == 2
