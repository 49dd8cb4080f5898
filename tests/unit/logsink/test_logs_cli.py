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
    shard = {**line, "process": "risk-1"}          # risk as shards (docs/scaling.md)
    assert Filter(process="risk").matches(shard) and Filter(process="risk-1").matches(shard)
    assert not Filter(process="risk-0").matches(shard)
    assert Filter(account="1001").matches(line) and not Filter(account="1002").matches(line)
    assert Filter(grep="BREACH").matches(line) and not Filter(grep="flatten").matches(line)


def test_human_format():
    line = {"time": "2026-11-25T10:57:26.123456Z", "level": "WARNING", "process": "risk",
            "pid": 42, "logger": "services.risk.app", "message": "breach", "account": 1001,
            "exc": "Traceback ..."}
    # trial finding: the time said no zone (screens show CST); it is UTC and says so
    assert format_line(line) == ("2026-11-25 10:57:26.123Z WARNING risk[42] services.risk.app: "
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


def test_logs_into_a_cp1252_file_replace_what_the_code_page_cannot_hold(tmp_path):
    # Windows: `riskctl logs > file` writes in the ANSI code page (cp1252 in Western Europe).
    import os
    import subprocess
    import sys

    from shared.config import load_config
    from tests.support.env import REPO, make_config, test_env
    config = make_config(tmp_path, workers=[])
    log_dir = load_config(config).log_dir
    sink = Sink(log_dir, 1_000_000, 3, Redactor([]))
    sink.write([LogRecord(ts_ns=1_764_000_000_000_000_000, level="INFO", levelno=20,
                          process="risk", pid=9, logger="services.risk.app",
                          message="account Müller ✓ 日本 ok", fields={})])
    sink.close()
    env = dict(test_env(), PYTHONIOENCODING="cp1252")
    with open(tmp_path / "out.txt", "wb") as out:
        done = subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "logs"],
                              cwd=REPO, env=env, stdout=out, stderr=subprocess.PIPE, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = (tmp_path / "out.txt").read_bytes().decode("cp1252")
    assert "account Müller ? ?? ok" in text
    assert os.path.getsize(tmp_path / "out.txt") > 0


def test_an_unknown_process_is_an_error_naming_the_processes(tmp_path):
    """Trial 2026-12-06: `riskctl logs --process nosuch` printed nothing and exited 0, as if
    that process had logged nothing. Now an error naming riskd's processes, when no record
    of that name is found (a name only a test sender or a tool used still shows its records).
    Put back (no check): exit 0, fails."""
    import subprocess
    import sys

    from tests.support.env import REPO, make_config, test_env
    config = make_config(tmp_path, workers=[])
    done = subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "logs",
                           "--process", "nosuch"], cwd=REPO, env=test_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no riskd process is named 'nosuch': one of supervisor, simbroker, logging, " \
           "notify, market, risk, enforcement" in done.stderr, done.stderr
    ok = subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "logs",
                         "--process", "risk-1"], cwd=REPO, env=test_env(),
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr


def test_logs_account_takes_an_id_name_or_display_name_and_refuses_an_unknown_one(tmp_path):
    """Trial 2026-12-06: `riskctl logs --account "Demo 2 (strict)"` and `--account SIM-DEMO-2`
    printed nothing and exited 0 (records carry the id), where every other command takes the
    account's id, name or display name. The accounts are etc/riskd.toml's (make_config's
    default has none: the two shipped ones are added, as shipped). Put back (old logs.py):
    the name finds nothing, the unknown name exits 0; fails."""
    import subprocess
    import sys

    from shared.config import load_config
    from tests.support.env import REPO, make_config, test_env
    shipped = [{"id": 1001, "name": "SIM-DEMO-1", "display_name": "Demo 1", "profile": "default"},
               {"id": 1002, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)",
                "profile": "default"}]
    config = make_config(tmp_path, workers=[], accounts=shipped)
    sink = Sink(load_config(config).log_dir, 1_000_000, 3, Redactor([]))
    sink.write([rec(1, account=1001), rec(2, account=1002), rec(3, accounts="1001,1002"),
                rec(4), rec(5, account=1003)])
    sink.close()

    def logs(*args):
        return subprocess.run([sys.executable, "-m", "cli.main", "--config", config, "logs",
                               *args], cwd=REPO, env=test_env(), capture_output=True,
                              text=True, timeout=60)
    for ref in ("1002", "SIM-DEMO-2", "Demo 2 (strict)", "demo 2 (strict)"):
        done = logs("--account", ref)
        assert done.returncode == 0, done.stderr
        assert [line.split(": ", 1)[1].split("  ")[0] for line in done.stdout.splitlines()] \
            == ["record 2", "record 3"], (ref, done.stdout)
    done = logs("--account", "Demo 3")
    assert done.returncode != 0 and done.stdout == ""
    assert "no account is named 'Demo 3'; give an id, name or display name of: " \
           "Demo 1 (id 1001), Demo 2 (strict, id 1002)" in done.stderr, done.stderr
    # trial16c: an id no account has (9999) printed nothing and exited 0; riskd is stopped
    # here, so an unlisted id the logs name (1003, an account only the broker has) is read
    done = logs("--account", "9999")
    assert done.returncode != 0 and done.stdout == ""
    assert "no account is named '9999'; give an id, name or display name of: " \
           "Demo 1 (id 1001), Demo 2 (strict, id 1002)" in done.stderr, done.stderr
    done = logs("--account", "1003")
    assert done.returncode == 0 and "record 5" in done.stdout, done.stderr


def test_an_id_risk_does_not_know_is_refused_even_if_unlisted_ids_exist():
    """With risk answering, an id neither the config nor risk (the broker's accounts) knows is
    refused at once, listing the broker-only accounts too; one risk knows is let through."""
    from types import SimpleNamespace

    from cli.accountnames import unknown_id
    from shared.messages.risk import AccountStatus, RiskStatusReply, RiskStatusRequest

    class Ctx:
        config_path = "no-such-riskd.toml"

        def call(self, msg, **_kw):
            assert isinstance(msg, RiskStatusRequest)
            return SimpleNamespace(ok=True, body=RiskStatusReply(accounts=[
                AccountStatus(account_id=1003, name="SIM-DEMO-3", ts_ns=0,
                              trading_day="2026-12-07")]))
    assert unknown_id(Ctx(), "1003") is None
    assert unknown_id(Ctx(), "9999") == (
        "no account is named '9999'; give an id, name or display name of: "
        "SIM-DEMO-3 (id 1003)", True)
