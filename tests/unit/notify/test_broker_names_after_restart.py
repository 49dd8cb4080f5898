"""A restarted notify names an account the config does not name by the broker's name, as before
(small18 item 1): notify kept the names risk's records carry (Decision.account_name) in memory
only, so after `riskctl restart notify` (or a crash) an alert built from a message that carries
no name (enforcement's "✅ Done", a lockout change) said "1003" where the breach before it said
"SIM-DEMO-3 (id 1003)".

Notify takes risk's decision (NotifyWorker._take on a worker whose memory is what setup makes
of its file, notify.sqlite in a tmp folder); notify restarts: the file is closed and a new
worker opens it; only then enforcement's result arrives."""
from __future__ import annotations

from types import SimpleNamespace

from services.notify.app import learn_name
from services.notify.brokernames import BrokerNames
from services.notify.outbox import Outbox
from services.notify.templates import context_for, result_alert
from shared.clock import FakeClock
from shared.messages.enforce import CommandResult
from shared.messages.risk import CLOSE_POSITION, Decision
from tests.unit.notify.test_broker_named_accounts import ADDED

NOW = 1_800_000_000 * 10**9


def notify(path: str) -> SimpleNamespace:
    """A notify worker as far as learning names and building alerts goes: what
    NotifyWorker.setup makes of its file (its broker_names read back from it)."""
    outbox = Outbox(path)
    return SimpleNamespace(outbox=outbox, broker_names=BrokerNames(outbox),
                           clock=FakeClock(NOW))


def done(account_id: int) -> CommandResult:
    return CommandResult(command_id="d1.1", account_id=account_id, status="done",
                         first_answer_ns=NOW, finished_ns=NOW, broker_calls=1,
                         detail="close by rule daily_unrealized_loss: MNQ closed")


def test_a_restarted_notify_names_the_account_by_the_brokers_name(tmp_path):
    path = str(tmp_path / "data" / "notify.sqlite")
    before = notify(path)
    for account_id, broker in ((1003, "SIM-DEMO-3"), (1004, "SIM-DEMO-4")):
        learn_name(before, Decision(id=f"d{account_id}", account_id=account_id,
                                    rule="daily_unrealized_loss", action=CLOSE_POSITION,
                                    ts_ns=NOW, account_name=broker))
    ctx = context_for(ADDED.config, before.broker_names)
    assert result_alert(done(1003), ctx).title == "✅ Done on SIM-DEMO-3 (id 1003)"
    before.outbox.close()                               # `riskctl restart notify`
    after = notify(path)
    ctx = context_for(ADDED.config, after.broker_names)
    # 1003: not listed in the config; 1004: listed by its id alone
    assert result_alert(done(1003), ctx).title == "✅ Done on SIM-DEMO-3 (id 1003)"
    assert result_alert(done(1004), ctx).title == "✅ Done on SIM-DEMO-4 (id 1004)"
    # a name the broker changed replaces the kept one, on disk too
    learn_name(after, Decision(id="d9", account_id=1003, rule="daily_unrealized_loss",
                               action=CLOSE_POSITION, ts_ns=NOW, account_name="ANA-SIM-3"))
    after.outbox.close()
    again = notify(path)
    assert again.broker_names == {1003: "ANA-SIM-3", 1004: "SIM-DEMO-4"}
    again.outbox.close()

