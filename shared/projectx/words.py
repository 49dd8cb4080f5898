"""Broker failures in a person's words: no ProjectX API path in what a user reads.

The client's exceptions name the endpoint ("/api/Position/searchOpen failed with error code 1:
account 9999 not found"): right for the logs, wrong for a table, an alert or a history line
(fresh-user trial 13b). `plain()` rewrites a text that carries such a message into what the
call was for ("the broker refused to list the open positions (error code 1): account 9999 not
found"); a text without an API path is returned unchanged.
"""
from __future__ import annotations

import re

_PURPOSE = {
    "/api/Auth/loginKey": "log in",
    "/api/Auth/validate": "renew the login",
    "/api/Auth/logout": "log out",
    "/api/Account/search": "list the accounts",
    "/api/Position/searchOpen": "list the open positions",
    "/api/Position/closeContract": "close a position",
    "/api/Position/partialCloseContract": "reduce a position",
    "/api/Order/searchOpen": "list the working orders",
    "/api/Order/search": "look up orders",
    "/api/Order/searchById": "look up an order",
    "/api/Order/v2/query": "look up orders",
    "/api/Order/place": "place an order",
    "/api/Order/cancel": "cancel an order",
    "/api/Order/modify": "move an order",
    "/api/Trade/search": "list the trades",
    "/api/Contract/search": "look up contracts",
    "/api/Contract/searchById": "look up a contract",
    "/api/Contract/available": "list the contracts",
    "/api/History/retrieveBars": "read price bars",
    "/api/Status/ping": "check that the broker answers",
}
_PATH = r"/api/[A-Za-z0-9/]+"
_REFUSED = re.compile(rf"({_PATH}) failed with error code (-?\d+)")
_ANY = re.compile(_PATH)


def purpose(endpoint: str) -> str:
    """What a call to this endpoint is for, in words ('list the open positions')."""
    return _PURPOSE.get(endpoint, "answer a call")


def plain(text: str) -> str:
    """The text with every broker API path replaced by what the call was for."""
    if not text or "/api/" not in text:
        return text
    text = _REFUSED.sub(lambda m: f"the broker refused to {purpose(m.group(1))} "
                                  f"(error code {m.group(2)})", text)
    return _ANY.sub(lambda m: f"the broker's call to {purpose(m.group(0))}", text)
