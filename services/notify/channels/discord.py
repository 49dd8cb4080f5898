"""Discord: one POST of {"content": text} to the configured webhook URL."""
from __future__ import annotations

from typing import Optional

import requests

from services.notify.channels import ChannelError, RateLimited, retry_after_header, short
from shared.config.notify import DiscordConfig
from shared.redact import Redactor

MAX_TEXT = 2000


class DiscordChannel:
    name = "discord"
    max_text = MAX_TEXT

    def __init__(self, cfg: DiscordConfig, timeout: float, redactor: Redactor):
        self.cfg = cfg
        self.timeout = timeout
        self.redactor = redactor
        self.session = requests.Session()

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None) -> str:
        try:
            resp = self.session.post(self.cfg.webhook_url, json={"content": text[:MAX_TEXT]},
                                     timeout=timeout or self.timeout)
        except requests.RequestException as exc:
            raise ChannelError(self.redactor.redact(
                f"no answer from Discord: {type(exc).__name__}: {short(exc, 600)}")) from None
        said = self.redactor.redact(short(resp.text or ""))
        if resp.status_code == 429:
            retry_after = None
            try:
                body = resp.json()
                retry_after = body.get("retry_after") if isinstance(body, dict) else None
            except ValueError:
                pass
            if not isinstance(retry_after, (int, float)):
                retry_after = retry_after_header(resp)
            raise RateLimited(f"Discord 429: {said}", 429,
                              float(retry_after) if retry_after is not None else None)
        if resp.status_code not in (200, 204):
            raise ChannelError(f"Discord HTTP {resp.status_code}: {said}", resp.status_code)
        return f"HTTP {resp.status_code} ok"
