"""Who may command and which accounts each chat sees ([notify.telegram] chat_ids and chats).

A private chat (a positive id) is one person: the sender is the chat. A group (a negative
id) commands only through the user ids listed in its scope; with none listed nobody in it
may. A chat's scope names its accounts (by id or name); none named means every account.
Everything else is ignored: counted, logged at most once a minute, never answered or acted on.
"""
from __future__ import annotations

import logging
from typing import Optional

from shared.config.accounts import find_account_quietly
from shared.messages.risk import Decision, RuleWarning
from shared.plural import plural

log = logging.getLogger(__name__)

LOG_EVERY_S = 60.0
LOCK_BUTTON = "Lock me out for the rest of the day"
# breaches of these rules carry the button (a warning of any limit rule does too)
LOSS_RULES = ("daily_realized_loss", "daily_unrealized_loss", "daily_net_loss",
              "drawdown_guard", "cooldown_after_loss")


def lock_button_account(msg) -> Optional[int]:
    """The account a "Lock me out" button on this message's alert is for (None: no button)."""
    if isinstance(msg, RuleWarning):
        # a limit coming near, not a note to check (no reading: the drawdown mark's "check the
        # line" carried the button, trial 2026-12-06)
        return msg.account_id if msg.value is not None else None
    if isinstance(msg, Decision) and msg.rule in LOSS_RULES and not msg.suppressed:
        return msg.account_id
    return None


class Access:
    def __init__(self, telegram, accounts):
        self.chats = set(telegram.chat_ids)
        self.commands = telegram.commands_enabled
        self._users: dict[str, set[int]] = {}
        self._accounts: dict[str, Optional[list]] = {}
        for chat in telegram.chat_ids:
            scope = telegram.scope(chat)
            self._users[chat] = set(scope.users)
            found = [find_account_quietly(accounts, ref) for ref in scope.accounts]
            self._accounts[chat] = [a for a in found if a is not None] if scope.accounts else None

    @staticmethod
    def is_group(chat: str) -> bool:
        return chat.startswith("-")

    def allowed(self, chat: str, user: Optional[int]) -> bool:
        """May `user` command in `chat`?"""
        if not self.commands or chat not in self.chats or user is None:
            return False
        if self.is_group(chat):
            return user in self._users[chat]
        return str(user) == chat

    def may_command_somebody(self, chat: str) -> bool:
        return self.commands and chat in self.chats and (
            not self.is_group(chat) or bool(self._users[chat]))

    def scoped(self, chat: str) -> bool:
        """Does the chat see only some accounts?"""
        return self._accounts.get(chat) is not None

    def sees(self, chat: str, account_id: int, name: str = "") -> bool:
        """Is this account in the chat's scope?"""
        scoped = self._accounts.get(chat)
        if scoped is None:
            return chat in self.chats
        return any(a.matches(account_id) or (name and a.matches(name)) for a in scoped)

    def lock_button(self, chat: str, account_id: Optional[int]) -> Optional[dict]:
        """The inline keyboard for an alert about account_id in this chat (None: no button)."""
        if account_id is None or not self.may_command_somebody(chat) \
                or not self.sees(chat, account_id):
            return None
        return {"inline_keyboard": [[{"text": f"🔒 {LOCK_BUTTON}",
                                      "callback_data": f"lo:{account_id}"}]]}


class Ignored:
    """Updates from chats or users not allowed: counted; one log line a minute at most."""

    def __init__(self):
        self.count = 0
        self._logged_at: Optional[float] = None
        self._since_log = 0

    def add(self, chat: str, user: Optional[int], what: str, now: float) -> None:
        self.count += 1
        self._since_log += 1
        if self._logged_at is None or now - self._logged_at >= LOG_EVERY_S:
            log.warning("telegram: ignored %s from chats or users not allowed to "
                        "command (latest: %s from chat %s, user %s); see [notify.telegram] "
                        "chat_ids and chats", plural(self._since_log, "update"), what, chat,
                        user)
            self._logged_at = now
            self._since_log = 0
