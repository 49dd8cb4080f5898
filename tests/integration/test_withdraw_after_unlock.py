"""A flatten waiting for the market is not carried out after an admin ends its lockout or stops
guarding the account (fresh-user trial 2026-12-06, main e3d24f5).

The trial's steps on a real riskd from etc/riskd.toml's rules and its two accounts (sim broker,
market, risk, enforcement, logging; the sim's tick off so no price moves a rule; passwords set:
unlock and disable are admin's): Demo 1 long MNQ 1, the sim's market closed
(`POST /sim/market {"open": false}`), `riskctl lockout 1001 --until 10m`: the flatten waits in
enforcement. Then `riskctl unlock 1001` (or `accounts disable 1001 --now`), then the market
opens. The trial saw "✅ Done on Demo 1 / flattened account Demo 1"; now the flatten is
withdrawn: no closeContract reaches the sim after the unlock, MNQ stays open, and `riskctl
history` says "withdrawn".

A lockout that ends by itself does the same: its time runs out with the flatten waiting, the
phone reads "↩️ Withdrawn ... the lockout ended at its time" and the market's opening closes
nothing. And a withdraw outlives a kill -9 of risk taken just after it was saved (the crash
point risk.withdraw_committed, shared/crashpoint.py): the supervisor's new risk sends the
withdraw from its store, not the flatten, which never runs."""
from __future__ import annotations

import time

import pytest

from shared.config.access import hash_password
from shared.messages.enforce import EnforcementStatusRequest
from tests.e2e.harness import CLOSE, MNQ, SimDesk
from tests.integration.test_notify_commands import ME, riskd_config, telegram  # noqa: F401
from tests.integration.test_phone_market_closed import long_mnq_market_closed
from tests.support.auth import ADMIN_PW, config_with_passwords, login
from tests.support.env import shipped_accounts, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "logging", "market", "risk", "enforcement"]
ACCOUNTS = shipped_accounts()       # etc/riskd.toml's, as shipped


def run(procs, config, *argv) -> str:
    return procs.riskctl_ok(config, *argv)


def flatten_waits(procs, config, monkeypatch, tmp_path) -> SimDesk:
    """Demo 1 long MNQ 1, the market closed, the trader's lockout: its flatten is refused."""
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    desk = SimDesk(config)
    desk.wait_up()
    desk.quote(MNQ)
    desk.buy(1001, MNQ, 1)
    wait_for(lambda: "MNQ" in run(procs, config, "positions"), 20,
             what="market to see Demo 1's MNQ")
    desk.sim("/sim/market", {"open": False})
    wait_for(lambda: procs.riskctl(config, "lockout", "1001", "--until", "10m", "--reason",
                                   "trial").returncode == 0, 30, interval=0.5,
             what="the trader's own lockout of 1001")
    wait_for(lambda: desk.calls(CLOSE) >= 1, 20, what="the flatten's close, refused")
    wait_for(lambda: not nothing_waits_in_enforcement(procs, config, 1001), 10,
             what="the flatten waiting in enforcement")
    login(procs, config, "admin")
    return desk


def nothing_waits_in_enforcement(procs, config, account: int) -> bool:
    """Enforcement's journal holds no command of the account that is not final (the waiting
    flatten withdrawn); False while enforcement does not answer."""
    reply = procs.control_call(config, EnforcementStatusRequest())
    return reply.ok and not [c for c in reply.body.commands
                             if c.account_id == account and c.state != "final"]


def opens_and_nothing_closes(procs, config, desk: SimDesk) -> None:
    wait_for(lambda: nothing_waits_in_enforcement(procs, config, 1001), 10,
             what="the withdraw to reach enforcement")
    closes = desk.calls(CLOSE)
    desk.sim("/sim/market", {"open": True})
    time.sleep(7.0)                       # enforcement's retries (2 s, then 4 s) and risk's
    assert desk.calls(CLOSE) == closes, "a close reached the sim after the withdraw"
    assert desk.positions(1001) == {MNQ: 1}
    history = run(procs, config, "history", "--account", "1001")
    assert "withdrawn" in history, history


@pytest.mark.timeout(90)
def test_unlock_withdraws_the_waiting_flatten(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=ACCOUNTS)
    desk = flatten_waits(procs, config, monkeypatch, tmp_path)
    out = run(procs, config, "unlock", "1001", "--reason", "trial unlock")
    assert "1 lockout ended" in out, out
    opens_and_nothing_closes(procs, config, desk)


