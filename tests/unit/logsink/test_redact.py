"""The one redaction step: every secret the config can hold, and every secret shape, is masked."""
from __future__ import annotations

import bcrypt
import pytest

from shared.config.load import validate_data
from shared.redact import MASK, Redactor, for_config, secrets_of

BOT_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
WEBHOOK = "https://discord.com/api/webhooks/112233445566/Tq9x_LmN-abcdefGHIJKLmnopQRSTuv"
API_KEY = "pX7tQ2vL9sK4mN8wB3cR6yH1jF5gD0aZ="
ADMIN_HASH = bcrypt.hashpw(b"correct horse", bcrypt.gensalt(4)).decode()
OPS_HASH = bcrypt.hashpw(b"battery staple", bcrypt.gensalt(4)).decode()


@pytest.fixture(scope="module")
def config():
    return validate_data({
        "broker": {"kind": "projectx", "api_key": API_KEY, "user_name": "trader1"},
        "admin": {"password_hash": ADMIN_HASH},
        "ops": {"password_hash": OPS_HASH},
        "notify": {"telegram": {"bot_token": BOT_TOKEN, "chat_ids": ["-100123"]},
                   "discord": {"webhook_url": WEBHOOK}},
    }, "test.toml", env={})


def test_every_secret_the_config_holds_is_collected(config):
    found = set(secrets_of(config))
    assert {BOT_TOKEN, WEBHOOK, API_KEY, ADMIN_HASH, OPS_HASH} <= found
    assert "trader1" not in found and "-100123" not in found


@pytest.mark.parametrize("secret", [BOT_TOKEN, WEBHOOK, API_KEY, ADMIN_HASH, OPS_HASH],
                         ids=["bot_token", "webhook", "api_key", "admin_hash", "ops_hash"])
def test_each_config_secret_is_masked_in_free_text(config, secret):
    r = for_config(config)
    out = r.redact(f"login failed for trader1 with {secret} (retrying)")
    assert secret not in out
    assert "trader1" in out and "retrying" in out


@pytest.mark.parametrize("text, leaked", [
    ("POST https://api.telegram.org/bot123456789:AAF1bc-DEFghiJKLmnoPQRstuVWXyz0123456/sendMessage",
     "AAF1bc-DEFghiJKLmnoPQRstuVWXyz0123456"),
    ("Authorization: Bearer abc.def-ghi_123456", "abc.def-ghi_123456"),
    ("session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "eyJzdWIiOiIxMjMifQ"),
    ("hash $2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234 stored",
     "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234"),
    ("webhook https://discord.com/api/webhooks/1/secretPART-xyz failed", "secretPART-xyz"),
    ("https://hooks.slack.com/services/T000/B000/XXXXXXXX down", "XXXXXXXX"),
    ('{"apiKey": "k3y-value-here", "userName": "bob"}', "k3y-value-here"),
    ("api_key=plainvalue123&x=1", "plainvalue123"),
    ("password: hunter2!", "hunter2!"),
    ("session_token=Zx9k2LmQ8rT4vB7nP1sD6fG3hJ5kL0qW", "Zx9k2LmQ8rT4vB7nP1sD6fG3hJ5kL0qW"),
    ("issued Zx9k2LmQ8rT4vB7nP1sD6fG3hJ5kL0qWx9 to riskctl", "Zx9k2LmQ8rT4vB7nP1sD6fG3hJ5kL0qWx9"),
])
def test_secret_shapes_are_masked_without_knowing_the_value(text, leaked):
    out = Redactor().redact(text)
    assert leaked not in out
    assert MASK in out


@pytest.mark.parametrize("text", [
    "flattened account 1001 on CON.F.US.MNQ.Z26 at 21034.25, command 7f3a2c1e9b8d4f60a1b2c3d4e5f60718",
    "daily_loss breached: -520.00 vs limit -500.00",
    "audit prev 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "trading session: overnight, tokens=10",
    "/tmp/pytest-of-root/pytest-1/test_rotation0/data/logs/system.log",
])
def test_ordinary_text_is_left_alone(text):
    assert Redactor().redact(text) == text


def test_structured_fields_are_redacted_and_secret_named_fields_masked(config):
    r = for_config(config)
    fields = r.redact_fields({"account": 1001, "note": f"token {BOT_TOKEN}", "api_key": "x1",
                              "session": "abc", "size": 2})
    assert fields == {"account": 1001, "note": f"token {MASK}", "api_key": MASK,
                      "session": MASK, "size": 2}


def test_riskd_session_tokens_are_masked_whatever_characters_they_drew():
    import secrets
    tokens = [secrets.token_urlsafe(32) for _ in range(2000)]
    leaked = [t for t in tokens if t in Redactor().redact(f"session {t} issued")]
    assert leaked == []


def test_explicit_secret_list_and_refresh():
    r = Redactor(["s3cret-value"])
    assert r.redact("x s3cret-value y") == f"x {MASK} y"
    r.set_secrets(["other-value"])
    assert r.redact("x s3cret-value other-value") == f"x s3cret-value {MASK}"
    assert Redactor(["ab"]).redact("ab cab") == "ab cab"    # too short to be a literal
