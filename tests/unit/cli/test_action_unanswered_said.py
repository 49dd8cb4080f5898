"""Trial23b finding 2, for every admin action riskctl sends once and waits on: the supervisor
killed after it took the action and before it answered left riskctl with "riskd is not running
or not answering: no answer from the control socket ...", which reads as "not done: do it
again". The answer says the action was sent (and when), that whether riskd took it is not
known, where its outcome shows and what doing it again does: the supervisor's own words for a
worker's timeout (services/supervisor/untold.py). riskctl's own Context with riskd stood in
for at its socket: the Ping answered, the action never."""
from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest

from cli import context, notrunning
from cli.errors import NotRunning
from shared.bus.rpc import RpcTimeout
from shared.messages.enforce import FlattenRequest
from shared.messages.risk import (AdminLockRequest, HistoryRequest, RulesOverrideRequest,
                                  SelfLockRequest, UnlockRequest)
from shared.messages.system import Ping, ok
from tests.unit.cli.rpcstandin import StandInClient

CONTROL = "tcp://127.0.0.1:5570"


class Riskd(StandInClient):
    """Answers its Ping, then is killed with the action in hand."""
    def call(self, request, timeout=None):
        if isinstance(request.command, Ping):
            return ok()
        raise RpcTimeout("riskd", CONTROL, 6.0)


@pytest.fixture
def killed(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    asked = []
    # listening before the action, nothing listens after it (the supervisor killed)
    monkeypatch.setattr(context, "listening", lambda address: not asked.append(address)
                        and len(asked) == 1)
    monkeypatch.setattr(context, "RpcClient", Riskd)
    monkeypatch.setattr(notrunning, "orphans", lambda path, address: SimpleNamespace(
        running=(("enforcement", [12357]),)))


def riskctl(command):
    ctx = context.Context(config_path="/nonexistent/riskd.toml", control=CONTROL)
    return ctx.request(command, retries=0)


@pytest.mark.parametrize("command, action, shows", [
    (FlattenRequest(account="1001", reason="x"), "the flatten", "`riskctl history`"),
    (SelfLockRequest(account="1001", session=True), "the lockout", "`riskctl lockouts`"),
    (AdminLockRequest(account="1001", reason="x"), "the lockout", "`riskctl lockouts`"),
    (UnlockRequest(account="1001", reason="x"), "the unlock", "`riskctl lockouts`"),
    (RulesOverrideRequest(reason="x"), "the override", "`riskctl rules`"),
    (RulesOverrideRequest(reason="x", account="1001", disable=True), "the disable",
     "`riskctl accounts`"),
])
def test_an_action_without_answer_is_said_as_sent_and_not_known(killed, command, action,
                                                                 shows):
    with pytest.raises(NotRunning) as said:
        riskctl(command)
    text = str(said.value)
    assert text.startswith(f"riskctl sent {action} at "), text
    assert (f"riskd gave no answer (no answer within 6 s; its supervisor is not running now "
            f"and its workers run without it: `riskctl status` lists them), so whether it "
            f"took {action} is not known: ") in text, text
    assert shows in text and "not running or not answering" not in text, text


def test_a_read_without_answer_keeps_its_words(killed):
    """A read changes nothing: "not running or not answering" is the whole truth."""
    with pytest.raises(NotRunning) as said:
        riskctl(HistoryRequest())
    assert str(said.value).startswith("riskd is not running or not answering"), said.value


class Waits:
    """Records what riskctl waits for an action's answer, answers as risk does."""
    json = False
    config_path = "/nonexistent/riskd.toml"

    def __init__(self):
        self.waited = []

    def request(self, msg, timeout=None, **_kw):
        self.waited.append(timeout)
        return ok(SimpleNamespace(lockouts=[]), reason="no lockout matched")


def test_lockout_and_unlock_wait_longer_than_the_supervisor_waits_for_risk(monkeypatch):
    """riskctl gave up on a lockout or an unlock after its default 1.2 s while the supervisor
    waits 3 s for risk: a busy risk's lockout was said by riskctl, not with the supervisor's
    own words for a timeout (services/supervisor/untold.py)."""
    from cli.commands import lockout, unlock
    from services.supervisor.commands import base
    risk_wait = inspect.signature(base.to_risk).parameters["timeout"].default
    ctx = Waits()
    unlock.run(SimpleNamespace(account="1001", reason="x", symbol=None, rule=None), ctx)
    with pytest.raises(Exception):        # riskd's (stood-in) answer lists no lockout
        lockout.run(SimpleNamespace(account="1001", until=None, session=True, reason="",
                                    admin=False), ctx)
    assert len(ctx.waited) == 2 and all(w > risk_wait for w in ctx.waited), ctx.waited


def test_disable_now_followed_when_the_supervisor_goes_says_saved_and_armed():
    """`accounts disable ACCOUNT --now` saved the edit and armed it, then riskd's supervisor
    went away while riskctl read whether risk took it: said as saved and armed, its outcome
    not read (as flatten's, trial23b finding 2), never only "cannot reach"."""
    from cli.commands import accounts

    class Gone:
        def request(self, *_a, **_kw):
            raise NotRunning("riskd's supervisor is not running (...): ... riskctl's commands "
                             "cannot reach them", "riskd's supervisor is not running")
    with pytest.raises(NotRunning) as said:
        accounts.disable_follow_up(Gone(), SimpleNamespace(account="1002", now=True))
    text = str(said.value)
    assert text.startswith("the disable of 1002 was saved and armed to apply at once; only "
                           "whether risk took it could not be read, as riskd stopped "
                           "answering (riskd's supervisor is not running)"), text
    assert "`riskctl accounts` shows whether risk still guards it once riskd runs again" in text
