"""A failed command's detail, the words every screen shows, names what the broker call was
for, never its API path (fresh-user trial 13b: `riskctl flatten 9999` showed "flatten failed:
/api/Position/searchOpen failed with error code 1: account 9999 not found")."""
from __future__ import annotations

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.clock import FakeClock
from shared.messages.enforce import FAILED, Command
from shared.projectx.errors import BrokerUnavailable, ProjectXError
from shared.projectx.words import plain
from tests.unit.enforcement.fakebroker import CLOSE, POSITIONS, FakeBroker


def _run(tmp_path, broker):
    clock = FakeClock()
    journal = Journal(str(tmp_path / "journal.sqlite"), clock.now_ns())
    ex = Executor(lambda _budget: broker, journal, clock, Settings(settle=0),
                  sleep=clock.advance)
    cmd = Command(id="manual-1.9999", decision_id="manual-1", account_id=9999,
                  action="flatten", rule="manual")
    entry, _new = journal.receive(cmd, 0)
    return ex.run(Job(entry, "9999"), broker)


def test_a_refused_call_is_told_by_what_it_was_for(tmp_path):
    broker = FakeBroker(9999)
    broker.fail[POSITIONS] = [ProjectXError(1, "account 9999 not found", POSITIONS)]
    out = _run(tmp_path, broker)
    assert out.result.status == FAILED
    assert "/api/" not in out.result.detail, out.result.detail
    assert ("the broker refused to list the open positions (error code 1): account 9999 "
            "not found") in out.result.detail


def test_every_broker_message_loses_its_api_path():
    assert plain(str(BrokerUnavailable(CLOSE, 3, "timed out"))).startswith(
        "the broker's call to close a position: the broker did not answer")
    assert plain("flatten failed: /api/Order/cancel failed with error code 6") == (
        "flatten failed: the broker refused to cancel an order (error code 6)")
    assert plain("closed MNQ") == "closed MNQ"
