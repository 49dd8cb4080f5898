"""Which Telegram chats an alert goes to: an alert about an account only to the chats whose
scope includes it (a chat with no scope sees everything), a system alert to every chat, and a
digest written per chat from the alerts that chat sees. Driven through the real sender and a
real notify.sqlite; only the last hop (the HTTP POST) is replaced by a list of what each chat
was sent."""
from __future__ import annotations

import sqlite3
from typing import Optional

import pytest

from services.notify.bot.access import Access
from services.notify.channels import ChannelError
from services.notify.channels.telegram import TelegramChannel
from services.notify.outbox import Outbox
from services.notify.sender import ChannelSender
from services.notify.templates import Alert, Context
from shared.clock import FakeClock
from shared.config.accounts import AccountConfig
from shared.config.notify import ChatScope, NotifyConfig, TelegramConfig
from shared.redact import Redactor

ACCOUNTS = [AccountConfig(id=1001, name="SIM-DEMO-1", display_name="Demo 1"),
            AccountConfig(id=1002, name="SIM-DEMO-2")]
ALL, ONLY_1, ONLY_2 = "111", "-222", "333"


class Recording(TelegramChannel):
    """The real channel's routing; send_to records instead of POSTing (fails when told)."""

    def __init__(self, cfg: TelegramConfig):
        super().__init__(cfg, 1.0, Redactor([]))
        self.got: dict[str, list[str]] = {}
        self.markups: dict[str, list[Optional[dict]]] = {}
        self.refuse: set[str] = set()

    def send_to(self, chat, text, markup=None, timeout=None) -> str:
        if chat in self.refuse:
            raise ChannelError(f"chat {chat} refused", 500)
        self.got.setdefault(chat, []).append(text)
        self.markups.setdefault(chat, []).append(markup)
        return "ok"


def setup(tmp_path, rate=60, **notify):
    telegram = TelegramConfig(bot_token="1:x", chat_ids=[ALL, ONLY_1, ONLY_2],
                              chats={ONLY_1: ChatScope(accounts=["Demo 1"], users=[7]),
                                     ONLY_2: ChatScope(accounts=["1002"])})
    cfg = NotifyConfig(telegram=telegram, rate_per_minute=rate, retry_tries=1, **notify)
    channel = Recording(telegram)
    access = Access(telegram, ACCOUNTS)
    channel.sees = access.sees
    channel.markup_for = access.lock_button
    clock = FakeClock()
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    sender = ChannelSender(channel, outbox, cfg, clock, Context(), "info")
    return channel, outbox, sender, clock


def queue(outbox, clock, title, account_id=None, severity="warning", button=None):
    alert = Alert(kind="breach", severity=severity, title=title, account_id=account_id)
    return outbox.add(alert, title, ["telegram"], clock.now_ns(), button)


def test_an_alert_about_an_account_goes_only_to_the_chats_that_see_it(tmp_path):
    channel, outbox, sender, clock = setup(tmp_path)
    queue(outbox, clock, "breach on Demo 2", account_id=1002, button=1002)
    sender.step()
    assert channel.got == {ALL: ["breach on Demo 2"], ONLY_2: ["breach on Demo 2"]}
    assert outbox.count("telegram") == 0           # delivered: nobody else owes it
    queue(outbox, clock, "breach on Demo 1", account_id=1001, button=1001)
    sender.step()
    assert channel.got[ONLY_1] == ["breach on Demo 1"] and ONLY_2 not in channel.got.get(
        ONLY_1, []) and channel.got[ONLY_2] == ["breach on Demo 2"]
    assert channel.markups[ONLY_1] == [{"inline_keyboard": [[{
        "text": "🔒 Lock me out for the rest of the day", "callback_data": "lo:1001"}]]}]


def test_a_system_alert_goes_to_every_chat(tmp_path):
    channel, outbox, sender, clock = setup(tmp_path)
    queue(outbox, clock, "worker market is down", severity="critical")
    sender.step()
    assert channel.got == {c: ["worker market is down"] for c in (ALL, ONLY_1, ONLY_2)}


