"""Telegram command -> answer latency: a command put into the local Bot API fake until the
answer's sendMessage reaches the fake, with the real supervisor, sim broker, market, risk and
notify running; p50 / p99 in ms for /help (notify alone) and /status (three requests to
riskd: supervisor, risk). The issue's budget is 1 s.

The floor is a bare client doing the same HTTP work against the same fake: a long poll
that returns the update, then one sendMessage.
"""
from __future__ import annotations

import pathlib
import tempfile
import threading
import time

import requests

from tests.bench.report import percentile
from tests.support.env import make_config, wait_for
from tests.support.fake_telegram import FakeTelegram
from tests.support.procs import Procs

TOKEN = "1234567:bench-token"
CHAT = "111"
N = 200
WARMUP = 10
WORKERS = ["simbroker", "market", "risk", "notify"]


def _latencies(fake: FakeTelegram, text: str, n: int) -> list[float]:
    samples = []
    for i in range(n + WARMUP):
        before = len(fake.sent(CHAT))
        t0 = time.monotonic()
        fake.say(CHAT, int(CHAT), text)
        wait_for(lambda: len(fake.sent(CHAT)) > before, 10, interval=0.0005,
                 what=f"the answer to {text} #{i}")
        if i >= WARMUP:
            samples.append((fake.sent(CHAT)[before].at - t0) * 1000)
    return samples


def _floor(n: int) -> list[float]:
    fake = FakeTelegram(TOKEN)
    stop = threading.Event()
    session = requests.Session()
    base = f"{fake.url}/bot{TOKEN}"

    def bot():
        offset = 0
        while not stop.is_set():
            got = session.post(f"{base}/getUpdates", json={"offset": offset, "timeout": 1},
                               timeout=5).json()["result"]
            for u in got:
                offset = u["update_id"] + 1
                session.post(f"{base}/sendMessage", json={"chat_id": CHAT, "text": "ok"},
                             timeout=5)
    thread = threading.Thread(target=bot, daemon=True)
    thread.start()
    try:
        return _latencies(fake, "/help", n)
    finally:
        stop.set()
        thread.join(3)
        fake.close()


def run(report) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        fake = FakeTelegram(TOKEN)
        # the highest rate limit a channel takes, so the bench measures latency, not pacing
        config = make_config(tmp_path, workers=WORKERS, logging={"level": "WARNING"},
                             accounts=[{"id": 1001, "name": "SIM-DEMO-1"}],
                             broker={"sim": {"tick_interval": 0}},
                             notify={"rate_per_minute": 600, "telegram": {
                                 "bot_token": TOKEN, "chat_ids": [CHAT], "api_base": fake.url,
                                 "min_severity": "critical"}})
        procs = Procs(tmp_path)
        try:
            procs.riskd(config)
            procs.wait_running(config, WORKERS, timeout=40)
            wait_for(lambda: fake.sent(None, "getUpdates"), 20, what="notify polling")
            wait_for(lambda: "1001" in _status_answer(fake), 30, interval=0.5,
                     what="risk to know the account")
            help_ms = _latencies(fake, "/help", N)
            status_ms = _latencies(fake, "/status", N)
        finally:
            procs.cleanup()
            fake.close()
    floor = _floor(N)
    floor_p50, floor_p99 = percentile(floor, 50), percentile(floor, 99)
    for name, samples in (("/help", help_ms), ("/status", status_ms)):
        report.add(f"telegram {name} -> answer p50", percentile(samples, 50), "ms", floor_p50,
                   note=f"{N} commands against the local Bot API fake")
        report.add(f"telegram {name} -> answer p99", percentile(samples, 99), "ms", floor_p99,
                   note="budget 1000 ms")


def _status_answer(fake: FakeTelegram) -> str:
    before = len(fake.sent(CHAT))
    fake.say(CHAT, int(CHAT), "/status")
    wait_for(lambda: len(fake.sent(CHAT)) > before, 10, what="a /status answer")
    return fake.sent(CHAT)[before].text