@pytest.mark.timeout(90)
def test_disable_withdraws_the_waiting_flatten(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=ACCOUNTS)
    desk = flatten_waits(procs, config, monkeypatch, tmp_path)
    run(procs, config, "accounts", "disable", "1001", "--now", "--reason", "trial disable")
    opens_and_nothing_closes(procs, config, desk)


@pytest.mark.timeout(120)
def test_the_phone_reads_withdrawn_not_done(procs, tmp_path, monkeypatch, telegram):  # noqa: F811
    """The trial's phone: "⏳ Waiting", then after the unlock one "↩️ Withdrawn" line, never
    "✅ Done on Demo 1" (tests/integration/test_phone_market_closed.py's riskd and phone)."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = riskd_config(tmp_path, telegram, sections={
        "admin": {"password_hash": hash_password(ADMIN_PW, cost=4)}})
    desk = long_mnq_market_closed(procs, config)
    try:
        run(procs, config, "lockout", "1001", "--until", "10m", "--reason", "trial")
        telegram.wait_sent(lambda c: c.text.startswith("⏳ Waiting"), 20, chat=ME,
                           what="the waiting alert")
        login(procs, config, "admin")
        run(procs, config, "unlock", "1001", "--reason", "trial unlock")
        back = telegram.wait_sent(lambda c: c.text.startswith("↩️ Withdrawn on Demo 1"), 20,
                                  chat=ME, what="the withdrawn alert")
        assert "flatten (MNQ long 1) was not carried out: the lockout ended (admin:" \
            in back.text, back.text
    finally:
        desk.sim("/sim/market", {"open": True})
    withdrawn_once_nothing_done(desk, telegram)


@pytest.mark.timeout(120)
def test_a_withdraw_outlives_a_kill_of_risk(procs, tmp_path, monkeypatch):
    """risk is killed (os._exit, as kill -9) right after it saved the unlock's withdraw and
    before it published it; the supervisor starts it again (backoff 0.2 s instead of 1 s: the
    test's time; everything else as shipped)."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}}, accounts=ACCOUNTS,
                                   supervisor={"workers": WORKERS, "backoff_initial": 0.2})
    desk = flatten_waits(procs, config, monkeypatch, tmp_path)
    procs.arm("risk.withdraw_committed")
    procs.riskctl(config, "unlock", "1001", "--reason", "trial unlock", timeout=30)
    wait_for(lambda: procs.fired("risk.withdraw_committed"), 10, what="risk's kill")
    wait_for(lambda: "withdrawn" in procs.riskctl(config, "history", "--account",
                                                  "1001").stdout, 40, interval=0.5,
             what="the restarted risk's withdraw answered by enforcement")
    opens_and_nothing_closes(procs, config, desk)


@pytest.mark.timeout(120)
def test_the_lockouts_time_ends_it_and_the_phone_reads_withdrawn(
        procs, tmp_path, telegram):  # noqa: F811
    """The trader's 10 s lockout ends by itself with its flatten waiting for the market: one
    "↩️ Withdrawn" naming its time (not an admin), no "✅ Done" once the market opens."""
    config = riskd_config(tmp_path, telegram)
    desk = long_mnq_market_closed(procs, config)
    try:
        run(procs, config, "lockout", "1001", "--until", "10s", "--reason", "trial")
        telegram.wait_sent(lambda c: c.text.startswith("⏳ Waiting"), 10, chat=ME,
                           what="the waiting alert")
        back = telegram.wait_sent(lambda c: c.text.startswith("↩️ Withdrawn on Demo 1"), 40,
                                  chat=ME, what="the withdrawn alert at the lockout's end")
        assert "flatten (MNQ long 1) was not carried out: the lockout ended at its time" \
            in back.text, back.text
    finally:
        desk.sim("/sim/market", {"open": True})
    withdrawn_once_nothing_done(desk, telegram)


def withdrawn_once_nothing_done(desk, telegram) -> None:
    """5 s after the market opened: one "↩️ Withdrawn", no "✅ Done", MNQ long 1 still open."""
    time.sleep(5.0)
    texts = [c.text for c in telegram.sent(ME)]
    assert not [t for t in texts if t.startswith("✅ Done on Demo 1")], texts
    assert len([t for t in texts if t.startswith("↩️ Withdrawn")]) == 1, texts
    assert desk.positions(1001) == {MNQ: 1}
