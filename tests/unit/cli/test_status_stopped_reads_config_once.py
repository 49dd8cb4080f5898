"""`riskctl status` with riskd stopped parses the config file once, not once per value it needs.

Fresh-user trial 16b, finding 8: `riskctl status` with riskd stopped took over the README's 3 s
in 2 of 5 runs (3.55 s, 3.66 s). Nothing in that path waits (the control socket refuses at
once, no timeout runs out): it is riskctl's own CPU, on a 2-core machine loaded ~5x by other
sessions. Part of that CPU was tomlkit parsing the same file five times (control address,
data and log folders, risk shards, configured workers); cli/configfile.tables now keeps the
last parse of a file's text (since round 17 tomllib's, as riskd reads it: tomlkit only for
a file tomllib refuses). Runs riskctl's main in-process on a config from etc/riskd.toml
(tests/support/env.make_config) whose control port nothing listens on.
"""
from __future__ import annotations

from cli import configfile
from cli import main as riskctl
from tests.support.env import make_config


def test_status_with_riskd_stopped_parses_the_config_once(tmp_path, monkeypatch, capsys):
    config = make_config(tmp_path, workers=["logging"])
    parses = []
    real = configfile.tomllib.loads

    def counted(text):
        parses.append(len(text))
        return real(text)
    monkeypatch.setattr(configfile.tomllib, "loads", counted)
    monkeypatch.setattr(configfile, "_PARSED", {}, raising=False)     # no earlier test's parse
    code = riskctl.main(["--config", config, "status"])
    assert code == 1, capsys.readouterr()
    assert "riskd is not running" in capsys.readouterr().err
    assert len(parses) == 1, parses


def test_a_changed_file_is_parsed_again(tmp_path):
    config = make_config(tmp_path, workers=["logging"])
    assert configfile.tables(config)["logging"]["level"] == "INFO"
    text = open(config, encoding="utf-8").read()
    with open(config, "w", encoding="utf-8") as fh:
        fh.write(text.replace('level = "INFO"', 'level = "DEBUG"', 1))
    assert configfile.tables(config)["logging"]["level"] == "DEBUG"
    configfile.tables(config)["logging"]["level"] = "changed by a caller"
    assert configfile.tables(config)["logging"]["level"] == "DEBUG"
