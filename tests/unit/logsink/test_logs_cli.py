"""riskctl logs: filtering, the human line format, history across rotated files."""
from __future__ import annotations

import json

from cli.commands.logs import Filter, format_line, history
from services.logsink.sink import Sink
from shared.messages.logs import LogRecord
from shared.redact import Redactor


def rec(i, level="INFO", process="risk", **fields):
    levelno = {"INFO": 20, "WARNING": 30, "ERROR": 40}[level]
    return LogRecord(ts_ns=1_764_000_000_000_000_000 + i * 1000, level=level, levelno=levelno,
                     process=process, pid=9, logger="services.risk.app",
                     message=f"record {i}", fields=fields)


def test_filters():
    line = {"level": "WARNING", "process": "risk", "message": "Breach daily_loss",
            "account": 1001}
    assert Filter().matches(line)
    assert Filter(level="WARNING").matches(line) and not Filter(level="ERROR").matches(line)
    assert Filter(process="risk").matches(line) and not Filter(process="market").matches(line)
    assert Filter(account="1001").matches(line) and not Filter(account="1002").matches(line)
    assert Filter(grep="BREACH").matches(line) and not Filter(grep="flatten").matches(line)


def test_human_format():
    line = {"time": "2026-11-25T10:57:26.123456Z", "level": "WARNING", "process": "risk",
            "pid": 42, "logger": "services.risk.app", "message": "breach", "account": 1001,
            "exc": "Traceback ..."}
    assert format_line(line) == ("2026-11-25 10:57:26.123 WARNING risk[42] services.risk.app: "
                                 "breach  account=1001\nTraceback ...")


def test_history_takes_the_last_matching_records_across_rotated_files(tmp_path):
    sink = Sink(str(tmp_path), 3_000, 5, Redactor())
    sink.write([rec(i, level="WARNING" if i % 10 == 0 else "INFO", account=1000 + i % 2)
                for i in range(100)])
    assert (tmp_path / "system.log.2").exists()
    got = history(str(tmp_path), Filter(level="WARNING"), 4)
    assert [r["message"] for r in got] == ["record 60", "record 70", "record 80", "record 90"]
    got = history(str(tmp_path), Filter(account="1001", grep="record 9"), 3)
    assert [r["message"] for r in got] == ["record 95", "record 97", "record 99"]
    assert json.dumps(got[0])
