"""Trial22b finding 2: a flatten enforcement did not answer (killed after it journaled the
flatten, before its answer) was answered "enforcement is restarting after a crash (attempt 1):
try again in a few seconds", while riskd carried it out once enforcement was back. A timeout
says that whether it was taken is not known, where its outcome shows, and asks to look there
before flattening again; a flatten that never reached enforcement ('unreachable') keeps its
words (nothing was done)."""
from services.supervisor.commands.flatten import unanswered
from shared.messages.system import error, ok

RESTARTING = ("enforcement is restarting after a crash (attempt 1): try again in a few seconds "
              "(`riskctl status` shows what riskd runs)")


def test_a_timeout_is_not_known_and_points_at_history():
    reply = unanswered(error("timeout", f"enforcement did not answer within 5 s: {RESTARTING}"))
    assert not reply.ok and reply.code == "timeout"
    assert reply.reason.startswith("enforcement did not answer within 5 s, so whether it took "
                                   "the flatten is not known"), reply.reason
    assert "resumes it when it is back" in reply.reason and "`riskctl history`" in reply.reason
    assert "try again" not in reply.reason, reply.reason


def test_unreachable_and_ok_answers_stay_as_they_came():
    unreachable = error("unreachable", RESTARTING)
    assert unanswered(unreachable) is unreachable
    accepted = ok(None, reason="flatten of 1 account accepted")
    assert unanswered(accepted) is accepted
