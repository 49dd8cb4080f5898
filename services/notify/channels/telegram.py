"""Telegram: Bot API sendMessage to every configured chat id (api_base configurable)."""
from __future__ import annotations

from typing import Optional

import requests

from services.notify.channels import ChannelError, RateLimited, retry_after_header, short
from shared.config.notify import TelegramConfig
from shared.redact import Redactor

MAX_TEXT = 4096


class TelegramChannel:
    name = "telegram"
    max_text = MAX_TEXT

    def __init__(self, cfg: TelegramConfig, timeout: float, redactor: Redactor):
        self.cfg = cfg
        self.timeout = timeout
        self.redactor = redactor
        self.session = requests.Session()

    def _url(self) -> str:
        return f"{self.cfg.api_base.rstrip('/')}/bot{self.cfg.bot_token}/sendMessage"

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None) -> str:
        """Send to every chat id not in `done`; returns what Telegram answered (last chat)."""
        done = set() if done is None else done
        answer = ""
        for chat in self.cfg.chat_ids:
            if chat in done:
                continue
            answer = self._send_one(chat, text[:MAX_TEXT], timeout or self.timeout)
            done.add(chat)
        return answer

    def _send_one(self, chat: str, text: str, timeout: float) -> str:
        try:
            resp = self.session.post(self._url(), json={
                "chat_id": chat, "text": text, "disable_web_page_preview": True}, timeout=timeout)
        except requests.RequestException as exc:
            raise ChannelError(self.redactor.redact(
                f"no answer from Telegram: {type(exc).__name__}: {short(exc, 600)}")) from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        description = self.redactor.redact(short(body.get("description") or resp.text or ""))
        if resp.status_code == 429:
            params = body.get("parameters") or {}
            retry_after = params.get("retry_after") if isinstance(params, dict) else None
            if not isinstance(retry_after, (int, float)):
                retry_after = retry_after_header(resp)
            raise RateLimited(f"Telegram 429 for chat {chat}: {description}", 429,
                              float(retry_after) if retry_after is not None else None)
        if resp.status_code != 200 or body.get("ok") is not True:
            raise ChannelError(f"Telegram HTTP {resp.status_code} for chat {chat}: {description}",
                               resp.status_code)
        return f"HTTP {resp.status_code} ok (chat {chat})"
