"""Telegram: Bot API sendMessage to every configured chat id (api_base configurable)."""
from __future__ import annotations

from typing import Optional

from services.notify.channels import ChannelError, HttpChannel, short


class TelegramChannel(HttpChannel):
    name = "telegram"
    service = "Telegram"
    max_text = 4096

    def _url(self) -> str:
        return f"{self.cfg.api_base.rstrip('/')}/bot{self.cfg.bot_token}/sendMessage"

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None) -> str:
        """Send to every chat id not in `done`; returns what Telegram answered (last chat)."""
        done = set() if done is None else done
        answer = ""
        for chat in self.cfg.chat_ids:
            if chat in done:
                continue
            answer = self._send_one(chat, text[:self.max_text], timeout)
            done.add(chat)
        return answer

    def _send_one(self, chat: str, text: str, timeout: Optional[float]) -> str:
        resp = self.post(self._url(), {"chat_id": chat, "text": text,
                                       "disable_web_page_preview": True}, timeout)
        body = self.json_body(resp)
        said = self.redactor.redact(short(body.get("description") or resp.text or ""))
        if resp.status_code == 429:
            params = body.get("parameters")
            raise self.rate_limited(resp, params.get("retry_after")
                                    if isinstance(params, dict) else None, f"chat {chat}: {said}")
        if resp.status_code != 200 or body.get("ok") is not True:
            raise ChannelError(f"Telegram HTTP {resp.status_code} for chat {chat}: {said}",
                               resp.status_code)
        return f"HTTP {resp.status_code} ok (chat {chat})"
