"""riskctl logs --since (trial16a finding 7: `riskctl logs --since 20:36:25` was refused,
"unrecognized arguments", while `riskctl history --since` takes it): the records from then on,
the time read as history reads it; the logging worker's history answer (for a user who may
not read the files) takes the same filter."""
from __future__ import annotations

import json
import subprocess
import sys

from services.logsink.history import Filter, history
from services.logsink.sink import Sink
from shared.config import load_config
from shared.messages.logs import LogRecord, iso_utc
from shared.redact import Redactor
from tests.support import env
from tests.support.env import REPO, make_config

BASE_S = 1_764_000_000          # 2025-11-24T16:00:00Z
MIN = 60 * 10**9


def rec(minute: int, offset_ns: int = 0) -> LogRecord:
    return LogRecord(ts_ns=BASE_S * 10**9 + minute * MIN + offset_ns, level="INFO", levelno=20,
                     process="risk", pid=9, logger="services.risk.app",
                     message=f"minute {minute}", fields={})


def messages(lines: list[dict]) -> list[str]:
    return [r["message"] for r in lines]


def test_history_since_keeps_the_records_from_then_on(tmp_path):
    sink = Sink(str(tmp_path), 1_000_000, 3, Redactor([]))
    # minute 6's record reached the file after minute 7's (two processes): still found
    sink.write([rec(m) for m in range(6)] + [rec(7), rec(6), rec(8), rec(9)])
    sink.close()
    since = iso_utc(BASE_S * 10**9 + 5 * MIN)
    got = history(str(tmp_path), Filter(since=since), 100)
    assert messages(got) == ["minute 5", "minute 7", "minute 6", "minute 8", "minute 9"]
    assert messages(history(str(tmp_path), Filter(since=since), 2)) == ["minute 8", "minute 9"]


def test_riskctl_logs_since_an_iso_time_and_a_length(tmp_path):
    config = make_config(tmp_path, workers=[])
    sink = Sink(load_config(config).log_dir, 1_000_000, 3, Redactor([]))
    sink.write([rec(m) for m in range(10)])
    sink.close()

    def logs(*args):
        return subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "logs",
                               *args], cwd=REPO, env=env.test_env(), capture_output=True,
                              text=True, timeout=60)
    done = logs("--since", "2025-11-24T10:07:00-06:00")       # 16:07 UTC
    assert done.returncode == 0, done.stderr
    assert [line.split(": ", 1)[1] for line in done.stdout.splitlines()] == [
        "minute 7", "minute 8", "minute 9"], done.stdout
    done = logs("--since", "2h")                               # all a year ago: none
    assert done.returncode == 0 and done.stdout == "", (done.stdout, done.stderr)
    done = logs("--since", "20:36:25")                          # the trial's: a clock time
    assert done.returncode == 0, done.stderr


def test_the_logging_workers_history_answer_takes_since(tmp_path):
    """The worker's handler builds the same Filter from LogHistoryRequest.since."""
    from services.logsink.app import LoggingWorker
    from shared.messages.logs import LogHistoryRequest
    config = make_config(tmp_path, workers=[])
    log_dir = load_config(config).log_dir
    sink = Sink(log_dir, 1_000_000, 3, Redactor([]))
    sink.write([rec(m) for m in range(10)])
    sink.close()
    worker = LoggingWorker.__new__(LoggingWorker)
    worker.loaded = load_config(config)
    reply = worker._on_history(LogHistoryRequest(n=50, since=iso_utc(BASE_S * 10**9 + 8 * MIN)))
    assert reply.ok, reply.reason
    assert [json.loads(line)["message"] for line in reply.body.lines] == ["minute 8", "minute 9"]
