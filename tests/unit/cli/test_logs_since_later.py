"""`riskctl logs --since HH:MM[:SS]` with a clock time later than now says, as the output's
first line, that it read yesterday's (trial23b section 7: `logs --since 11:12:00` at 11:10
printed the log from yesterday 11:12 on; the note went to stderr only and was not seen beside
the records). With --json it stays on stderr: stdout is records only."""
from __future__ import annotations

import time

from cli.commands import logs
from tests.unit.cli.test_history_since_later import NOW


def test_the_note_is_the_first_line_of_the_output(monkeypatch, capsys):
    monkeypatch.setattr(time, "time_ns", lambda: NOW)        # Sun 11:51:56 CST
    since = logs.since_of("11:52:30", "/nonexistent/riskd.toml")
    out, err = capsys.readouterr()
    assert out.startswith("riskctl logs: 11:52:30 is later than now (Sun 11:51:56 CST): read as "
                          "yesterday's 11:52:30 (Sat 11:52:30 CST)"), (out, err)
    assert since == "2026-12-05T17:52:30.000000Z"


def test_json_keeps_stdout_records_only(monkeypatch, capsys):
    monkeypatch.setattr(time, "time_ns", lambda: NOW)
    logs.since_of("11:52:30", "/nonexistent/riskd.toml", as_json=True)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("riskctl logs: 11:52:30 is later than now"), (out, err)
