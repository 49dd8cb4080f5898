"""An unlock of a symbol on an account locked as a whole says the truth: there is no symbol
lockout to end, the account itself is locked (until when, by what), and which unlock ends it.

Fresh-user trial: `riskctl unlock 1002 --symbol MNQ --reason x` on an account locked as a whole
answered "account Demo 2 (strict) MNQ is not locked", which was false: MNQ was locked by the
account's lockout.

The real RiskWorker on loopback sockets (tests/unit/risk/worker_rig.py) on etc/riskd.toml's
rules, its clock set to a Wednesday morning; the requests are the ones riskctl sends."""
from __future__ import annotations

from shared.clock import FakeClock
from shared.messages.risk import SelfLockRequest, UnlockRequest
from tests.unit.risk.desk import NS, chi
from tests.unit.risk.worker_rig import risk_worker

ACCOUNT = 1001


def rig(tmp_path):
    return risk_worker(tmp_path, [{"id": ACCOUNT, "name": "SIM-1", "display_name": "Demo 1"}],
                       clock=FakeClock(chi(2026, 12, 2, 10, 0)))


def unlock(w, symbol=None):
    return w._handlers[UnlockRequest](UnlockRequest(account=str(ACCOUNT), reason="x",
                                                    symbol=symbol, by="admin:ana"))


def test_a_symbol_of_an_account_locked_whole_names_the_account_lockout(tmp_path):
    with rig(tmp_path) as (w, _path, _backups, _sent):
        locked = w._handlers[SelfLockRequest](SelfLockRequest(
            account=str(ACCOUNT), until_ns=w.clock.now_ns() + 3600 * NS, reason="tilt"))
        assert locked.ok, locked.reason
        reply = unlock(w, "mnq")
        assert not reply.ok
        assert reply.reason == (
            "there is no MNQ symbol lockout on account Demo 1 (id 1001) to end: the account itself is "
            "locked until Wed 11:00 CST by trader (self-lockout), which locks MNQ too; "
            f"`riskctl unlock {ACCOUNT} --reason TEXT` ends that"), reply.reason
        assert len(w.engine.lockouts.all(ACCOUNT)) == 1          # nothing was ended
        assert unlock(w).ok                                     # and that unlock does end it
        assert w.engine.lockouts.all(ACCOUNT) == []


def test_an_account_not_locked_at_all_says_so(tmp_path):
    with rig(tmp_path) as (w, _path, _backups, _sent):
        assert unlock(w, "MNQ").reason == "account Demo 1 (id 1001) MNQ is not locked"
        assert unlock(w).reason == "account Demo 1 (id 1001) is not locked"


def test_an_unknown_account_is_said_with_the_known_ones_named_as_everywhere(tmp_path):
    """'risk does not know account 'nope' (known: 1001 (SIM-1))' named the known accounts the
    other way round, by the broker's name (trial 2026-12-06: one way to name an account)."""
    with rig(tmp_path) as (w, _path, _backups, _sent):
        w.engine.account(ACCOUNT).name = "SIM-1"          # as the broker's update sets it
        reply = w._handlers[UnlockRequest](UnlockRequest(account="nope", reason="x",
                                                         by="admin:ana"))
        assert not reply.ok
        assert reply.reason.endswith("(known: Demo 1 (id 1001))"), reply.reason
