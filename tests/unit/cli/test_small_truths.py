"""Small truths riskctl tells (issue 17 item 11), on pure renderers with fixed times."""
from __future__ import annotations

import time

import attrs

from cli.commands._risk_view import lockout_rows
from cli.commands.history import fmt_time, rows
from shared.messages.risk import Decision, HistoryReply, LockoutChange, LockoutState, LockSpec

NOW = time.time_ns()


def lock(symbol=None):
    """A cooldown ending 9m05s from now (now: when the test runs, not when it was imported)."""
    now = time.time_ns()
    return LockoutState(id="L7", account_id=1001, kind="timer", rule="cooldown_after_loss",
                        since_ns=now - 60 * 10**9, until_ns=now + 545 * 10**9, symbol=symbol,
                        reason="lost 150")


def test_history_shows_no_time_left_beside_a_lockout_already_cleared():
    body = HistoryReply(lockouts=[LockoutChange(change="added", ts_ns=NOW - 60 * 10**9,
                                                lockout=lock()),
                                  LockoutChange(change="cleared", ts_ns=NOW, by="admin",
                                                lockout=lock())])
    notes = [r[-1] for r in rows(body)]
    assert len(notes) == 2 and not any("(in " in n for n in notes), notes


def test_a_lockout_still_running_counts_no_time_from_when_history_is_read():
    """trial23c F6: "(in 50s)" on a line of history was counted from when history was read,
    not from its event: the line says the end it had then, its time alone."""
    body = HistoryReply(lockouts=[LockoutChange(change="added", ts_ns=NOW, lockout=lock())])
    note = rows(body)[0][-1]
    assert "(in " not in note and note.startswith("timer "), note


