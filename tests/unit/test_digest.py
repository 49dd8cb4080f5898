"""shared.digest and shared.randtoken: the same results as hashlib and secrets, without OpenSSL."""
from __future__ import annotations

import base64
import hashlib
import re

from hypothesis import given, strategies as st

from shared.digest import sha256_hex
from shared.randtoken import token_hex, token_urlsafe


@given(st.text())
def test_sha256_hex_is_hashlib_sha256_of_utf8(text):
    assert sha256_hex(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_sha256_hex_known_value():
    assert sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_sha256_is_not_openssls():
    import shared.digest
    assert shared.digest._sha256.__module__ in ("_sha2", "_sha256")


def test_token_hex_shape_and_randomness():
    tokens = {token_hex(16) for _ in range(50)}
    assert len(tokens) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens)


def test_token_urlsafe_shape_and_randomness():
    tokens = {token_urlsafe(32) for _ in range(50)}
    assert len(tokens) == 50
    for t in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_\-]{43}", t)
        assert len(base64.urlsafe_b64decode(t + "=")) == 32
