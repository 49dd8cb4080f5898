"""A worker takes a gated request (unlock, rules override, lockout, flatten, stop) only with the
control key its supervisor made; reads stay open; the key is never shown (shared/controlkey.py)."""
from __future__ import annotations

import logging
import os
import stat
import sys

import pytest

from shared import codec, controlkey
from shared.messages.enforce import EnforcementStatusRequest, FlattenRequest
from shared.messages.risk import (LockoutsRequest, RulesOverrideRequest, SelfLockRequest,
                                  UnlockRequest)
from shared.messages.system import Keyed, Ping, Stop, ok
from shared.worker import Worker

KEY = "k" * 64
GATED = [UnlockRequest(account="1001", reason="r"), RulesOverrideRequest(reason="r"),
         SelfLockRequest(account="1001"), FlattenRequest(all=True, reason="r"),
         Stop(reason="r")]


class Fake(Worker):
    name = "fake"

    def __init__(self):     # only what _dispatch needs
        self._handlers = {type(r): (lambda req: ok(reason="done")) for r in GATED}
        self._handlers[LockoutsRequest] = lambda req: ok(reason="read")
        self.control_key = KEY


@pytest.mark.parametrize("request_", GATED, ids=lambda r: type(r).__name__)
def test_a_gated_request_runs_only_with_the_key(request_, caplog):
    w = Fake()
    with caplog.at_level(logging.WARNING):
        bare = w._dispatch(request_)
        wrong = w._dispatch(Keyed(request=request_, key="x" * 64))
    assert (bare.code, wrong.code) == (controlkey.REFUSED, controlkey.REFUSED)
    said = controlkey.GATED[type(request_).__name__][0]
    assert bare.reason.startswith(f"{said} refused: riskd takes {said} only through riskctl")
    assert "fake: refused" in caplog.text
    assert w._dispatch(controlkey.keyed(KEY, request_)).reason == "done"
    w.control_key = ""                    # a worker with no key refuses even an empty one
    assert w._dispatch(Keyed(request=request_, key="")).code == controlkey.REFUSED
    assert KEY not in caplog.text + bare.reason + wrong.reason


def test_reads_stay_open_and_are_sent_as_they_are():
    assert Fake()._dispatch(LockoutsRequest()).reason == "read"
    for read in (LockoutsRequest(), EnforcementStatusRequest(), Ping()):
        assert controlkey.keyed(KEY, read) is read


def test_the_key_is_not_shown_by_the_message():
    msg = Keyed(request=Stop(), key=KEY)
    assert KEY not in repr(msg) and KEY not in str(msg)
    assert codec.decode(codec.encode(msg)).msg == msg         # it crosses the socket


def test_a_fresh_key_at_each_create_owner_only(tmp_path, monkeypatch):
    run = str(tmp_path / "run")
    first = controlkey.create(run)
    assert controlkey.read(run) == first and len(first) == 64
    second = controlkey.create(run)
    assert second != first and controlkey.read(run) == second
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(controlkey.path_of(run)).st_mode) == 0o600
    monkeypatch.setenv(controlkey.ENV, "from-the-supervisor")
    assert controlkey.for_worker(run) == "from-the-supervisor"
    assert controlkey.ENV not in os.environ          # not passed on to what a worker starts
    assert controlkey.for_worker(run) == second      # started by hand: the file's
    controlkey.remove(run)
    assert controlkey.read(run) == "" and controlkey.for_worker(run) == ""
