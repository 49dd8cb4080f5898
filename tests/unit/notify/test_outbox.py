"""The outgoing queue on disk: an alert stays until every channel it is for has accepted it."""
from __future__ import annotations

from services.notify.outbox import Outbox
from services.notify.templates import Alert


def alert(title: str, severity: str = "warning") -> Alert:
    return Alert(kind="breach", severity=severity, title=title)


def test_an_alert_stays_until_each_channel_accepted_it_and_survives_a_reopen(tmp_path):
    path = str(tmp_path / "notify.sqlite")
    box = Outbox(path)
    a = box.add(alert("one"), "one\ndetail", ["telegram", "discord"], 1)
    b = box.add(alert("two", "critical"), "two", ["telegram"], 2)
    assert [r.id for r in box.pending("telegram")] == [a, b]
    box.delivered("telegram", [a, b])
    assert box.pending("telegram") == [] and box.count("discord") == 1
    box.close()
    box = Outbox(path)                   # a restart (or a crash) keeps what is owed
    (row,) = box.pending("discord")
    assert (row.id, row.title, row.text, row.severity) == (a, "one", "one\ndetail", "warning")
    box.delivered("discord", [a])
    assert box.pending("discord") == []
    assert box._db().execute("SELECT COUNT(*) FROM alerts").fetchone()[0] == 0


def test_channels_no_longer_configured_are_forgotten(tmp_path):
    box = Outbox(str(tmp_path / "n.sqlite"))
    box.add(alert("x"), "x", ["telegram", "discord"], 1)
    assert box.forget_channels_except(["telegram"]) == 1
    assert box.count("discord") == 0 and box.count("telegram") == 1
    assert box.forget_channels_except([]) == 1 and box.count("telegram") == 0
