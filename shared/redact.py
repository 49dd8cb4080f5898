"""The one redaction step: masks secrets in any text before it reaches a log line, reply or alert.

Two kinds of masking, both applied by Redactor.redact():
- shapes: JWTs, bearer tokens, Telegram bot tokens (also inside Bot API URLs),
  webhook URLs, bcrypt hashes, `key=value` / `"key": "value"` pairs whose key
  names a secret (api key, token, password, session, secret ...), and long
  mixed-case random strings that look like API keys or session tokens;
- literals: the exact secret values of the running config (every attrs field
  marked metadata={"secret": True}, or declared repr=False) plus any strings
  passed explicitly.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import attrs

MASK = "***"
MIN_LITERAL = 4        # shorter literals would mask ordinary words

_KEY_WORDS = ("key", "secret", "token", "passw", "session", "authorization", "webhook")

# (name, cheap test on the lowered text that must pass before the regex runs, pattern)
_SHAPES = (
    # Telegram bot token, bare or in https://api.telegram.org/bot<token>/sendMessage
    ("bot", lambda low: ":" in low, r"(?<![0-9])(\d{5,12}):[A-Za-z0-9_-]{30,}"),
    # JSON Web Token (session tokens, ProjectX tokens)
    ("jwt", lambda low: "eyj" in low, r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    # Authorization: Bearer <token>
    ("bearer", lambda low: "bearer" in low, r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    # bcrypt hash
    ("bcrypt", lambda low: "$2" in low, r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"),
    # webhook URLs (Discord, Slack, generic .../webhooks/<id>/<token>)
    ("hook", lambda low: "://" in low,
     r"(?i)(https?://[^\s/]+/(?:api/webhooks|webhooks|services|hooks)/)[^\s\"'<>]+"),
    # key = value, key: value, "key": "value", key=value in query strings
    # (its [:=] first: one substring test each, before the seven words)
    ("kv", lambda low: ("=" in low or ":" in low) and any(w in low for w in _KEY_WORDS),
     r"(?i)((?:api[_-]?key|secret|token|passw(?:or)?d|passwd|session[_-]?(?:id|token|key)|"
     r"authorization|webhook[_-]?url)[\"']?\s*[:=]\s*[\"']?)"
     r"(?!\*\*\*|(?:bearer|basic)\s)[^\s\"',;&}]{3,}"),
    # long random-looking strings: 32+ url-safe chars mixing upper and lower case (API keys,
    # session tokens from secrets.token_urlsafe); hex digests and ids are one case, so kept
    ("blob", lambda low: True,
     r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])"
     r"[A-Za-z0-9_-]{32,}={0,2}"),
)


def _keep_prefix(m: re.Match) -> str:
    return m.group(1) + MASK


def _keep_bot_id(m: re.Match) -> str:
    return m.group(1) + ":" + MASK      # the bot id is not secret, its key is


_REPLACE = {"bot": _keep_bot_id, "bearer": _keep_prefix, "hook": _keep_prefix, "kv": _keep_prefix}
# a run of 30 url-safe characters: the bot token's key (30+) and a blob (32+) both contain one.
# Their patterns are the costly ones (every log line has a ':' in its time, and the blob's
# lookaheads run at every position: ~60 % of a log record's redaction), and an ordinary line
# has no such run, so they run only where the text has one (issue 21: the decision's log line
# is redacted twice right after the close command leaves risk; round 24)
_URL_SAFE = str.maketrans(dict.fromkeys(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", "a"))
_RUN = "a" * 30


_RUN_AT_START = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{30}")


def _has_long_run(text: str) -> bool:
    """The text has 30 url-safe characters in a row. ASCII text: each made 'a', the rest left
    as they are (one pass in C, ~5x a regex's search); other text (an em dash, an emoji), where
    str.translate takes its slow path: a run looked for only where one can start."""
    if text.isascii():
        return _RUN in text.translate(_URL_SAFE)
    return _RUN_AT_START.search(text) is not None


_NEEDS_RUN = frozenset({"bot", "blob"})
_COMPILED = tuple((test, re.compile(pattern), _REPLACE.get(name, MASK), name in _NEEDS_RUN)
                  for name, test, pattern in _SHAPES)


# the shortest text any shape matches: "token=abc" (the bot token 36, a JWT or a bearer 15)
_SHORTEST = 9


def mask_shapes(text: str) -> str:
    """Mask every secret-shaped substring (no literals)."""
    if len(text) < _SHORTEST:       # a field's "decision", "MNQ", an id: none can match
        return text
    low = text.lower()
    looked_in, has_run = None, False     # the text last looked at for a long run
    for test, regex, repl, needs_run in _COMPILED:
        if not test(low):
            continue
        if needs_run:
            if looked_in is not text:    # an earlier shape's mask changed it: look again
                looked_in, has_run = text, _has_long_run(text)
            if not has_run:
                continue
        text = regex.sub(repl, text)
    return text


def _scalar_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _scalar_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _scalar_strings(item)


def secrets_of(obj: Any) -> list[str]:
    """Every secret value in an attrs config tree: fields with metadata secret=True or repr=False."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if attrs.has(type(node)):
            for field in attrs.fields(type(node)):
                value = getattr(node, field.name, None)
                if field.metadata.get("secret") or field.repr is False:
                    found.extend(_scalar_strings(value))
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)

    walk(obj)
    return found


class Redactor:
    """Masks secret shapes and the given literal secret values in text and in structured fields."""

    def __init__(self, secrets: Iterable[str] = ()):
        # (the alternation of the literal secrets, the literals), one attribute: a reload's
        # new pair is seen whole by a thread redacting meanwhile
        self._literal: tuple[re.Pattern, tuple[str, ...]] | None = None
        self.set_secrets(secrets)

    def set_secrets(self, secrets: Iterable[str]) -> None:
        literals = sorted({s for s in secrets if isinstance(s, str) and len(s) >= MIN_LITERAL},
                          key=len, reverse=True)
        self._literal = ((re.compile("|".join(re.escape(s) for s in literals)), tuple(literals))
                         if literals else None)

    def redact(self, text: str) -> str:
        if not text:
            return text
        literal = self._literal
        if literal is not None:
            for secret in literal[1]:   # the alternation only where a secret is in the text
                if secret in text:
                    text = literal[0].sub(MASK, text)
                    break
        return mask_shapes(text)

    def redact_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Strings are redacted; a field whose name says it is a secret is masked whole."""
        out: dict[str, Any] = {}
        for key, value in fields.items():
            if isinstance(value, str):
                if _SECRET_KEY.search(key) and value:
                    out[key] = MASK
                else:
                    out[key] = self.redact(value)
            else:
                out[key] = value
        return out


_SECRET_KEY = re.compile(r"(?i)api[_-]?key|secret|token|passw|authorization|webhook_url|"
                         r"session$|password_hash")


def for_config(config: Any, extra: Iterable[str] = ()) -> Redactor:
    """A Redactor that knows the literal secrets of this config (and any extra strings)."""
    return Redactor([*secrets_of(config), *extra])
