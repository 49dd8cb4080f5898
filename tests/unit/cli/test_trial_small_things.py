"""Trial findings (small): `history --since 06:01:50` was refused (only 15:30 was read); plain
`status` marked workers "enforcement*" with no word on what "*" means; a multi-line RESULT in
`audit show` broke its table."""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from cli.commands import audit
from cli.commands._risk_view import parse_when
from cli.errors import CliError
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import to_ns
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state


def test_since_takes_a_clock_time_with_seconds():
    since = parse_when("14:01:50", now_ns=NOW, future=False, tz=CHICAGO)
    assert since == to_ns(dt.datetime(2026, 11, 25, 14, 1, 50, tzinfo=CHICAGO))
    # the next 15:30:45 for --until; a clock time without seconds reads as before
    assert parse_when("15:30:45", now_ns=NOW, tz=CHICAGO) == to_ns(
        dt.datetime(2026, 11, 25, 15, 30, 45, tzinfo=CHICAGO))
    assert parse_when("14:01", now_ns=NOW, future=False, tz=CHICAGO) == to_ns(
        dt.datetime(2026, 11, 25, 14, 1, tzinfo=CHICAGO))
    with pytest.raises(CliError, match="15:30:45"):
        parse_when("14:01:61", now_ns=NOW, future=False, tz=CHICAGO)


def test_status_explains_the_worker_marks():
    text = plain(render(build_screen(state(account()), NOW, CHICAGO, CALENDAR), 100, None,
                        unicode=False))
    assert "workers enforcement* " in text
    assert "* running" in text and "*state: a worker down" in text
    assert "! locked" in text                    # every item, none dropped for the width


def test_audit_show_keeps_one_line_per_record(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")        # one line a record (narrower: blocks)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    records = [{"time": "2026-11-25T20:00:00Z", "who": "admin:ana", "action": "rules set",
                "account": "1002", "reason": "tighter", "result": "refused:\n  max_contracts\n"},
               {"time": "2026-11-25T20:00:01Z", "who": "admin:ana", "action": "ping",
                "result": "ok"}]
    (log_dir / "audit.log").write_text("".join(json.dumps(r) + "\n" for r in records))
    ctx = SimpleNamespace(json=False, config_path=str(tmp_path / "riskd.toml"))
    audit.show(SimpleNamespace(n=20), ctx, str(log_dir))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3, out                   # the header and one line per record
    assert "refused: max_contracts" in out[1]
