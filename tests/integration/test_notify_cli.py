"""riskctl notify / logs / audit against a real riskd running the notify and logging workers."""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys

import pytest

from shared.auditchain import audit_files
from shared.config import load_config
from shared.config.access import hash_password
from tests.integration.test_logsink import finish, run_sender, start_logsink
from tests.integration.test_notify import BOT_TOKEN
from tests.support.fake_telegram import FakeTelegram
from tests.support.env import REPO, ctrl_c_as_in_a_terminal, make_config, wait_for
from tests.support.env import test_env as child_env

pytestmark = pytest.mark.slow

PASSWORD = "battery staple"


@pytest.fixture
def telegram():
    fake = FakeTelegram(BOT_TOKEN)
    yield fake
    fake.close()


def riskctl(config_path: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "--config", config_path, *args],
                          cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=40,
                          input=stdin)


def test_notify_test_logs_and_audit_verify_through_riskctl(tmp_path, procs, telegram,
                                                           monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config_path = make_config(
        tmp_path, workers=["logging", "notify"],
        ops={"password_hash": hash_password(PASSWORD, cost=4)},
        notify={"telegram": {"bot_token": BOT_TOKEN, "chat_ids": ["111", "222"],
                             "api_base": telegram.url}})
    log_dir = load_config(config_path).log_dir
    procs.riskd(config_path)
    procs.wait_running(config_path, ["logging", "notify"])

    refused = riskctl(config_path, "notify", "test")
    assert refused.returncode == 3 and "ops" in refused.stderr      # an ops command
    done = riskctl(config_path, "login", "--role", "ops", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr

    # commands get through once the bot has polled (it starts with notify)
    wait_for(lambda: telegram.sent(None, "getUpdates"), 15, what="the bot's first poll")
    done = riskctl(config_path, "notify", "test", "--channel", "telegram")
    assert done.returncode == 0, done.stdout + done.stderr
    # both chats named (trial 2026-12-06: only the last one was)
    assert done.stdout.startswith("telegram: accepted (HTTP 200): HTTP 200 ok (chats 111, 222)"), \
        done.stdout
    assert "\ntelegram commands: accepted (HTTP 200): @riskd_test_bot is listening " \
           "(last update check" in done.stdout
    assert any("riskd test message" in c.text for c in telegram.sent())

    telegram.webhook = "https://example.org/hook"      # updates would go elsewhere
    done = riskctl(config_path, "notify", "test", "--channel", "telegram")
    assert done.returncode == 1 and "telegram commands: FAILED (HTTP 200): a webhook is set" \
        in done.stdout, done.stdout

    done = riskctl(config_path, "notify", "status", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    states = {c["name"]: c["state"] for c in doc["channels"]}
    # the test message went through: the channel has a last success (a failed one would be its
    # last error: tests/unit/notify/test_unreachable_channel_words.py)
    assert states == {"telegram": "ok", "discord": "disabled"}
    assert doc["commands"]["state"] == "ok" and doc["commands"]["answered"] == 0

    # the ops actions are in the audit trail, and the chain verifies
    wait_for(lambda: any('"action":"notify test"' in open(f).read()
                         for f in audit_files(log_dir)), 10,
             what="the notify test in audit.log (named as typed)")
    done = riskctl(config_path, "audit", "verify")
    assert done.returncode == 0 and done.stdout.startswith("audit chain ok:"), done.stdout

    done = riskctl(config_path, "logs", "--process", "notify", "-n", "3", "--json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(x) for x in done.stdout.splitlines()]
    assert 1 <= len(lines) <= 3 and all(r["process"] == "notify" for r in lines)
    for name in os.listdir(log_dir):
        assert BOT_TOKEN.split(":")[1] not in open(os.path.join(log_dir, name)).read()

    # an edited audit line: exit 1, naming the line
    path = os.path.join(log_dir, "audit.log")
    lines = open(path).read().splitlines()
    message = json.loads(lines[0])["message"]
    lines[0] = lines[0].replace(json.dumps(message)[1:-1], "nothing happened", 1)
    open(path, "w").write("\n".join(lines) + "\n")
    done = riskctl(config_path, "audit", "verify")
    assert done.returncode == 1 and "BROKEN at line 1 (audit.log line 1)" in done.stdout


def test_logs_follow_prints_new_records_live(tmp_path, procs):
    config_path = make_config(tmp_path)
    start_logsink(procs, config_path)
    follower = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--config", config_path, "logs", "-f", "-n", "0",
         "--process", "live", "--grep", "flood 7 "], cwd=REPO,
        env={**child_env(), "PYTHONFAULTHANDLER": "1"}, preexec_fn=ctrl_c_as_in_a_terminal,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sel = selectors.DefaultSelector()
    sel.register(follower.stdout, selectors.EVENT_READ)
    got: list[str] = []

    def printed():
        # the follower subscribes when it starts: keep sending until its first line shows
        finish(run_sender(config_path, "live", 10))
        if sel.select(timeout=1.0):
            got.append(follower.stdout.readline())
        return got
    try:
        wait_for(printed, 20, interval=0.1, what="riskctl logs -f to print a live record")
        assert "live[" in got[0] and "flood 7 from live" in got[0] and "n=7" in got[0]
    finally:
        follower.send_signal(signal.SIGINT)
        try:
            follower.wait(10)
        except subprocess.TimeoutExpired:
            follower.send_signal(signal.SIGABRT)    # PYTHONFAULTHANDLER: where it hangs
            follower.wait(5)
    assert follower.returncode == 0, follower.stderr.read()
