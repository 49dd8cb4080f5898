"""Redaction's cheap pre-tests (round 24, issue 21): the bot-token and blob patterns run only
where the text has a run of 30 url-safe characters, the key=value pattern only where a ':' or
'=' is, none on a text shorter than the shortest match (9), the literal secrets' alternation
only where one of them is in the text. What is masked is exactly what running every pattern masks:
compared here with that reference on texts built to hit every shape, its edges and the
sequence of masks (an earlier shape's mask changing what a later one sees)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import redact
from shared.redact import MASK, Redactor, mask_shapes

BOT_TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9"
BLOB = "pX7tQ2vL9sK4mN8wB3cR6yH1jF5gD0aZqq"
# a decision's log line as risk's stderr formatter redacts it (its time has ':' in it)
DECISION_LINE = ("2026-12-07 19:55:29.123Z WARNING risk[1234] riskd.enforcement: account Demo 1 "
                 "(id 1001): lockout_enforcement: closing MNQ +1: the account is locked until "
                 "17:00 CT kind=decision account=1001 rule=lockout_enforcement")


# each shape's test as it was before round 24 (the patterns are redact's own)
BEFORE = {"bot": lambda low: ":" in low, "jwt": lambda low: "eyj" in low,
          "bearer": lambda low: "bearer" in low, "bcrypt": lambda low: "$2" in low,
          "hook": lambda low: "://" in low,
          "kv": lambda low: any(w in low for w in redact._KEY_WORDS), "blob": lambda low: True}


def reference_shapes(text: str) -> str:
    """Every shape's pattern run as its test before round 24 allowed, none skipped."""
    low = text.lower()
    for (name, _test, pattern) in redact._SHAPES:
        if BEFORE[name](low):
            text = re.compile(pattern).sub(redact._REPLACE.get(name, MASK), text)
    return text


def reference_redact(secrets: list[str], text: str) -> str:
    if not text:
        return text
    literals = sorted({s for s in secrets if len(s) >= redact.MIN_LITERAL}, key=len,
                      reverse=True)
    if literals:
        text = re.compile("|".join(re.escape(s) for s in literals)).sub(MASK, text)
    return reference_shapes(text)


PIECES = st.sampled_from([
    " ", ":", "=", '"', "'", "/", ".", "-", "_", "$", "\n", "K", "\u212a",   # Kelvin sign
    "12345", "7012345678", "eyJhbGciOiJIUzI1NiJ9", "bearer ", "Bearer ", "$2b$12$",
    "https://discord.com/api/webhooks/", "https://x.io/hooks/", "api_key", "token", "password",
    "session_id", "passwd", "secret", "Authorization", "webhook_url", "***",
    BOT_TOKEN, BLOB, BLOB.lower(), "A" * 29, "a" * 29, "aB" * 15, "aB" * 16, "x" * 31,
    "Demo 1 (id 1001)", "closing MNQ +1", "2026-12-07 19:55:29.123Z", "token=abc", "tok",
    "en=ab", "c", "abcdefgh", "\u2014", "\u2705", "\u2212512.40",
])
TEXTS = st.one_of(st.lists(PIECES, max_size=14).map("".join),
                  st.text(alphabet="aB3_-:= /.\"'", max_size=120),
                  st.lists(st.sampled_from(["token", "key", "=", ":", "ab", "c", " ", '"']),
                           max_size=6).map("".join))


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_shapes_masked_as_by_every_pattern(text):
    assert mask_shapes(text) == reference_shapes(text)


@pytest.mark.parametrize("text", [
    "12345:" + "aB" * 15, "at 12345:" + "aB" * 15 + " now", "12345:" + "aB" * 14 + "a",
    "aB" * 16, "x aB" + "aB" * 15 + "=", "aB" * 15 + "a", "token=abc", "token=ab", "tokenabc=",
    "bearer " + "a" * 8, "eyJabcde.abcde.", "http://x/hooks/y", "Kelvin \u212aey=abc",
    "\u2014 12345:" + "aB" * 15 + " \u2705", "\u2705" + "aB" * 16, "\u2705" + "aB" * 15 + "a"])
def test_each_shape_at_its_shortest(text):
    assert mask_shapes(text) == reference_shapes(text)
    assert Redactor(["abc1"]).redact(text) == reference_redact(["abc1"], text)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(st.sampled_from(["hunter22", BLOB, "sk_live_x", "abc", "Demo",
                                        "aB" * 16, "token"]), max_size=3))
def test_literals_and_shapes_masked_as_before(text, secrets):
    assert Redactor(secrets).redact(text) == reference_redact(secrets, text)


def test_a_reload_masks_the_new_secret():
    r = Redactor(["old-secret"])
    r.set_secrets(["new-secret"])
    assert r.redact("old-secret new-secret") == f"old-secret {MASK}"


class Counting:
    """A compiled pattern that counts its substitutions."""

    def __init__(self, rx):
        self.rx, self.subs = rx, 0

    def sub(self, repl, text):
        self.subs += 1
        return self.rx.sub(repl, text)


def test_an_ordinary_line_runs_neither_costly_pattern(monkeypatch):
    """The bot pattern (every line's time has a ':') and the blob pattern (no test at all) ran
    for every log line: ~60 % of a record's redaction. Fails on the code before round 24."""
    counted = tuple((entry[0], Counting(entry[1]), *entry[2:]) for entry in redact._COMPILED)
    monkeypatch.setattr(redact, "_COMPILED", counted)
    by_name = {name: c[1] for (name, _t, _p), c in zip(redact._SHAPES, counted)}
    r = Redactor(["hunter22"])
    assert r.redact(DECISION_LINE) == DECISION_LINE
    assert by_name["bot"].subs == 0 and by_name["blob"].subs == 0
    # a record's short fields run none at all
    assert r.redact_fields({"kind": "decision", "rule": "lockout_enforcement"}) == {
        "kind": "decision", "rule": "lockout_enforcement"}
    assert sum(c.subs for c in by_name.values()) == 0
    # a line that has a token still runs them, and masks it
    out = r.redact(f"{DECISION_LINE} bot {BOT_TOKEN} key {BLOB}")
    assert BOT_TOKEN.split(":")[1] not in out and BLOB not in out
    assert by_name["bot"].subs == 1 and by_name["blob"].subs == 1
