"""Telegram: Bot API sendMessage to every configured chat id (api_base configurable).

call() is the one way any Bot API method is invoked (alerts, command answers, getUpdates):
it turns a 429 into RateLimited with Telegram's retry_after and any other refusal into a
ChannelError naming the HTTP status and Telegram's description (redacted: the URL holds the
token). An alert may carry an inline keyboard per chat (`markup_for`, set by the worker when
commands are on: the "Lock me out" button).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from services.notify.channels import ChannelError, HttpChannel, short

# chat id -> the inline keyboard to attach for this alert's account (None: no button)
MarkupFor = Callable[[str, Optional[int]], Optional[dict]]


class TelegramChannel(HttpChannel):
    name = "telegram"
    service = "Telegram"
    max_text = 4096
    buttons = True
    markup_for: Optional[MarkupFor] = None

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

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None,
             button_account: Optional[int] = None) -> str:
        """Send to every chat id not in `done`; returns what Telegram answered (last chat)."""
        done = set() if done is None else done
        answer = ""
        for chat in self.cfg.chat_ids:
            if chat in done:
                continue
            markup = self.markup_for(chat, button_account) \
                if self.markup_for is not None and button_account is not None else None
            answer = self.send_to(chat, text, markup, timeout)
            done.add(chat)
        return answer

    def send_to(self, chat: str, text: str, markup: Optional[dict] = None,
                timeout: Optional[float] = None) -> str:
        payload = {"chat_id": chat, "text": text[:self.max_text],
                   "disable_web_page_preview": True}
        if markup:
            payload["reply_markup"] = markup
        self.call("sendMessage", payload, timeout, where=f"for chat {chat}")
        return f"HTTP 200 ok (chat {chat})"
