"""Small things of fresh-user trial16g (section 11), each failing on main's code.

- `riskctl logs --since 22:01:10Z`, a time copied from a log line (they show UTC), was refused;
  `22:01:40` alone was read in the display zone, and the help did not say which zone.
- A string missing its closing quote (`kind = "sim` + newline) was said only in the TOML
  library's words: "Control characters (codes less than 0x1f and 0x7f) are not allowed in
  strings, use \\u000a instead at line 43 col 12".
"""
from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout
from zoneinfo import ZoneInfo

import pytest

from cli.commands.history import since_note
from cli.main import main
from shared.config.errors import ConfigError
from shared.config.load import load_config
from shared.when import parse_when
from tests.support.env import REPO

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.timezone.utc


def ns(when: dt.datetime) -> int:
    return int(when.timestamp()) * 10**9


def test_a_clock_time_ending_in_z_is_read_in_utc():
    now = ns(dt.datetime(2026, 12, 6, 22, 15, 0, tzinfo=UTC))       # Sun 16:15 CST
    assert parse_when("22:01:10Z", now, CHICAGO, future=False) == \
        ns(dt.datetime(2026, 12, 6, 22, 1, 10, tzinfo=UTC))
    assert parse_when("22:01:10z", now, CHICAGO, future=False) == \
        ns(dt.datetime(2026, 12, 6, 22, 1, 10, tzinfo=UTC))
    # without the Z: the display zone's 22:01:10, yesterday's (as before)
    assert parse_when("22:01:10", now, CHICAGO, future=False) == \
        ns(dt.datetime(2026, 12, 5, 22, 1, 10, tzinfo=CHICAGO))
    assert since_note("22:01:10Z", ns(dt.datetime(2026, 12, 6, 22, 1, 10, tzinfo=UTC)), now,
                      CHICAGO) == ""
    # after midnight UTC (Sun 18:05 CST), 23:59Z is the UTC day's yesterday: said so
    late = ns(dt.datetime(2026, 12, 7, 0, 5, 0, tzinfo=UTC))
    since = parse_when("23:59Z", late, CHICAGO, future=False)
    assert since == ns(dt.datetime(2026, 12, 6, 23, 59, tzinfo=UTC))
    assert since_note("23:59Z", since, late, CHICAGO).startswith(
        "23:59Z is later than now (Sun 18:05:00 CST): read as yesterday's 23:59Z (Sun "
        "17:59:00 CST)")
    with pytest.raises(ValueError):
        parse_when("25:01Z", now, CHICAGO)


def test_logs_since_help_says_the_zone_of_a_bare_time_and_takes_z(capsys):
    with pytest.raises(SystemExit):
        main(["logs", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "09:30 or 09:30:15, read in the display zone ([notify] timezone, else " \
           "[trading_day] timezone" in text, text
    assert "22:01:10Z in UTC, as the records show times" in text, text


def test_a_string_missing_its_closing_quote_is_said(tmp_path):
    text = open(f"{REPO}/etc/riskd.toml", encoding="utf-8").read()
    assert '\nkind = "sim"' in text
    broken = tmp_path / "riskd.toml"
    start = text.index('\nkind = "sim"') + 1
    end = text.index("\n", start)
    broken.write_text(text[:start] + 'kind = "sim' + text[end:])      # the whole line, as typed
    line = text[:start].count("\n") + 1
    with pytest.raises(ConfigError) as refused:
        load_config(str(broken))
    said = str(refused.value.problems[0])
    assert said.endswith(f"use \\u000a instead; a string is missing its closing quote? (it "
                         f"starts at col 8) at line {line} col 12"), said
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["config", "validate", str(broken)]) == 1
    assert "a string is missing its closing quote?" in out.getvalue()
    # another control character in a string is not a missing quote
    other = tmp_path / "other.toml"
    other.write_text('a = "x\x01y"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(str(other))
    assert "closing quote" not in str(refused.value), refused.value
