"""What a broker failure means for enforcement: already done, wait for the market, cannot enforce,
try again, or give up. Pure: one table of ProjectX's per-endpoint error codes, in one place.

ProjectX error codes are per endpoint (PROJECTX.md). PositionNotFound on a close and
OrderNotFound on a cancel mean the goal is already reached. OrderRejected on a close means
the market is shut (or the broker refused it): the command stays pending and is retried.
AccountRejected is not worth retrying: riskd cannot enforce on that account.
"""
from __future__ import annotations

from shared.projectx.errors import (AuthError, BrokerUnavailable, ProjectXError,
                                    RateBudgetExhausted)

DONE_ALREADY = "done_already"
MARKET_CLOSED = "market_closed"
ACCOUNT_REJECTED = "account_rejected"
RETRY = "retry"
FATAL = "fatal"

CLOSE = "/api/Position/closeContract"
PARTIAL = "/api/Position/partialCloseContract"
CANCEL = "/api/Order/cancel"
MODIFY = "/api/Order/modify"
TRADING_ENDPOINTS = (CLOSE, PARTIAL, CANCEL, MODIFY)

# endpoint -> {error code: meaning}; codes not listed are FATAL for that call
CODES: dict[str, dict[int, str]] = {
    # 1 AccountNotFound, 2 PositionNotFound, 3 ContractNotFound, 4 ContractNotActive,
    # 5 OrderRejected, 6 OrderPending, 7 UnknownAccountRisk, 8 AccountRejected
    CLOSE: {2: DONE_ALREADY, 5: MARKET_CLOSED, 6: RETRY, 7: RETRY, 8: ACCOUNT_REJECTED},
    # 1 AccountNotFound, 2 PositionNotFound, 3 ContractNotFound, 4 ContractNotActive,
    # 5 InvalidCloseSize, 6 OrderRejected, 7 OrderPending, 8 UnknownAccountRisk, 9 AccountRejected
    PARTIAL: {2: DONE_ALREADY, 5: RETRY, 6: MARKET_CLOSED, 7: RETRY, 8: RETRY,
              9: ACCOUNT_REJECTED},
    # 1 AccountNotFound, 2 OrderNotFound, 3 Rejected, 4 Pending, 5 UnknownAccountRisk,
    # 6 AccountRejected
    CANCEL: {2: DONE_ALREADY, 3: RETRY, 4: RETRY, 5: RETRY, 6: ACCOUNT_REJECTED},
    # same codes as cancel; a missing order has nothing left to modify
    MODIFY: {2: DONE_ALREADY, 3: RETRY, 4: RETRY, 5: RETRY, 6: ACCOUNT_REJECTED},
}


def classify(exc: BaseException) -> str:
    """The meaning of an exception raised by a ProjectXRest call."""
    if isinstance(exc, (BrokerUnavailable, RateBudgetExhausted)):
        return RETRY
    if isinstance(exc, AuthError):
        return RETRY if exc.code == 401 else FATAL
    if isinstance(exc, ProjectXError):
        return CODES.get(exc.endpoint, {}).get(exc.code, FATAL)
    return FATAL


def describe(exc: BaseException) -> str:
    """A short human text for a failed call (no secrets: the client's messages carry none)."""
    if isinstance(exc, ProjectXError) and exc.code == 5 and exc.endpoint == CLOSE \
            and not exc.message:
        return f"{exc.endpoint}: OrderRejected (market closed?)"
    return str(exc)
