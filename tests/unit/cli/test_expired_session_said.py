"""A session that ran out is named as expired by every later command that needs one, not only
by the first command riskctl ran after it ran out. Fresh-user trial: after the admin session
ran out (and other commands ran), `riskctl unlock 1002 --reason x` said only "this command
needs an admin session: run riskctl login --role admin"; docs/operations.md promises "your
admin session expired at 18:56 CST". riskctl's own Context with riskd stood in for at its
socket (a trader command answered, an admin command refused as riskd refuses it)."""
from __future__ import annotations

import time

import pytest

from cli import context
from cli import session as session_cache
from cli.errors import CliError
from shared.messages.auth import AuthNeeded, LoginReply
from shared.messages.risk import HistoryRequest, UnlockRequest
from shared.messages.system import error, ok
from tests.unit.cli.rpcstandin import StandInClient

CONTROL = "tcp://127.0.0.1:5570"


class Riskd(StandInClient):
    """The control socket: a trader command is answered, an admin one needs a session."""

    def call(self, request, timeout=None):
        assert request.session is None, "an expired session is never sent"
        if isinstance(request.command, UnlockRequest):
            return error("auth_required", "unlock needs an admin session: run riskctl login "
                         "--role admin", AuthNeeded(role="admin", login_as="admin"))
        return ok()


@pytest.fixture(autouse=True)
def riskd(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    monkeypatch.setattr(context, "listening", lambda address: True)
    monkeypatch.setattr(context, "RpcClient", Riskd)
    monkeypatch.setattr(session_cache, "interactive", lambda: False)


def riskctl(command):
    ctx = context.Context(config_path="/nonexistent/riskd.toml", control=CONTROL)
    return ctx.request(command)


def test_a_later_command_still_says_the_session_expired():
    session_cache.save(CONTROL, LoginReply(role="admin", token="tok-0123456789abcdef",
                                           user="ann", expires_ns=time.time_ns() - 60 * 10**9))
    riskctl(HistoryRequest())                 # a command that needs no session ran first
    with pytest.raises(CliError) as refused:
        riskctl(UnlockRequest(account="1002", reason="x"))
    assert "your admin session expired at " in str(refused.value), refused.value
    assert "needs an admin session: run riskctl login --role admin" in str(refused.value)
