"""A local fake of the Telegram Bot API on loopback, for the command tests and the bench.

It holds the updates users "send" (say(), press(), edit()) until a getUpdates call with a
higher offset confirms them, like Telegram: getUpdates long-polls (answers as soon as an
update is there, or after `timeout` seconds with none). sendMessage, answerCallbackQuery,
editMessageReplyMarkup, getMe and getWebhookInfo are recorded and answered. Tests can
script answers per method, or per method and chat ("sendMessage:111"), hold a method (its requests
wait until released: a window in which to kill notify), and cut the network (`down`: every
request is dropped without an answer, as when the line is gone). phone_notify() is the
[notify] section that sends a riskd's alerts to it.
"""
from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Sequence

import attrs

_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


@attrs.frozen
class Call:
    method: str
    body: dict
    at: float            # time.monotonic()

    @property
    def chat(self) -> str:
        return str(self.body.get("chat_id", ""))

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def buttons(self) -> list[dict]:
        markup = self.body.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class FakeTelegram:
    def __init__(self, token: str, username: str = "riskd_test_bot"):
        self.token = token
        self.username = username
        self.cond = threading.Condition()
        self.pending: list[dict] = []           # updates not yet confirmed by an offset
        self.calls: list[Call] = []
        self.script: dict[str, list[tuple[int, dict]]] = {}
        self.held: set[str] = set()
        self.waiting: dict[str, int] = {}       # method -> requests currently held
        self.down = False
        self.dropped = 0                        # requests dropped while down
        self.webhook = ""
        self._update_ids = itertools.count(5000)
        self._message_ids = itertools.count(1)
        self._closed = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()      # headers and body are two writes: no Nagle delay
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length) if length else b""
                if fake.down:
                    with fake.cond:
                        fake.dropped += 1
                    self.close_connection = True
                    self.connection.close()       # no answer at all: the line is gone
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                m = _PATH.match(self.path)
                status, answer = fake.answer(m["token"] if m else "", m["method"] if m else "",
                                             body if isinstance(body, dict) else {})
                if fake.down:                     # the line went down while we waited
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass                           # the client died while we held it

            do_GET = do_POST

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass            # a client that went away (notify killed) is part of the tests

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- the Bot API side ------------------------------------------------------------------------
    def answer(self, token: str, method: str, body: dict) -> tuple[int, dict]:
        with self.cond:
            self.calls.append(Call(method, body, time.monotonic()))
            self.cond.notify_all()
            if token != self.token:
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if method in self.held:
                self.waiting[method] = self.waiting.get(method, 0) + 1
                self.cond.notify_all()
                self.cond.wait_for(lambda: method not in self.held or self._closed)
                self.waiting[method] -= 1
            scripted = self.script.get(f"{method}:{body.get('chat_id')}") \
                or self.script.get(method)
            if scripted:
                return scripted.pop(0)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(body)}
        if method == "sendMessage":
            return 200, {"ok": True, "result": {
                "message_id": next(self._message_ids), "date": int(time.time()),
                "chat": {"id": _int(body.get("chat_id"))}, "text": body.get("text", "")}}
        if method in ("answerCallbackQuery", "editMessageReplyMarkup"):
            return 200, {"ok": True, "result": True}
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": 42, "is_bot": True,
                                                "first_name": "riskd", "username": self.username}}
        if method == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": self.webhook, "pending_update_count": 0}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _get_updates(self, body: dict) -> list[dict]:
        offset = int(body.get("offset") or 0)
        timeout = min(float(body.get("timeout") or 0), 50.0)
        limit = int(body.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self.cond:
            if offset:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and not self._closed and not self.down:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return [dict(u) for u in self.pending[:limit]]

    # -- the users' side -------------------------------------------------------------------------
    def _push(self, kind: str, payload: dict) -> int:
        with self.cond:
            update_id = next(self._update_ids)
            self.pending.append({"update_id": update_id, kind: payload})
            self.cond.notify_all()
        return update_id

    @staticmethod
    def _chat(chat: str) -> dict:
        return {"id": int(chat), "type": "group" if chat.startswith("-") else "private"}

    def say(self, chat: str, user: int, text: str, date: Optional[int] = None,
            edited: bool = False) -> int:
        """A user sends `text` in `chat` (date: when they sent it, unix seconds)."""
        message = {"message_id": next(self._message_ids), "date": date or int(time.time()),
                   "chat": self._chat(chat), "from": {"id": user, "is_bot": False,
                                                      "first_name": f"user{user}"},
                   "text": text}
        if edited:
            message["edit_date"] = int(time.time())
        return self._push("edited_message" if edited else "message", message)

    def press(self, chat: str, user: int, data: str, message_id: int = 1) -> int:
        """A user presses an inline button whose callback_data is `data`."""
        return self._push("callback_query", {
            "id": str(next(self._update_ids) * 7), "data": data,
            "from": {"id": user, "is_bot": False, "first_name": f"user{user}"},
            "message": {"message_id": message_id, "date": int(time.time()),
                        "chat": self._chat(chat)}})

    # -- what the tests read ---------------------------------------------------------------------
    def sent(self, chat: Optional[str] = None, method: str = "sendMessage") -> list[Call]:
        with self.cond:
            return [c for c in self.calls if c.method == method
                    and (chat is None or c.chat == chat)]

    def wait_sent(self, test: Callable[[Call], bool], timeout: float = 10.0,
                  chat: Optional[str] = None, what: str = "a message") -> Call:
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.sent(chat) if test(c)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                texts = [c.text[:80] for c in self.sent(chat)]
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; "
                                     f"sent so far: {texts}")
            time.sleep(0.02)

    def set_down(self, down: bool) -> None:
        """Cut (True) or restore (False) the network: requests get no answer meanwhile."""
        with self.cond:
            self.down = down
            self.cond.notify_all()

    def hold(self, method: str) -> None:
        with self.cond:
            self.held.add(method)

    def release(self, method: str) -> None:
        with self.cond:
            self.held.discard(method)
            self.cond.notify_all()

    def held_requests(self, method: str) -> int:
        with self.cond:
            return self.waiting.get(method, 0)

    def close(self) -> None:
        with self.cond:
            self._closed = True
            self.held.clear()
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()


def phone_notify(fake, chat_ids: Sequence[str] = ("111",), token: Optional[str] = None,
                 telegram: Optional[dict] = None, **notify) -> dict:
    """The [notify] section whose Telegram is `fake` (a FakeTelegram, or any fake with a `url`
    and then its `token`), the phone of the integration tests: the bot token, the chats, the
    fake's address, and retries 0.05 s apart (not the shipped 1 s: a test that makes a send
    fail does not wait for the backoff). telegram: more of [notify.telegram] (min_severity,
    commands, poll_timeout_s, chats); notify: more of [notify] (failed_retry_s, discord)."""
    return {"telegram": {"bot_token": token or fake.token, "chat_ids": list(chat_ids),
                         "api_base": fake.url, **(telegram or {})},
            "retry_initial_s": 0.05, **notify}


def _int(value) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)
