"""Roles against a real riskd: what a trader may do freely, what needs a login, and the audit trail.

The config carries bcrypt hashes made at cost 4 (the config accepts any cost; 12 is only
what `riskctl passwd` writes), so a test login takes milliseconds.
"""
from __future__ import annotations

import getpass
import json
import os
import signal
import stat
import time

import pytest

from shared.messages.control import StopWorker
from shared.config.access import hash_password
from tests.support.auth import audit_lines, audited
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

ADMIN_PW, OPS_PW = "correct horse", "battery staple"


def config_with_passwords(tmp_path, workers=("logging",), session_minutes=15):
    return make_config(tmp_path, workers=list(workers),
                       admin={"password_hash": hash_password(ADMIN_PW, cost=4),
                              "session_minutes": session_minutes},
                       ops={"password_hash": hash_password(OPS_PW, cost=4)})


@pytest.fixture
def riskctl(procs, tmp_path, monkeypatch):
    """riskctl with its session cache in the test's own folder."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def run(config, *args, password=None):
        return procs.riskctl(config, *args, input=None if password is None else password + "\n")
    return run


def test_trader_commands_need_nothing_and_ops_commands_need_a_session(procs, tmp_path, riskctl):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    assert riskctl(config, "workers").returncode == 0
    refused = riskctl(config, "restart", "logging")
    assert refused.returncode == 3, refused.stderr
    assert "needs an ops session: run riskctl login --role ops" in refused.stderr
    stop = riskctl(config, "stop", "logging")
    assert stop.returncode == 3 and "needs an admin session" in stop.stderr

    login = riskctl(config, "login", "--role", "ops", "--password-stdin", password=OPS_PW)
    assert login.returncode == 0, login.stderr
    assert "logged in as ops" in login.stdout
    files = os.listdir(tmp_path / "sessions")
    assert len(files) == 1
    cached = tmp_path / "sessions" / files[0]
    assert stat.S_IMODE(os.stat(cached).st_mode) == 0o600
    token = json.loads(cached.read_text())["token"]
    assert token not in login.stdout + login.stderr

    assert riskctl(config, "restart", "logging").returncode == 0       # ops may restart
    stop = riskctl(config, "stop", "logging")                           # but not stop
    assert stop.returncode == 3 and "needs an admin session" in stop.stderr

    out = riskctl(config, "logout")
    assert out.returncode == 0 and "logged out (ops)" in out.stdout
    assert os.listdir(tmp_path / "sessions") == []
    assert riskctl(config, "restart", "logging").returncode == 3

    # the ops login, the restart and the refusals reached the audit trail, without the token
    wait_for(lambda: audited(config, "login", "ok")
             and audited(config, '"action": "restart"', "ok"),
             10, what="login and restart in audit.log")
    # the ops session's refused stop names the role and the OS user, not "local user"
    refused_stop = audited(config, '"action": "stop"', "refused")
    assert [r["who"] for r in refused_stop] == ["no session", f"ops:{getpass.getuser()}"], \
        refused_stop
    assert not any(token in json.dumps(r) for r in audit_lines(config))
    assert not any(OPS_PW in json.dumps(r) for r in audit_lines(config))
    verify = riskctl(config, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_wrong_password_is_refused_and_audited_and_five_lock_logins(procs, tmp_path, riskctl):
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    for n in range(4):
        bad = riskctl(config, "login", "--role", "admin", "--password-stdin", password=f"no{n}")
        assert bad.returncode == 3 and "wrong admin password" in bad.stderr
    fifth = riskctl(config, "login", "--role", "admin", "--password-stdin", password="no4")
    assert fifth.returncode == 3 and "logins locked for 5 minutes" in fifth.stderr
    # now even the right password is refused, without being checked
    locked = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert locked.returncode == 3 and "logins are locked for" in locked.stderr
    wait_for(lambda: len(audited(config, "login", "wrong admin password")) == 5
             and audited(config, "login", "logins locked for"), 10,
             what="5 refused logins and the locked attempt in audit.log")
    assert not any("no0" in json.dumps(r) or "$2b$" in json.dumps(r)
                   for r in audit_lines(config))


def test_a_session_expires_and_then_the_command_is_refused(procs, tmp_path, riskctl):
    config = config_with_passwords(tmp_path, session_minutes=0.05)       # 3 s
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr
    started = time.monotonic()
    assert riskctl(config, "restart", "logging").returncode == 0       # admin covers ops
    wait_for(lambda: time.monotonic() - started > 3.5, 10, what="the session's 3 s to pass")
    late = riskctl(config, "restart", "logging")
    assert late.returncode == 3
    assert "needs an ops session" in late.stderr


def test_with_no_ops_password_an_expired_session_points_to_the_admin_login(procs, tmp_path,
                                                                          riskctl):
    """Second trial, finding 4: "session expired ... run riskctl login --role ops" when no ops
    password is set (that login can only fail); and finding 5: the login answer showed the
    first characters of the token."""
    config = make_config(tmp_path, workers=["logging"],
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4),
                                "session_minutes": 0.05})                      # 3 s; no ops
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr
    token = json.loads((tmp_path / "sessions" / os.listdir(tmp_path / "sessions")[0])
                       .read_text())["token"]
    assert login.stdout.startswith("logged in as admin until "), login.stdout
    assert "session" not in login.stdout and token[:4] not in login.stdout, login.stdout
    started = time.monotonic()
    wait_for(lambda: time.monotonic() - started > 3.5, 10, what="the session's 3 s to pass")
    late = riskctl(config, "restart", "logging")
    assert late.returncode == 3, late.stderr
    assert "session expired at" in late.stderr and "needs an ops session" in late.stderr
    assert "run riskctl login --role admin (no ops password is set" in late.stderr, late.stderr
    assert "--role ops" not in late.stderr
    never = riskctl(config, "restart", "logging")              # no session at all now
    assert never.returncode == 3, never.stderr
    assert "run riskctl login --role admin" in never.stderr and "--role ops" not in never.stderr
    wait_for(lambda: audited(config, "login", "ok"), 10, what="the login in audit.log")
    assert not any(f"{token[:4]}..." in json.dumps(r) for r in audit_lines(config))


def test_no_password_configured_says_how_to_set_one(procs, tmp_path, riskctl):
    """Trial finding 15: the advice must work while riskd runs (it said `passwd --offline`,
    which refuses while riskd runs). Follow it to the letter: stop riskd without riskctl
    (SIGINT, as Ctrl-C in `make run`), set the password offline, start riskd, log in."""
    config = make_config(tmp_path, workers=[])
    riskd = procs.riskd(config)
    out = riskctl(config, "login", "--role", "admin", "--password-stdin", password="x")
    assert out.returncode == 3
    assert "no admin password is set" in out.stderr
    assert "stop riskd (Ctrl-C in the terminal where `make run` runs" in out.stderr
    assert "`riskctl shutdown` needs an admin session" in out.stderr
    assert "run `riskctl passwd admin --offline`, then start riskd again" in out.stderr
    # user trial finding 3: without --password-stdin riskctl asked "admin password:" for a
    # password that does not exist, then crashed on end of input; it asks riskd first now
    asked = riskctl(config, "login", "--role", "admin")          # stdin: /dev/null
    assert asked.returncode == 3, asked.stderr
    assert "no admin password is set" in asked.stderr and "riskctl passwd admin --offline" \
        in asked.stderr
    assert "password:" not in asked.stderr and "Traceback" not in asked.stderr, asked.stderr
    # the offline edit, tried while riskd runs, gives the same way out (not "log in")
    early = riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                    password=ADMIN_PW)
    assert early.returncode == 3, early.stderr
    assert "No admin password is set" in early.stderr and "Ctrl-C" in early.stderr
    assert "Log in" not in early.stderr
    riskd.signal(signal.SIGINT)
    assert riskd.wait(20) is not None
    done = riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                   password=ADMIN_PW)
    assert done.returncode == 0, done.stderr
    procs.riskd(config)
    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr


def test_no_ops_password_says_an_admin_sets_it(procs, tmp_path, riskctl):
    config = make_config(tmp_path, workers=[],
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)})
    procs.riskd(config)
    out = riskctl(config, "login", "--role", "ops", "--password-stdin", password="x")
    assert out.returncode == 3
    assert "no ops password is set: an admin sets it while riskd runs" in out.stderr
    assert "riskctl passwd ops" in out.stderr and "--offline" not in out.stderr


def test_an_admin_unlock_lands_in_the_audit_trail_and_the_chain_verifies(procs, tmp_path,
                                                                        riskctl):
    config = make_config(tmp_path, workers=["simbroker", "logging", "market", "risk"],
                         broker={"sim": {"tick_interval": 0}},
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)})
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "logging", "market", "risk"])
    # the trader locks themselves out: no password, it only adds protection
    wait_for(lambda: riskctl(config, "lockout", "SIM-DEMO-1", "--session",
                             "--reason", "tilted").returncode == 0, 20,
             what="risk to know the account and take the self-lockout")
    refused = riskctl(config, "unlock", "SIM-DEMO-1", "--reason", "calm again")
    assert refused.returncode == 3 and "needs an admin session" in refused.stderr
    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr
    unlock = riskctl(config, "unlock", "SIM-DEMO-1", "--reason", "calm again")
    assert unlock.returncode == 0, unlock.stdout + unlock.stderr
    wait_for(lambda: audited(config, '"action": "unlock"', "ok"), 10,
             what="the unlock in audit.log")
    record = audited(config, '"action": "unlock"', "ok")[-1]
    assert record["who"] == f"admin:{getpass.getuser()}"
    # the self-lockout had no session: its line names the user riskctl named, marked so
    # (fresh-user trial: it read "no session")
    locked = audited(config, '"action": "lockout"', "ok")[-1]
    assert locked["who"] == f"trader:{getpass.getuser()} (no session)", locked
    # with the admin session now cached riskctl sends it along: the self-lockout is still the
    # trader's own act, not the admin's (trial: it read "admin:root")
    again = riskctl(config, "lockout", "SIM-DEMO-1", "--session", "--reason", "tilted again")
    assert again.returncode == 0, again.stdout + again.stderr
    wait_for(lambda: len(audited(config, '"action": "lockout"', "ok")) >= 2, 10,
             what="the second self-lockout in audit.log")
    locked = audited(config, '"action": "lockout"', "ok")[-1]
    assert locked["who"] == f"trader:{getpass.getuser()}", locked
    verify = riskctl(config, "audit", "verify")
    assert verify.returncode == 0 and "audit chain ok" in verify.stdout, verify.stdout


def test_at_a_terminal_riskctl_asks_for_the_password_once_without_echo(procs, tmp_path):
    from tests.integration.test_watch import Tmux, riskctl_command
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    tmux = Tmux(riskctl_command(config, "restart", "logging",
                                RISKD_SESSION_DIR=str(tmp_path / "sessions")), 100, 20)
    try:
        tmux.wait_screen(r"needs an ops session[\s\S]*ops password:", 15, "the password prompt")
        tmux.keys(OPS_PW, "Enter")
        done = tmux.wait_screen(r"riskctl-exit=\d+", 30, "the restart to finish")
        assert "riskctl-exit=0" in done and "logging is up" in done
        assert OPS_PW not in done                                 # typed without echo
        assert len(os.listdir(tmp_path / "sessions")) == 1        # cached for the next command
    finally:
        tmux.close()


def test_stopping_a_guard_while_a_position_is_open_asks_first(procs, tmp_path, riskctl):
    workers = ["simbroker", "market"]
    config = make_config(tmp_path, workers=workers, broker={"sim": {"tick_interval": 0}},
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)})
    procs.riskd(config)
    procs.wait_running(config, workers)
    assert riskctl(config, "login", "--role", "admin", "--password-stdin",
                   password=ADMIN_PW).returncode == 0
    bought = riskctl(config, "sim", "buy", "MNQ", "1", "--account", "SIM-DEMO-1")
    assert bought.returncode == 0, bought.stderr
    wait_for(lambda: "MNQ" in riskctl(config, "positions").stdout, 20,
             what="market to see the open position")
    asked = riskctl(config, "stop", "market")                     # no terminal: refuse
    assert asked.returncode == 1
    assert "it would leave unguarded: SIM-DEMO-1 (id 1001) holds MNQ long 1" in asked.stderr
    assert "--yes" in asked.stderr
    # a working order is left behind too: the question counts both (trial finding 21)
    placed = riskctl(config, "sim", "buy", "MNQ", "1", "--limit", "1000",
                     "--account", "SIM-DEMO-1")
    assert placed.returncode == 0, placed.stderr
    wait_for(lambda: "1000" in riskctl(config, "orders").stdout, 20,
             what="market to see the working order")
    for command in ("stop", "shutdown"):
        args = ("stop", "market") if command == "stop" else ("shutdown",)
        asked = riskctl(config, *args)
        assert asked.returncode == 1, asked.stdout + asked.stderr
        assert ("it would leave unguarded: SIM-DEMO-1 (id 1001) holds MNQ long 1 and 1 working order"
                in asked.stderr), asked.stderr
    assert procs.workers(config)["market"].state == "running"
    # the supervisor itself holds the line: a raw request without `confirmed` is refused too
    token = json.loads(next((tmp_path / "sessions").iterdir()).read_text())["token"]
    raw = Procs.control_call(config, StopWorker(name="market"), session=token)
    assert raw.code == "confirm_needed" and "would leave unguarded" in raw.reason
    assert procs.workers(config)["market"].state == "running"
    stopped = riskctl(config, "stop", "market", "--yes")
    assert stopped.returncode == 0, stopped.stderr
    assert procs.workers(config)["market"].state == "stopped"


def test_a_password_change_says_which_sessions_it_ended_and_the_next_command_says_why(
        procs, tmp_path, riskctl):
    """Trial finding 1: after `passwd admin` the next command said "your session is no longer
    valid (riskd restarted or it was ended)": neither guess was true. passwd now names the
    sessions it ended and the refusal says why and when; and `login --role ops` says that it
    replaces the cached admin session (the next `stop` was refused "you have an ops session")."""
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    assert riskctl(config, "login", "--role", "admin", "--password-stdin",
                   password=ADMIN_PW).returncode == 0
    changed = riskctl(config, "passwd", "admin", "--password-stdin", password="a new secret 1")
    assert changed.returncode == 0, changed.stderr
    user = getpass.getuser()
    assert f"it ended 1 admin session ({user}): log in again with the new password" in \
        changed.stdout, changed.stdout
    after = riskctl(config, "stop", "logging")
    assert after.returncode == 3, after.stderr
    assert "your admin session ended when the admin password was changed at " in after.stderr
    assert "restarted" not in after.stderr, after.stderr
    assert riskctl(config, "login", "--role", "admin", "--password-stdin",
                   password="a new secret 1").returncode == 0
    ops = riskctl(config, "login", "--role", "ops", "--password-stdin", password=OPS_PW)
    assert ops.returncode == 0, ops.stderr
    assert "your admin session is replaced by this ops session" in ops.stdout, ops.stdout
    wait_for(lambda: audited(config, "login", "ok: ops session"), 10, what="the ops login")
    logins = [r for r in audit_lines(config) if r.get("action") == "login"]
    assert [r.get("login_as") for r in logins] == ["admin", "admin", "ops"], logins
    # the replaced admin session is ended at riskd too, not only forgotten by riskctl (trial
    # 2026-12-06: a later `passwd admin` "ended 2 admin sessions", one the login had replaced)
    again = riskctl(config, "login", "--role", "admin", "--password-stdin",
                    password="a new secret 1")
    assert "your ops session is replaced by this admin session and ended" in again.stdout, \
        again.stdout
    changed = riskctl(config, "passwd", "admin", "--password-stdin", password="a new secret 2")
    assert changed.returncode == 0, changed.stderr
    assert f"it ended 1 admin session ({user})" in changed.stdout, changed.stdout


def test_a_session_an_earlier_riskd_left_is_no_session_and_dead_ones_are_cleaned(
        procs, tmp_path, riskctl):
    """Fresh-user trial: a fresh clone's first `riskctl shutdown --reason test`, before any
    login, said "your admin session expired at Sun 02:04:11 CST" (an hour before the clone
    existed; the audit trail said "no session"): a session file of an earlier riskd at the same
    address, one of dozens left in ~/.config/riskd. Plant such files, as an earlier riskctl
    wrote them (no riskd start recorded), and run the trial's command."""
    from cli import session as session_cache
    from shared.messages.auth import LoginReply
    config = config_with_passwords(tmp_path)
    procs.riskd(config)
    control = read_control(config)
    an_hour_ago = time.time_ns() - 3600 * 10**9
    earlier = session_cache.save(control, LoginReply(
        role="admin", token="tok-earlier", user="ann", expires_ns=an_hour_ago))
    # a riskd that is gone: its session ran out two days ago (one of a riskd only stopped, or
    # restarting, stays until a day after it runs out: cli/sessionsweep.py, trial16a)
    dead = session_cache.save("tcp://127.0.0.1:9", LoginReply(      # nothing listens there
        role="admin", token="tok-dead", user="ann", expires_ns=an_hour_ago - 2 * 86400 * 10**9))
    stopped = session_cache.save("tcp://127.0.0.1:11", LoginReply(  # nor there: valid still
        role="admin", token="tok-stopped", user="ann", expires_ns=an_hour_ago + 7200 * 10**9))
    out = riskctl(config, "shutdown", "--reason", "test")
    assert out.returncode == 3, out.stdout + out.stderr
    assert "expired" not in out.stderr, out.stderr
    assert "no session: your cached admin session is not one this riskd issued (it runs " \
           "since " in out.stderr, out.stderr
    assert not os.path.exists(earlier) and not os.path.exists(dead)
    assert os.path.exists(stopped)
    wait_for(lambda: audited(config, '"action": "shutdown"', "refused"), 10,
             what="the refused shutdown in audit.log")
    assert audited(config, '"action": "shutdown"', "refused")[-1]["who"] == "no session"
    again = riskctl(config, "shutdown", "--reason", "test")
    assert again.returncode == 3 and "riskctl shutdown: this command needs an admin session: " \
        "run riskctl login --role admin" in again.stderr, again.stderr


def read_control(config):
    from cli.context import read_control_address
    return read_control_address(config)


def test_a_login_lock_outlives_a_restart_of_riskd(procs, tmp_path, riskctl):
    """Fresh-user trial: five wrong admin passwords locked admin logins for five minutes, and
    `riskctl login` succeeded right after riskd restarted (Ctrl-C in `make run`, then again)."""
    config = config_with_passwords(tmp_path)
    riskd = procs.riskd(config)
    for n in range(5):
        bad = riskctl(config, "login", "--role", "admin", "--password-stdin", password=f"no{n}")
    assert bad.returncode == 3 and "admin logins locked for 5 minutes" in bad.stderr, bad.stderr
    riskd.signal(signal.SIGINT)
    assert riskd.wait(20) is not None
    procs.riskd(config)
    locked = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert locked.returncode == 3, locked.stdout + locked.stderr
    assert "admin logins are locked for" in locked.stderr and "s more (until " in locked.stderr