def test_unlock_lists_what_it_ended_under_ended_with_tickers(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")          # a table (narrower: a block a lockout)
    text = lockout_rows([lock(symbol="CON.F.US.MNQ.Z26")], ended=True)
    header = text.splitlines()[0]
    assert "ENDED" in header and "UNTIL" not in header
    assert "MNQ" in text and "CON.F" not in text and "(in " not in text


def test_unlock_says_it_cleared_the_lockout_and_the_end_it_had():
    """Fresh-user trial 2026-12-06: `riskctl unlock`'s table said "ENDED now" for the lockout
    it had just ended, which read as one that had run its time."""
    import datetime as dt
    from shared.messages.risk import UNTIL_RESET
    from tests.unit.cli.screens import CHICAGO
    now = time.time_ns()
    timer = attrs.evolve(lock(), until_ns=now + 600 * 10**9)
    roll = attrs.evolve(lock(), kind=UNTIL_RESET, rule="daily_net_loss", until_ns=None)
    text = lockout_rows([timer, roll], ended=True, by="admin:root", tz=CHICAGO, now_ns=now)
    from shared import showtime
    # an end is shown in whole seconds, rounded up (showtime.up_to_second): .6 s before a
    # minute's end reads as the next minute (latekill19 saw 00:56 for an end at 00:55:59.x)
    end = dt.datetime.fromtimestamp(showtime.up_to_second(now + 600 * 10**9) / 1e9, CHICAGO)
    assert " now " not in text, text
    assert "cleared by your unlock (admin:root); it was until " in text, text
    assert f"{end:%H:%M}" in text and "(in " not in text, text
    assert "cleared by your unlock (admin:root); it was until the roll" in text, text


def test_unlock_s_table_fits_an_80_column_terminal(monkeypatch):
    """Its words are longer than "now" was: a row wider than the terminal is a block."""
    monkeypatch.setenv("COLUMNS", "80")
    text = lockout_rows([lock(symbol="CON.F.US.MNQ.Z26")], ended=True, by="admin:root")
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "  ended:  cleared by your unlock (admin:root); it was until " in text, text


def riskctl(config, *args):
    import subprocess
    import sys
    from tests.support.env import REPO, test_env
    return subprocess.run([sys.executable, "-m", "cli.main", "--config", str(config), *args],
                          cwd=REPO, env=test_env(), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def test_rules_list_json_gives_typed_values_not_toml_text(tmp_path):
    from tests.support.env import make_config
    config = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    out = riskctl(config, "rules", "list", "--offline", "--json")
    assert out.returncode == 0, out.stderr
    import json
    rules = {r["rule"]: r["params"] for r in json.loads(out.stdout)["rules"]}
    assert rules["max_contracts"]["limit"] == 5                 # a number, not "5"
    assert isinstance(rules["symbol_blocks"]["symbols"], list)
    assert rules["daily_unrealized_loss"]["scope"] == "position"   # not '"position"'


def test_riskd_not_running_is_said_at_once(tmp_path):
    from tests.support.env import make_config
    config = make_config(tmp_path)
    started = time.monotonic()
    out = riskctl(config, "status")
    assert out.returncode == 1
    assert out.stderr.startswith("riskctl status: riskd is not running: nothing listens on its "
                                 "control socket tcp://127.0.0.1:")
    assert time.monotonic() - started < 10          # generous: the budget is `make bench`'s


def test_history_names_tickers_where_a_person_reads_it(capsys, monkeypatch):
    """Issue 17 item 9: MNQ, never CON.F.US.MNQ.Z26, wherever a person reads it."""
    monkeypatch.setenv("COLUMNS", "200")        # one line a row (narrower: blocks, wrapped)
    from types import SimpleNamespace
    from cli.commands import history
    from shared.messages.risk import Decision
    body = HistoryReply(decisions=[Decision(
        id="d1", ts_ns=time.time_ns(), rule="max_contracts", account_id=1001,
        action="reduce_position", contract_id="CON.F.US.MNQ.Z26",
        reason="9 open on CON.F.US.MNQ.Z26")])

    class Ctx:
        json = False
        config_path = "no-such-riskd.toml"      # the display zone's default

        def request(self, _msg, **_kw):
            return SimpleNamespace(ok=True, body=body)

        def call(self, _msg, **_kw):
            from shared.messages.system import error
            return error("unreachable", "enforcement is stopped")    # enforcement cannot say
    history.run(SimpleNamespace(account="", since=None, limit=10), Ctx())
    out = capsys.readouterr().out
    assert "reduce_position MNQ" in out and "9 open on MNQ" in out and "CON.F" not in out


def test_each_line_of_an_extended_lockout_says_the_end_it_had_then():
    """Trial (screens round 2, finding 1): the line of a lockout since extended still said
    "(in 12m)" as if that earlier end were in force. trial23c F6: the superseded line then said
    "extended to" the later end, as if the extension came at its event. Each line says the
    end it had at its event, the extension on its own line, and no line counts down."""
    now = time.time_ns()
    first = LockoutState(id="L9", account_id=1001, kind="timer", rule="self_lockout",
                         since_ns=now - 300 * 10**9, until_ns=now + 720 * 10**9)
    longer = attrs.evolve(first, until_ns=now + 1020 * 10**9)
    added = LockoutChange(change="added", ts_ns=now - 300 * 10**9, lockout=first)
    extended = LockoutChange(change="extended", ts_ns=now - 60 * 10**9, lockout=longer)
    decision = Decision(id="d1", ts_ns=now - 300 * 10**9, rule="self_lockout",
                        account_id=1001, action="flatten",
                        lock=LockSpec(kind="timer", until_ns=first.until_ns))
    table = rows(HistoryReply(decisions=[decision], lockouts=[added, extended]))
    notes = {r[3].split(" by ")[0]: r[-1] for r in table}
    assert notes["added"] == f"self-lockout {fmt_time(first.until_ns, relative=False, end=True)}" \
        and notes["extended"] == f"self-lockout {fmt_time(longer.until_ns, relative=False, end=True)}", \
        notes
    assert "(in " not in table[0][-1] and table[0][-1].startswith("locked until ")
    assert "extended" not in table[0][-1], table
    # once it ended, no line of it has time left, and the first still says it was extended
    cleared = LockoutChange(change="cleared", ts_ns=now, by="admin", lockout=longer)
    table = rows(HistoryReply(lockouts=[added, extended, cleared]))
    assert not any("(in " in r[-1] or "extended to" in r[-1] for r in table), table
    assert all("ended early at" in r[-1] for r in table), table


def test_passwd_offline_says_riskd_is_running_before_judging_the_password(tmp_path):
    """Trial16c: `echo x | riskctl passwd admin --offline --password-stdin` with riskd running
    answered "the admin password must have at least 8 characters" (exit 1); the running riskd,
    which refuses any offline edit, came up only on the next try. riskd's own instance lock on
    the data dir is held here, as a running riskd holds it."""
    import subprocess
    import sys
    from shared.config import load_config
    from shared.instancelock import InstanceLock
    from tests.support.env import REPO, make_config, test_env
    config = make_config(tmp_path)
    lock = InstanceLock(load_config(config).data_dir).acquire()
    try:
        out = subprocess.run([sys.executable, "-m", "cli.main", "--config", str(config),
                              "passwd", "admin", "--offline", "--password-stdin"], cwd=REPO,
                             env=test_env(), capture_output=True, text=True, timeout=30,
                             input="x\n")
    finally:
        lock.release()
    assert out.returncode == 3, out.stdout + out.stderr
    assert out.stderr.startswith("riskctl passwd: riskd is running (pid "), out.stderr
    assert "8 characters" not in out.stderr


def test_unlock_of_a_listed_symbols_lock_says_cleared_but_still_listed(monkeypatch):
    """Trial22a F5: the row of CL's symbol_blocks lock read "cleared by your unlock (admin:root);
    it was while CL is listed in symbol_blocks (an admin's unlock does not free it: ...)",
    cleared and not freed in one breath."""
    monkeypatch.setenv("COLUMNS", "250")
    listed = LockoutState(id="L8", account_id=1002, kind="manual", rule="symbol_blocks",
                          since_ns=NOW, until_ns=None, symbol="CL", clears_on="symbol_blocks",
                          reason="CL is listed in symbol_blocks")
    text = lockout_rows([listed], ended=True, by="admin:root")
    assert ("cleared by your unlock (admin:root), but CL is still listed in symbol_blocks: "
            "CL's next trade is closed and CL locked again") in text, text
    assert "does not free it" not in text and "it was while" not in text, text
