"""`riskctl history --since HH:MM[:SS]` with a clock time later than now says it read
yesterday's (fresh-user trial 15a, finding 9: `--since 11:52:30` run at 11:51:56 listed the
whole day without a word). riskd is stopped here: the stored history is read, the note is the
output's first line; with --json it is on stderr, stdout stays one document."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from cli.main import main
from shared.clock import to_ns
from tests.support.env import make_config
from zoneinfo import ZoneInfo

CHICAGO = ZoneInfo("America/Chicago")        # the shipped display zone
NOW = to_ns(dt.datetime(2026, 12, 6, 11, 51, 56, tzinfo=CHICAGO))


@pytest.fixture
def stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    monkeypatch.setattr(time, "time_ns", lambda: NOW)      # riskctl's clock: the trial's
    return make_config(tmp_path)             # nothing runs on its ports


def test_a_clock_time_later_than_now_is_said_read_as_yesterdays(stopped, capsys):
    """The output's first line (fresh-user trial 18a: on stderr only, it came after the whole
    day's output where the two were read apart; on main's history.py this fails, checked)."""
    assert main(["--config", stopped, "history", "--since", "11:52:30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("riskctl history: 11:52:30 is later than now (Sun 11:51:56 CST): "
                          "read as yesterday's 11:52:30 (Sat 11:52:30 CST)"), out


def test_json_stays_one_document(stopped, capsys):
    assert main(["--config", stopped, "history", "--since", "11:52:30", "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)
    assert "read as yesterday's 11:52:30" in err, err


def test_an_earlier_clock_time_or_a_length_says_nothing(stopped, capsys):
    for since in ("11:51", "30m", "2026-12-06T11:52:30-06:00"):
        assert main(["--config", stopped, "history", "--since", since]) == 0
        assert "later than now" not in str(capsys.readouterr()), since
