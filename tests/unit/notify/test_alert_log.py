"""Every alert reaches the log in full, at the level of its severity, channel or not.
Trial finding: with no channel configured alerts were INFO lines with just the title, even a
critical "accounts are NOT guarded", so `riskctl logs --level warning` hid every alert.
The worker's own queue() is run (its outbox and senders stood in for: no channel here, or a
channel that records what was queued for it); the log records are what is tested."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from services.notify.app import NotifyWorker
from services.notify.templates import Alert
from shared.redact import MASK, Redactor

SECRET = "123456:ABCDEFsecrettoken"


class Outbox:
    def __init__(self):
        self.added = []

    def add(self, alert, text, channels, now_ns, button_account, release=()):
        self.added.append((text, channels))


def worker(senders=None):
    return SimpleNamespace(senders=senders or {}, redactor=Redactor([SECRET]), outbox=Outbox(),
                           clock=SimpleNamespace(now_ns=lambda: 0))


def alerts(caplog):
    return [r for r in caplog.records if getattr(r, "alert", None)]


@pytest.mark.parametrize("severity, level", [("info", logging.INFO),
                                             ("warning", logging.WARNING),
                                             ("critical", logging.CRITICAL)])
def test_without_a_channel_an_alert_is_logged_whole_at_its_severity(caplog, severity, level):
    alert = Alert(kind="worker_stopped", severity=severity,
                  title="🛑 Worker risk stopped by an operator: accounts are NOT guarded",
                  lines=("restart it: riskctl start risk", f"token {SECRET}"))
    with caplog.at_level(logging.DEBUG):
        NotifyWorker.queue(worker(), alert)
    [rec] = alerts(caplog)
    assert rec.levelno == level
    message = rec.getMessage()
    assert message.endswith("🛑 Worker risk stopped by an operator: accounts are NOT guarded\n"
                            "restart it: riskctl start risk\ntoken " + MASK), message
    assert SECRET not in message
    assert "no channel takes it, logged only" in message
    assert rec.channels == ""


def test_with_a_channel_the_log_has_the_text_the_channel_gets(caplog):
    sender = SimpleNamespace(min_severity="info", poke=lambda: None)
    w = worker({"telegram": sender})
    alert = Alert(kind="breach", severity="warning", title="⚠️ Breach max_contracts on Demo 1",
                  lines=("7 contracts / limit 5", "reducing the position"))
    with caplog.at_level(logging.DEBUG):
        NotifyWorker.queue(w, alert)
    [rec] = alerts(caplog)
    [(text, channels)] = w.outbox.added
    assert channels == ["telegram"] and rec.channels == "telegram"
    assert rec.levelno == logging.WARNING
    assert rec.getMessage() == f"alert breach (warning), queued for telegram:\n{text}"
    assert text == "⚠️ Breach max_contracts on Demo 1\n7 contracts / limit 5\nreducing the position"


def test_an_alert_record_carries_the_account_id_like_risks_decision_records(caplog):
    """Trial: alert records carried the account's label ("Demo 1") where risk's decisions
    carry its id, so `riskctl logs --account 1001` showed the decisions but not their
    alerts. The logging filter `logs --account` uses is run on the record's fields."""
    from services.logsink.history import Filter
    from shared.logsetup import record_fields
    alert = Alert(kind="breach", severity="warning", title="⚠️ Breach max_contracts on Demo 1",
                  account="Demo 1", account_id=1001)
    system = Alert(kind="worker_crashed", severity="warning", title="💥 Worker risk crashed")
    with caplog.at_level(logging.DEBUG):
        NotifyWorker.queue(worker(), alert)
        NotifyWorker.queue(worker(), system)
    about, other = (record_fields(r) for r in alerts(caplog))
    assert about["account"] == 1001 and about["account_name"] == "Demo 1"
    assert Filter(account="1001").matches(about)
    assert Filter(account="Demo 1").matches(about)
    assert not Filter(account="1002").matches(about)
    assert "account" not in other and not Filter(account="1001").matches(other)


def test_the_guard_alerts_carry_the_account_their_lines_are_about(caplog):
    """Trial 2026-12-06: `riskctl logs --account 1002` showed the account's decisions but not
    its "no longer guarded" / "guarded again" alerts: risk sends them as NotifyEvents naming
    the account line by line (line_accounts, for the chats' scopes), and the log record had no
    account field. Built as risk builds them (services/risk/disabled.py's titles and lines)
    and turned into alerts as the worker does (templates.event_alert).
    Put back (old alertlog.account_fields): no "account" field, fails."""
    from services.logsink.history import Filter
    from services.notify.templates import Context, event_alert
    from services.risk import disabled
    from shared.logsetup import record_fields
    from shared.messages.notify import NotifyEvent
    off = disabled.off_lines("Demo 2 (strict, id 1002)", None, [], None)
    events = [NotifyEvent(kind="account_not_guarded", severity="warning",
                          title=disabled.OFF_TITLE, lines=off, line_accounts=[1002] * len(off)),
              NotifyEvent(kind="account_guarded_again", severity="info",
                          title=disabled.AGAIN_TITLE,
                          lines=["Demo 2 (strict, id 1002) is guarded again, now"],
                          line_accounts=[1002]),
              # an alert about two accounts (the supervisor's stop alert names each held one)
              NotifyEvent(kind="riskd_stopped", severity="critical", title="🛑 riskd stopped",
                          lines=["stopped by admin", "Demo 1 (id 1001) holds MNQ long 1",
                                 "Demo 2 (strict, id 1002) holds MES short 2"],
                          line_accounts=[None, 1001, 1002])]
    with caplog.at_level(logging.DEBUG):
        for e in events:
            NotifyWorker.queue(worker(), event_alert(e, Context()))
    off_rec, again_rec, both = (record_fields(r) for r in alerts(caplog))
    for rec in (off_rec, again_rec):
        assert rec["account"] == 1002
        assert Filter(account="1002").matches(rec) and not Filter(account="1001").matches(rec)
    assert both["accounts"] == "1001,1002"
    assert Filter(account="1001").matches(both) and Filter(account="1002").matches(both)
    assert not Filter(account="1003").matches(both)


def test_a_header_lines_mark_is_not_an_account_in_the_record(caplog):
    """trial15c: the stop alert of a worker (services/supervisor/backalerts.py) logged
    "accounts=-1,1001": its "left open, unguarded (...):" header line carries LINE_HEADER (-1),
    a mark for the chats' scopes, not an account. Built with the supervisor's own header."""
    from services.notify.templates import Context, event_alert
    from services.supervisor.heldwords import left_open_header, line_owners, Owned
    from shared.logsetup import record_fields
    from shared.messages.notify import NotifyEvent
    lines = ["stopped by admin:root", left_open_header("enforcement's last check"),
             Owned("Demo 1 (id 1001) holds MNQ long 2", 1001)]
    event = NotifyEvent(kind="worker_stopped", severity="warning",
                        title="⏸ Worker enforcement stopped", lines=list(lines),
                        line_accounts=line_owners(lines))
    with caplog.at_level(logging.DEBUG):
        NotifyWorker.queue(worker(), event_alert(event, Context()))
    [rec] = [record_fields(r) for r in alerts(caplog)]
    assert rec.get("account") == 1001 and "accounts" not in rec, rec
