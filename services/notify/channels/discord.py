"""Discord: one POST of {"content": text} to the configured webhook URL."""
from __future__ import annotations

from typing import Optional

from services.notify.channels import ChannelError, HttpChannel, short


class DiscordChannel(HttpChannel):
    name = "discord"
    service = "Discord"
    max_text = 2000

    def send(self, text: str, done: Optional[set] = None, timeout: Optional[float] = None) -> str:
        resp = self.post(self.cfg.webhook_url, {"content": text[:self.max_text]}, timeout)
        said = self.redactor.redact(short(resp.text or ""))
        if resp.status_code == 429:
            raise self.rate_limited(resp, self.json_body(resp).get("retry_after"), said)
        if resp.status_code not in (200, 204):
            raise ChannelError(f"Discord HTTP {resp.status_code}: {said}", resp.status_code)
        return f"HTTP {resp.status_code} ok"
