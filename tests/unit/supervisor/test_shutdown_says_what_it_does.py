"""Task 22c-2: `riskctl shutdown` while market was flapping asked "a shutdown stops every guard:
riskd cannot tell ... (market is restarting after a crash (attempt 4): try again in a few
seconds ...)": market's restart state and its next step, not what the shutdown does. The
question says what the shutdown does and why riskd cannot say what is open, as a fact, for
every way market can fail to answer (not running in any state, or silent past the wait)."""
from types import SimpleNamespace

import pytest

from services.supervisor.commands import shutdown, stop
from shared.messages.control import ShutdownRequest, StopWorker
from shared.messages.system import error

FLAPPING = ("market is restarting after a crash (exited with code 1; attempt 4): try again in "
            "a few seconds (`riskctl status` shows what riskd runs)")
KEEPS = ("market keeps crashing (5 crashes within 60 s), so riskd waits 30s before it tries "
         "again: `riskctl logs --process market` says why (`riskctl status` shows what riskd "
         "runs)")
SILENT = f"market did not answer within 2 s: {FLAPPING}"
ANSWERS = [error("unreachable", FLAPPING), error("unreachable", KEEPS),
           error("timeout", SILENT)]


def asked(command, request, reply):
    got, shut = [], []
    sup = SimpleNamespace(slots={"market": object()}, requester="admin:ana",
                          config=SimpleNamespace(accounts=[], broker=SimpleNamespace(kind="sim"),
                                                 supervisor=SimpleNamespace(risk_shards=1)),
                          request_shutdown=lambda *a: shut.append(a),
                          announce_stop=lambda *a: None,
                          forward=lambda _worker, _req, respond, timeout: respond(reply))
    command.execute(sup, request, got.append)
    assert len(got) == 1 and not shut
    return got[0]


@pytest.mark.parametrize("reply", ANSWERS)
def test_the_shutdown_question_says_what_it_does_not_markets_restart(reply):
    got = asked(shutdown, ShutdownRequest(), reply)
    assert got.code == "confirm_needed"
    assert got.reason.startswith("a shutdown stops every worker, then riskd itself: nothing "
                                 "guards the accounts until riskd is started again: riskd "
                                 "cannot tell whether accounts hold open positions or working "
                                 "orders (market "), got.reason
    for said in ("attempt", "try again", "restarting", "keeps crashing", "riskd waits"):
        assert said not in got.reason, got.reason


@pytest.mark.parametrize("reply", ANSWERS)
def test_a_stops_question_neither_passes_on_markets_words(reply):
    got = asked(stop, StopWorker(name="risk"), reply)
    assert got.code == "confirm_needed"
    assert "riskd cannot tell whether accounts hold open positions" in got.reason
    for said in ("attempt", "try again", "restarting"):
        assert said not in got.reason, got.reason
