"""An older state never undoes a newer one in notify: a publisher's copy of a worker's "stopped"
or a hub's "disconnected", sent for a subscription that arrived, can come after the newer
message notify took live (shared/bus/stateorder.py)."""
from __future__ import annotations

from shared.bus.stateorder import StateOrder
from shared.codec import Envelope
from shared.messages.control import WorkerEvent
from shared.messages.risk import Decision


def env(msg, seq: int, epoch: int = 1, publisher: str = "supervisor") -> Envelope:
    return Envelope(publisher, epoch, seq, 0, msg)


def test_a_copy_of_an_older_state_after_a_newer_one_is_dropped_per_worker():
    order = StateOrder()
    assert not order.older(env(WorkerEvent(name="enforcement", state="running"), 7))
    assert order.older(env(WorkerEvent(name="enforcement", state="stopped"), 5))   # the copy
    assert not order.older(env(WorkerEvent(name="risk", state="stopped"), 6))      # another
    assert not order.older(env(WorkerEvent(name="enforcement", state="stopped"), 9))
    assert not order.older(env(WorkerEvent(name="enforcement", state="running"), 2, epoch=2))


def test_messages_that_are_not_states_are_taken_in_any_order():
    order = StateOrder()
    decision = Decision(id="d1", ts_ns=0, account_id=1001, rule="daily_realized_loss",
                        action="flatten")
    assert not order.older(env(decision, 9, publisher="risk"))
    assert not order.older(env(decision, 3, publisher="risk"))
