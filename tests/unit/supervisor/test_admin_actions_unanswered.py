"""Task 22c-1: riskctl lockout, unlock, rules override and accounts disable --now answered risk's
timeout with risk's state words ("risk is restarting after a crash (attempt 1): try again in a
few seconds"), as flatten did before trial22b finding 2, though risk may have taken the action
(it acts, then answers). Each is said as not known, with where it shows and what asking again
does; one shared piece of code (services/supervisor/untold.py) says it, as for flatten. An
'unreachable' request (never reached risk) and risk's own answers are relayed as they came."""
from types import SimpleNamespace

import pytest

from services.supervisor.commands import adminlock, lockout, rules_override, unlock
from shared.messages.risk import (AdminLockRequest, RulesOverrideRequest, SelfLockRequest,
                                  UnlockRequest)
from shared.messages.system import error, ok

RESTARTING = ("risk is restarting after a crash (attempt 1): try again in a few seconds "
              "(`riskctl status` shows what riskd runs)")


def answer_to(command, request, reply, shards=1):
    """What the supervisor answers `request` with when risk's answer is `reply`."""
    got = []
    sup = SimpleNamespace(config=SimpleNamespace(supervisor=SimpleNamespace(risk_shards=shards),
                                                 accounts=[]),
                          forward=lambda _worker, _req, respond, timeout: respond(reply))
    command.COMMAND.execute(sup, request, got.append)
    assert len(got) == 1
    return got[0]


CASES = [
    (lockout, SelfLockRequest(account="1001", session=True), "the lockout",
     ("`riskctl lockouts` lists it", "asking again does no harm")),
    (adminlock, AdminLockRequest(account="1001", session=True, reason="r", by="admin:ana"),
     "the lockout", ("`riskctl lockouts` lists it", "asking again does no harm")),
    (unlock, UnlockRequest(account="1001", reason="r", by="admin:ana"), "the unlock",
     ("look there before you unlock again", "one riskd set since included")),
    (rules_override, RulesOverrideRequest(reason="r", by="admin:ana"), "the override",
     ("`riskctl rules`", "look there before you override again")),
    (rules_override, RulesOverrideRequest(account="1002", reason="r", by="admin:ana",
                                          disable=True), "the disable",
     ("`riskctl accounts` shows whether risk still guards 1002", "again does no harm")),
]


@pytest.mark.parametrize("command,request_,action,words", CASES)
@pytest.mark.parametrize("shards", [1, 2])
def test_a_timeout_is_not_known_and_says_where_to_look(command, request_, action, words,
                                                       shards):
    worker = "risk" if shards == 1 else "risk-1"
    reply = answer_to(command, request_,
                      error("timeout", f"{worker} did not answer within 3 s: {RESTARTING}"),
                      shards)
    assert not reply.ok and reply.code == "timeout"
    assert f"{worker} did not answer within 3 s, so whether it took {action} is not known: " \
        in reply.reason, reply.reason
    for w in words:
        assert w in reply.reason, reply.reason
    assert "try again" not in reply.reason and "restarting" not in reply.reason, reply.reason


@pytest.mark.parametrize("command,request_,action,words", CASES)
def test_unreachable_and_risks_answers_stay_as_they_came(command, request_, action, words):
    for reply in (error("unreachable", RESTARTING), error("refused", "account 1001 is not locked"),
                  ok(None, reason="1 lockout ended")):
        assert answer_to(command, request_, reply) is reply
