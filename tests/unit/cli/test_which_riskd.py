"""cli/whichriskd.py: when the riskd that answered is another config's, and which requests it
refuses then (fresh-user trial 15a, finding 2; the whole path with real riskds is
tests/integration/test_riskctl_other_riskd.py)."""
from __future__ import annotations

import os

import pytest

from cli import whichriskd
from cli.errors import CliError
from services.supervisor.commands import REGISTRY
from shared.messages.control import StatusRequest
from shared.messages.risk import UnlockRequest
from tests.unit.cli.rpcstandin import StandInClient

CONTROL = "tcp://127.0.0.1:5570"


def write(path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_the_same_riskd_by_its_file_or_its_data_dir_or_unknown(tmp_path):
    ours = write(tmp_path / "a" / "riskd.toml", '[paths]\ndata_dir = "../var"\n')
    data = str(tmp_path / "var")
    assert whichriskd.compare(ours, CONTROL, ours, data) is None
    link = tmp_path / "link.toml"
    os.symlink(ours, link)
    assert whichriskd.compare(str(link), CONTROL, ours, "/elsewhere") is None
    copy = write(tmp_path / "copy" / "riskd.toml", f'[paths]\ndata_dir = "{data}"\n')
    assert whichriskd.compare(copy, CONTROL, ours, data) is None
    client = write(tmp_path / "client" / "riskctl.toml", '[bus]\ncontrol = "tcp://x:1"\n')
    assert whichriskd.compare(client, CONTROL, ours, data) is None   # says no data dir
    other = write(tmp_path / "b" / "riskd.toml", '[paths]\ndata_dir = "../var2"\n')
    assert whichriskd.compare(other, CONTROL, ours, "") is None      # an older riskd: unsaid
    found = whichriskd.compare(other, CONTROL, ours, data)
    assert found is not None
    assert (found.theirs_path, found.theirs_data) == (ours, data)
    assert (found.ours_path, found.ours_data) == (other, str(tmp_path / "var2"))


def test_a_read_is_warned_once_and_a_change_refused(tmp_path, capsys):
    other = whichriskd.Other(control=CONTROL, theirs_path="/a/riskd.toml", theirs_data="/a/var",
                             ours_path="/b/riskd.toml", ours_data="/b/var")
    assert whichriskd.judge(None, UnlockRequest(account="1001", reason="x"), False) is False
    assert whichriskd.judge(other, StatusRequest(), False) is True
    assert whichriskd.judge(other, StatusRequest(), True) is True
    err = capsys.readouterr().err
    assert err.count("WARNING") == 1, err
    assert "riskctl --config /a/riskd.toml ..." in err
    with pytest.raises(CliError) as refused:
        whichriskd.judge(other, UnlockRequest(account="1001", reason="x"), True)
    text = str(refused.value)
    assert text.startswith("refused, nothing was done: the riskd answering at " + CONTROL), text
    assert "`riskctl unlock` would act on that other riskd" in text, text
    assert 'docs/operations.md, "Two riskd on one machine"' in text


def test_every_command_that_changes_something_is_refused_and_only_those():
    changes = {c.name for c in REGISTRY} - whichriskd.READS
    assert changes == {
        "StartWorker", "RestartWorker", "StopWorker", "ShutdownRequest", "ConfigSet",
        "ConfigReload", "ConfigRestore", "RulesSet", "RulesEnable", "NotifyTest",
        "SelfLockRequest", "UnlockRequest", "RulesOverrideRequest", "FlattenRequest",
        "AccountAdd", "AccountEnable", "AccountSet", "AdminLockRequest"}
    assert whichriskd.READS <= {c.name for c in REGISTRY}       # no stale name


def test_a_change_after_an_unanswered_identity_question_is_still_checked(tmp_path, monkeypatch):
    """riskctl asks which riskd answers before its first request; when that question got no
    answer (a busy riskd) and the caller went on (a name lookup tolerates silence), the next
    request asks again: an unlock is never sent unchecked."""
    from cli import context
    from shared.bus.rpc import RpcTimeout
    from shared.messages.system import Ping, Pong, ok

    ours = write(tmp_path / "b" / "riskd.toml",
                 f'[bus]\ncontrol = "{CONTROL}"\n[paths]\ndata_dir = "../var2"\n')
    sent: list = []
    pings = iter((None, Pong(name="supervisor", pid=1, started_ns=1,
                             config_path="/a/riskd.toml", data_dir="/a/var")))

    class Riskd(StandInClient):
        def call(self, request, timeout=None):
            if isinstance(request.command, Ping):
                pong = next(pings)
                if pong is None:
                    raise RpcTimeout("riskd", CONTROL, 1.2)
                return ok(pong)
            sent.append(type(request.command).__name__)
            return ok()
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    monkeypatch.setattr(context, "listening", lambda address: True)
    monkeypatch.setattr(context, "RpcClient", Riskd)
    ctx = context.Context(config_path=ours)
    with pytest.raises(CliError):
        ctx.call(StatusRequest(), retries=0)          # "riskd does not answer"
    with pytest.raises(CliError) as refused:
        ctx.call(UnlockRequest(account="1001", reason="x"))
    assert str(refused.value).startswith("refused, nothing was done"), refused.value
    assert sent == []
