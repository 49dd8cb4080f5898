"""riskctl lockout / lockouts / unlock / history / rules list through a real riskd running the
sim broker, market and risk: a trader locks themselves out without a password, only an admin
ends it early, and every step is in the history."""
from __future__ import annotations

import json

import pytest

from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.config.access import hash_password
from shared.messages.risk import RiskStatusRequest
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

ADMIN_PW = "correct horse"


def risk_synced(loaded) -> bool:
    with RpcClient(loaded.bus.risk_control, "risk", timeout=2, retries=2, name="test") as c:
        reply = c.call(RiskStatusRequest())
    return reply.ok and reply.body.market_synced


@pytest.fixture
def riskctl(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def run(config, *args, password=None):
        return procs.riskctl(config, *args, input=(password + "\n") if password else "")
    return run


def test_self_lockout_unlock_and_history(procs, tmp_path, riskctl):
    config = make_config(tmp_path, workers=["simbroker", "market", "risk"],
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)},
                         accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "market", "risk"], timeout=30)

    locked = wait_for(lambda: (lambda r: r if r.returncode == 0 else None)(
        riskctl(config, "lockout", "SIM-DEMO-1", "--session", "--reason", "big win, done")),
        20, what="risk to know the account and lock it")
    assert "only an admin can end it early" in locked.stdout

    listed = json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"]
    assert [(lk["account_id"], lk["kind"], lk["rule"]) for lk in listed] == [
        (1001, "until_reset", "self_lockout")]
    assert listed[0]["by"] == "trader"

    refused = riskctl(config, "unlock", "1001", "--reason", "changed my mind")
    assert refused.returncode != 0 and "admin" in refused.stderr
    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr
    # one rule's lockout only: a rule that holds none is refused, naming the ones that do
    other = riskctl(config, "unlock", "1001", "--rule", "daily_net_loss", "--reason", "x")
    assert other.returncode == 1, (other.stdout, other.stderr)
    assert "is held by daily_net_loss to end; its lockouts: " in other.stderr, other.stderr
    assert "--rule self_lockout --reason TEXT` ends self_lockout's only" in other.stderr
    unlocked = riskctl(config, "unlock", "1001", "--rule", "self_lockout", "--reason",
                       "trader asked, checked")
    assert unlocked.returncode == 0, unlocked.stderr
    assert json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"] == []

    history = json.loads(riskctl(config, "history", "--account", "1001", "--json").stdout)
    assert [d["rule"] for d in history["decisions"]] == ["self_lockout"]
    assert [c["change"] for c in history["lockouts"]] == ["added", "cleared"]
    assert history["lockouts"][0]["by"] == "trader"
    assert history["lockouts"][1]["by"].startswith("admin:")
    assert history["lockouts"][1]["reason"] == "trader asked, checked"

    # trial finding 19: an unknown account is the same clear error everywhere, exit 1
    for command in (("positions", "--account", "9999"), ("orders", "--account", "9999"),
                    ("history", "--account", "9999"), ("lockout", "9999", "--session")):
        unknown = riskctl(config, *command)
        assert unknown.returncode == 1, (command, unknown.stdout, unknown.stderr)
        assert "does not know account '9999'" in unknown.stderr, (command, unknown.stderr)
        assert "no open positions" not in unknown.stdout
    assert riskctl(config, "positions", "--account", "1001").returncode == 0

    rules = riskctl(config, "rules", "list", "1001")
    assert rules.returncode == 0, rules.stderr
    assert "daily_realized_loss" in rules.stdout and "0 / -500" in rules.stdout


def test_a_shorter_self_lockout_says_the_longer_one_stays_and_a_time_without_offset_is_refused(
        procs, tmp_path, riskctl):
    """Second trial, findings 2 and 3: `--until 2026-12-05T01:00:00` was read as UTC without a
    word, and a lockout shorter than one in force answered "locked" as if it took effect."""
    config = make_config(tmp_path, workers=["simbroker", "market", "risk"],
                         accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "market", "risk"], timeout=30)

    naive = riskctl(config, "lockout", "SIM-DEMO-1", "--until", "2026-12-05T01:00:00")
    assert naive.returncode == 1, naive.stdout + naive.stderr
    assert "2026-12-05T01:00:00 has no UTC offset" in naive.stderr
    assert "2026-12-05T01:00:00-06:00 (America/Chicago)" in naive.stderr     # an example
    assert riskctl(config, "lockouts", "--json").stdout.count('"kind"') == 0   # nothing locked

    # risk has market's complete snapshot (flat, no order); the flatten is sent all the same
    # (risk's book can miss a fill market has not delivered: services/risk/acting.py self_lock)
    loaded = load_config(config).config
    wait_for(lambda: risk_synced(loaded), 20, what="risk to have market's complete snapshot")
    long = wait_for(lambda: (lambda r: r if r.returncode == 0 else None)(
        riskctl(config, "lockout", "SIM-DEMO-1", "--until", "4h")),
        20, what="risk to know the account and lock it")
    assert long.stdout.startswith("locked until "), long.stdout
    short = riskctl(config, "lockout", "SIM-DEMO-1", "--until", "30m")
    assert short.returncode == 0, short.stderr
    first = short.stdout.splitlines()[0]
    assert first.startswith("already locked: the account stays locked until "), short.stdout
    assert "by trader (self-lockout)" in first and "a lockout is never shortened" in first
    # the first flatten (risk's book: nothing open) is sent; the second lockout, shorter than
    # the 4 h in force, changes nothing and says so; its flatten is the first one's, still on
    # its way (no enforcement runs here)
    assert "flatten" in long.stdout.splitlines()[0] and "close 0 positions, cancel 0 orders" \
        in long.stdout.splitlines()[0], long.stdout
    assert "Nothing changed and nothing was done (flatten not sent: already in flight" in first \
        and first.endswith("history keeps the request."), first
    assert short.stdout.splitlines()[1].startswith("you asked until ")
    [lock] = json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"]
    history = json.loads(riskctl(config, "history", "--account", "1001", "--json").stdout)
    assert [(d["rule"], d["action"]) for d in history["decisions"]] == [
        ("self_lockout", "flatten"), ("self_lockout", "flatten")]
    assert history["decisions"][1]["suppressed"] and history["decisions"][1]["lock"] is None
    assert lock["until_ns"] == history["decisions"][0]["lock"]["until_ns"]   # the 4 h stays
