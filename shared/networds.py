"""A call that got no answer over the network, in words a person can act on.

requests / urllib3 say it as "ConnectionError: HTTPSConnectionPool(host='api.telegram.org',
port=443): Max retries exceeded with url: /bot***/sendMessage (Caused by NameResolutionError(
...))": that detail is for the log. Screens (`riskctl status`, `workers`, `watch`, `notify
status`, `notify test`) and alerts get reach_words(): "cannot reach api.telegram.org (name not
resolved): check the network / DNS". Pure: reads the exception's class names and text only
(fresh-user trial 2026-12-05).
"""
from __future__ import annotations

import re
from typing import Optional
from urllib.parse import urlsplit

# a broker's hub that refuses the connection (shared/projectx/realtime.py), as the NOT GUARDED
# reason says it (services/supervisor/brokerdown.py)
BROKER_UNREACHABLE = "the broker is not reachable"
# riskd's own sim broker running again while a hub's last failed try was "not reachable":
# that reason is from before the start (trial20b section 8); market's next try reconnects
BROKER_BACK = "the broker is up again"
WAITS = "(it waits longer after each failed try, 60 s at most)"
NEXT_TRY = f"market reconnects at its next try {WAITS}"
NEXT_TRY_CAP_S = 60

# (what the class names or text show, why in words, what to check), first match wins
CAUSES = (
    (("NameResolutionError", "Name or service not known", "getaddrinfo failed",
      "Temporary failure in name resolution", "nodename nor servname",
      "No address associated with hostname"), "name not resolved", "check the network / DNS"),
    (("ProxyError", "Unable to connect to proxy"), "the proxy did not pass the call",
     "check the proxy settings (HTTPS_PROXY)"),
    (("SSLError", "CERTIFICATE_VERIFY_FAILED", "SSLCertVerificationError"),
     "its TLS certificate was not accepted", "check the system clock and the certificates"),
    (("ConnectTimeout", "ConnectTimeoutError"), "no connection within the timeout",
     "check the network"),
    (("ReadTimeout", "Read timed out", "ReadTimeoutError"), "no answer within the timeout",
     "check the network"),
    (("Connection refused", "ConnectionRefusedError"), "connection refused",
     "check the address and any proxy"),
    (("Network is unreachable",), "network unreachable", "check the network"),
    (("Connection reset", "RemoteDisconnected", "Connection aborted", "ProtocolError"),
     "the connection was dropped", "check the network"),
)
_HOST = re.compile(r"host='([^']+)'(?:, port=(\d+))?")


def _chain(exc: BaseException) -> list[BaseException]:
    """exc and what it wraps (causes, contexts, urllib3's reason, exceptions in args)."""
    seen, todo = [], [exc]
    while todo and len(seen) < 12:
        e = todo.pop(0)
        if not isinstance(e, BaseException) or any(e is s for s in seen):
            continue
        seen.append(e)
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return seen


def host_of(exc: BaseException) -> str:
    """The host the call went to ('api.telegram.org', '127.0.0.1:8443' with a port that is not
    the scheme's own), '' when the exception does not say."""
    request = getattr(exc, "request", None)
    url = getattr(request, "url", None)
    if isinstance(url, str) and url:
        parts = urlsplit(url)
        default = {"https": 443, "http": 80}.get(parts.scheme)
        if parts.hostname:
            return parts.hostname + (f":{parts.port}" if parts.port and parts.port != default
                                     else "")
    m = _HOST.search(str(exc))
    if m:
        port = m.group(2)
        return m.group(1) + (f":{port}" if port and port not in ("443", "80") else "")
    return ""


def reach_words(exc: BaseException, host: Optional[str] = None) -> str:
    """'cannot reach api.telegram.org (name not resolved): check the network / DNS'; host:
    when the caller knows it better than the exception (else host_of, else 'the service')."""
    chain = _chain(exc)
    said = " ".join(f"{type(e).__name__} {e}" for e in chain)
    where = host or host_of(exc) or "the service"
    for marks, why, check in CAUSES:
        if any(m in said for m in marks):
            return f"cannot reach {where} ({why}): {check}"
    return f"cannot reach {where} (the connection failed): check the network"
