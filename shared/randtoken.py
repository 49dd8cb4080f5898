"""Random tokens from os.urandom, as the `secrets` module makes them, without loading OpenSSL.

`secrets` imports `hmac`, which imports `hashlib` and with it OpenSSL's libcrypto (about
3.4 MB resident) into a process that needs no TLS (the supervisor: spawn tokens, session
tokens). These are the same two lines secrets runs (docs/performance.md, "Memory").
"""
from __future__ import annotations

import base64
import os


def token_hex(nbytes: int) -> str:
    """nbytes random bytes as 2*nbytes hex digits (secrets.token_hex)."""
    return os.urandom(nbytes).hex()


def token_urlsafe(nbytes: int) -> str:
    """nbytes random bytes, URL-safe base64 without padding (secrets.token_urlsafe)."""
    return base64.urlsafe_b64encode(os.urandom(nbytes)).rstrip(b"=").decode("ascii")
