"""The one sha256-of-text helper (config digest, audit chain), without loading OpenSSL.

`hashlib` loads OpenSSL's libcrypto (about 3.4 MB resident in every process) even to hash a
config file. Most riskd processes need no TLS, so the digest comes from CPython's own sha256
module (`_sha2` from 3.12, `_sha256` before): the same hash, bit for bit. hashlib only where
neither exists (a build without them). tests/unit/test_digest.py checks both agree;
tests/unit/test_process_imports.py checks which processes load libcrypto (docs/performance.md,
"Memory").
"""
from __future__ import annotations

try:
    from _sha2 import sha256 as _sha256          # CPython 3.12+
except ImportError:
    try:
        from _sha256 import sha256 as _sha256    # CPython 3.11
    except ImportError:                          # pragma: no cover - a build without them
        from hashlib import sha256 as _sha256


def sha256_hex(text: str) -> str:
    """Hex sha256 of the UTF-8 bytes of text."""
    return _sha256(text.encode("utf-8")).hexdigest()