def test_an_account_no_scope_names_reaches_only_the_unscoped_chat(tmp_path):
    channel, outbox, sender, clock = setup(tmp_path)
    queue(outbox, clock, "breach on 4242", account_id=4242)
    sender.step()
    assert channel.got == {ALL: ["breach on 4242"]} and outbox.count("telegram") == 0


def test_a_digest_is_written_per_chat_from_what_it_sees(tmp_path):
    channel, outbox, sender, clock = setup(tmp_path)
    for title, account in (("A on Demo 1", 1001), ("B on Demo 2", 1002), ("C on Demo 1", 1001),
                           ("config refused", None)):
        queue(outbox, clock, title, account_id=account, severity="critical")
    sender.step()                                   # criticals queued together: one digest
    assert outbox.count("telegram") == 0
    digests = {chat: texts[-1] for chat, texts in channel.got.items()}
    assert all(t.startswith("📦 Digest") for t in digests.values())
    assert "Digest: 4 alerts" in digests[ALL] and "B on Demo 2" in digests[ALL]
    assert "Digest: 3 alerts" in digests[ONLY_1] and "B on Demo 2" not in digests[ONLY_1]
    assert "A on Demo 1" in digests[ONLY_1] and "config refused" in digests[ONLY_1]
    assert "Digest: 2 alerts" in digests[ONLY_2] and "Demo 1" not in digests[ONLY_2]


def test_an_alert_stays_queued_until_every_chat_meant_for_it_took_it(tmp_path):
    """At least once per chat (as before scopes: a chat that already took it may get it again
    on the retry); a chat outside the scope is never sent it, also not on the retry."""
    channel, outbox, sender, clock = setup(tmp_path, failed_retry_s=1.0)
    channel.refuse = {ONLY_2}
    queue(outbox, clock, "breach on Demo 2", account_id=1002)
    sender.step()
    assert outbox.count("telegram") == 1 and channel.got == {ALL: ["breach on Demo 2"]}
    channel.refuse = set()
    clock.advance(2.0)
    sender.step()
    assert outbox.count("telegram") == 0
    assert channel.got[ONLY_2] == ["breach on Demo 2"] and ONLY_1 not in channel.got
    assert set(channel.got[ALL]) == {"breach on Demo 2"}


@pytest.mark.parametrize("account, chats", [(1001, {ALL, ONLY_1}), (1002, {ALL, ONLY_2}),
                                            (None, {ALL, ONLY_1, ONLY_2})])
def test_visible(tmp_path, account, chats):
    channel, *_ = setup(tmp_path)
    alert = Alert(kind="k", severity="info", title="t", account_id=account)
    assert {c for c in (ALL, ONLY_1, ONLY_2) if channel.visible(c, [alert])} == chats


def test_an_alert_naming_its_chats_goes_to_those_only(tmp_path):
    """The daily summary is written per scope: each part names the chats it is for."""
    channel, outbox, sender, clock = setup(tmp_path)
    alert = Alert(kind="daily_summary", severity="info", title="summary of Demo 2",
                  chats=(ONLY_2,))
    outbox.add(alert, alert.title, ["telegram"], clock.now_ns())
    assert outbox.pending("telegram")[0].chats == (ONLY_2,)
    sender.step()
    assert channel.got == {ONLY_2: ["summary of Demo 2"]}


def test_a_queue_written_before_scopes_opens_and_goes_to_every_chat(tmp_path):
    path = str(tmp_path / "notify.sqlite")
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE alerts (id INTEGER PRIMARY KEY AUTOINCREMENT, created_ns INTEGER NOT NULL,
            kind TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
            button_account INTEGER);
        CREATE TABLE deliveries (alert_id INTEGER NOT NULL, channel TEXT NOT NULL,
            PRIMARY KEY (alert_id, channel));
        INSERT INTO alerts VALUES (1, 0, 'breach', 'warning', 'old breach', 'old breach', NULL);
        INSERT INTO deliveries VALUES (1, 'telegram');""")
    db.commit()
    db.close()
    channel, outbox, sender, clock = setup(tmp_path)
    (row,) = outbox.pending("telegram")
    assert (row.account_id, row.chats) == (None, None)
    sender.step()
    assert channel.got == {c: ["old breach"] for c in (ALL, ONLY_1, ONLY_2)}
