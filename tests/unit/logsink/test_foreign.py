"""The logging worker drops another riskd's records (services/logsink/foreign.py), says so once,
and takes its own riskd's and a local tool's (no instance id) as before."""
from __future__ import annotations

import logging

from services.logsink.foreign import SAID, Foreign
from shared import instanceid
from shared.logsetup import ZmqLogHandler
from shared.redact import Redactor


def test_only_another_riskds_records_are_foreign_and_said_once(caplog):
    foreign = Foreign("aaaa")
    assert not foreign.is_foreign("aaaa") and not foreign.is_foreign("")
    assert foreign.is_foreign("bbbb")
    with caplog.at_level(logging.WARNING, logger="riskd.logsink.foreign"):
        for _ in range(3):
            foreign.drop("market", "bbbb")
    assert foreign.dropped == 3
    assert [r.getMessage().startswith(SAID) for r in caplog.records] == [True]
    # a logging worker started by hand (no id) takes every record, as before
    assert not Foreign("").is_foreign("bbbb")


def test_a_process_ships_its_riskds_id_with_every_record(monkeypatch):
    monkeypatch.setenv(instanceid.ENV, "")        # undone after the test, whatever start() sets
    made = instanceid.start()
    assert instanceid.own() == made and len(made) == 16 and instanceid.start() != made
    handler = ZmqLogHandler("market", "tcp://127.0.0.1:1", Redactor([]))
    try:
        rec = handler.make_record(logging.LogRecord("x", logging.INFO, "", 0, "hi", (), None))
        assert rec.instance == instanceid.own()
    finally:
        handler.close()


def test_the_line_names_the_senders_pid_and_what_its_first_record_said(caplog):
    """Trial17a section 10: the line named an instance id only, and the operator could not tell
    a second riskd refused at its start from one still running."""
    foreign = Foreign("aaaa")
    with caplog.at_level(logging.WARNING, logger="riskd.logsink.foreign"):
        foreign.drop("supervisor", "bbbb", 4242, "riskd cannot start: cannot bind "
                     "tcp://127.0.0.1:5571 ([bus] events in /x/riskd.toml): Address already in use")
    [said] = [r.getMessage() for r in caplog.records]
    assert "(the first from its supervisor (pid 4242), riskd instance bbbb, which said " \
           "\"riskd cannot start: cannot bind tcp://127.0.0.1:5571" in said, said
