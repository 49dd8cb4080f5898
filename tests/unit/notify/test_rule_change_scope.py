"""A rule-change alert naming several accounts reaches each Telegram chat with only the lines of
the accounts in its scope. Trial 2026-12-06: a group that sees only SIM-DEMO-2 got "Demo 1:
max_contracts limit 5 -> 4, in force now" and Demo 1's daily_realized_loss loosening. risk's own
line makers (services/risk/loosening.py) build the event, notify's queue() and the real sender
route it; only the HTTP POST is replaced by a record of what each chat got."""
from __future__ import annotations

from types import SimpleNamespace

from services.notify.app import NotifyWorker
from services.notify.bot.access import Access
from services.notify.outbox import Outbox
from services.notify.sender import ChannelSender
from services.notify.templates import Context, build
from services.risk import loosening
from shared.clock import FakeClock
from shared.config.notify import ChatScope, NotifyConfig, TelegramConfig
from shared.messages.notify import NotifyEvent
from shared.redact import Redactor
from tests.unit.notify.test_routing import ACCOUNTS, Recording

ALL, GROUP, NONE = "111", "-100222", "333"
NAMES = {1001: "Demo 1", 1002: "Demo 2 (strict)"}


def routed(tmp_path, lines, line_accounts, title=loosening.NOW_TITLE):
    telegram = TelegramConfig(bot_token="1:x", chat_ids=[ALL, GROUP, NONE],
                              chats={GROUP: ChatScope(accounts=["SIM-DEMO-2"]),
                                     NONE: ChatScope(accounts=["9999"])})
    cfg = NotifyConfig(telegram=telegram, rate_per_minute=60, retry_tries=1)
    channel = Recording(telegram)
    access = Access(telegram, ACCOUNTS)
    channel.sees = access.sees
    clock = FakeClock()
    outbox = Outbox(str(tmp_path / "notify.sqlite"))
    sender = ChannelSender(channel, outbox, cfg, clock, Context(), "info")
    worker = SimpleNamespace(senders={"telegram": SimpleNamespace(min_severity="info",
                                                                  poke=lambda: None)},
                             redactor=Redactor([]), outbox=outbox, clock=clock, access=access,
                             config=SimpleNamespace(notify=cfg))
    event = NotifyEvent(kind="rules_in_force_now", severity="info", title=title, lines=lines,
                        line_accounts=line_accounts)
    NotifyWorker.queue(worker, build(event, Context()))
    while outbox.count("telegram"):
        sender.step()
    return channel.got


def test_a_rule_change_in_force_now_reaches_each_chat_with_its_own_accounts_lines(tmp_path):
    changes = {1001: {"max_contracts": {"limit": (5, 4)}},
               1002: {"max_contracts": {"limit": (3, 2)}}}
    lines, owners = loosening.now_lines_of(changes, NAMES.get)
    got = routed(tmp_path, lines, owners)
    assert got[ALL] == ["🟡 Rule settings changed: in force now\n"
                        "Demo 1: max_contracts limit 5 -> 4, in force now\n"
                        "Demo 2 (strict): max_contracts limit 3 -> 2, in force now"]
    assert got[GROUP] == ["🟡 Rule settings changed: in force now\n"
                          "Demo 2 (strict): max_contracts limit 3 -> 2, in force now"]
    assert NONE not in got


def test_a_change_of_an_account_outside_a_chats_scope_sends_that_chat_nothing(tmp_path):
    from decimal import Decimal
    waits = {1001: (("daily_realized_loss",),
                    {"daily_realized_loss": {"limit": (Decimal(500), Decimal(800))}})}
    lines, owners = loosening.loosen_lines_of(waits, NAMES.get, "Mon 17:00 CST")
    got = routed(tmp_path, lines, owners, title=loosening.TITLE)
    assert got == {ALL: ["🟡 Looser rule settings wait for the trading-day roll\n"
                         "Demo 1: daily_realized_loss limit 500.00 -> 800.00, takes effect at "
                         "the roll, Mon 17:00 CST"]}
