"""Telegram: Bot API sendMessage to the configured chat ids (api_base configurable).

call() is the one way any Bot API method is invoked (alerts, command answers, getUpdates):
it turns a 429 into RateLimited with Telegram's retry_after and any other refusal into a
ChannelError naming the HTTP status and Telegram's description (redacted: the URL holds the
token). An alert may carry an inline keyboard per chat (`markup_for`, set by the worker when
commands are on: the "Lock me out" button). Each chat sees only the accounts in its scope
(`sees`, set by the worker from [notify.telegram] chats): visible() keeps the alerts a chat
may see, so an alert or a digest is written per chat (docs/alerts.md "Commands from your phone").
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from services.notify.channels import ChannelError, HttpChannel, short

# chat id -> the inline keyboard to attach for this alert's account (None: no button)
MarkupFor = Callable[[str, Optional[int]], Optional[dict]]
# (chat id, account id) -> is that account in the chat's scope?
Sees = Callable[[str, int], bool]


class TelegramChannel(HttpChannel):
    name = "telegram"
    service = "Telegram"
    max_text = 4096
    buttons = True
    per_chat = True
    markup_for: Optional[MarkupFor] = None
    sees: Optional[Sees] = None         # None: every chat sees every account

    def _url(self, method: str = "sendMessage") -> str:
        return f"{self.cfg.api_base.rstrip('/')}/bot{self.cfg.bot_token}/{method}"

    def call(self, method: str, payload: dict, timeout: Optional[float] = None,
             where: str = "") -> Any:
        """One Bot API call; returns its `result`. Raises RateLimited / ChannelError."""
        resp = self.post(self._url(method), payload, timeout)
        body = self.json_body(resp)
        said = self.redactor.redact(short(body.get("description") or resp.text or ""))
        prefix = f"{where}: " if where else ""
        if resp.status_code == 429:
            params = body.get("parameters")
            raise self.rate_limited(resp, params.get("retry_after")
                                    if isinstance(params, dict) else None, f"{prefix}{said}")
        if resp.status_code != 200 or body.get("ok") is not True:
            raise ChannelError(f"Telegram HTTP {resp.status_code} {prefix or method + ': '}"
                               f"{said}", resp.status_code)
        return body.get("result")

    def visible(self, chat: str, rows: list) -> list:
        """The alerts (anything with account_id and chats) this chat may see: those about an
        account in its scope, and every alert about no account (a system alert); an alert
        naming its chats goes to those only."""
        return [r for r in rows if (r.chats is None or chat in r.chats) and (
            r.account_id is None or self.sees is None or self.sees(chat, r.account_id))]

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None,
             button_account: Optional[int] = None,
             text_for: Optional[Callable[[str], Optional[str]]] = None) -> str:
        """Send to every chat id not in `done` (text_for: each chat's own text, None for a chat
        that gets nothing); returns what Telegram answered, naming every chat it reached
        (trial 2026-12-06: `notify test` named only the last of two chats)."""
        done = set() if done is None else done
        reached: list[str] = []
        for chat in self.cfg.chat_ids:
            if chat in done:
                continue
            said = text if text_for is None else text_for(chat)
            if said is None:
                done.add(chat)
                continue
            markup = self.markup_for(chat, button_account) \
                if self.markup_for is not None and button_account is not None else None
            self.send_to(chat, said, markup, timeout)
            reached.append(str(chat))
            done.add(chat)
        if not reached:
            return ""
        return f"HTTP 200 ok ({'chat' if len(reached) == 1 else 'chats'} {', '.join(reached)})"

    def send_to(self, chat: str, text: str, markup: Optional[dict] = None,
                timeout: Optional[float] = None) -> str:
        payload = {"chat_id": chat, "text": text[:self.max_text],
                   "disable_web_page_preview": True}
        if markup:
            payload["reply_markup"] = markup
        self.call("sendMessage", payload, timeout, where=f"for chat {chat}")
        return f"HTTP 200 ok (chat {chat})"
