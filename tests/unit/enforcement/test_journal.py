"""The enforcement journal: an id is executed at most once, durably, and survives a restart."""
from __future__ import annotations

import os

import pytest

from services.enforcement.journal import FINAL, PENDING, RECEIVED, RUNNING, Journal
from shared.messages.enforce import DONE, FAILED, Command, CommandResult

NOW = 1_800_000_000_000_000_000


def cmd(cid: str = "d1.1", action: str = "flatten", **kw) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=7, action=action,
                   rule="daily_realized_loss", event_ns=NOW - 5, **kw)


def done(cid: str = "d1.1", status: str = DONE, detail: str = "flattened") -> CommandResult:
    return CommandResult(command_id=cid, account_id=7, status=status, detail=detail,
                         attempts=1, started_ns=NOW + 1, finished_ns=NOW + 2, broker_calls=4,
                         action="flatten", errors=["round 1: timed out"])


def test_a_new_command_is_journaled_once_and_a_duplicate_gets_the_stored_row(tmp_path):
    j = Journal(str(tmp_path / "j.sqlite"), NOW)
    entry, new = j.receive(cmd(), NOW)
    assert new and entry.state == RECEIVED and entry.command == cmd()
    again, new = j.receive(cmd(attempt=2), NOW + 10)
    assert not new and again.received_ns == NOW and again.command.attempt == 1


def test_a_final_result_is_what_every_later_copy_of_the_command_gets(tmp_path):
    j = Journal(str(tmp_path / "j.sqlite"), NOW)
    j.receive(cmd(), NOW)
    j.start("d1.1", NOW + 1)
    stored = j.finish(done())
    assert stored.final and stored.result().status == DONE
    later = j.finish(done(status=FAILED, detail="a second run"))        # the first one wins
    assert later.result() == stored.result()
    entry, new = j.receive(cmd(attempt=3), NOW + 99)
    assert not new and entry.result() == stored.result()
    assert entry.result().errors == ["round 1: timed out"] and entry.result().broker_calls == 4
    assert entry.result().event_ns == NOW - 5 and entry.result().rule == "daily_realized_loss"


def test_a_running_command_and_its_progress_survive_a_restart(tmp_path):
    path = str(tmp_path / "j.sqlite")
    j = Journal(path, NOW)
    j.receive(cmd("d2.1", "reduce_position", contract_id="CON.F.US.MNQ.Z26", size=2), NOW)
    j.start("d2.1", NOW + 1)
    j.save_progress("d2.1", {"target": 3, "observed": 5})
    j.receive(cmd("d3.1"), NOW)
    j.finish(done("d3.1"))
    del j                                                   # no close: like a kill -9
    again = Journal(path, NOW + 100)
    left = again.unfinished()
    assert [e.command.id for e in left] == ["d2.1"]
    assert left[0].state == RUNNING and left[0].progress == {"target": 3, "observed": 5}
    assert again.get("d3.1").state == FINAL


def test_pending_counts_attempts_and_stays_unfinished(tmp_path):
    j = Journal(str(tmp_path / "j.sqlite"), NOW)
    j.receive(cmd(), NOW)
    j.pending("d1.1", "waits for the market to open", attempts=1, calls=2)
    j.pending("d1.1", "waits for the market to open", attempts=1, calls=2)
    entry = j.get("d1.1")
    assert entry.state == PENDING and entry.attempts == 2 and entry.calls == 4
    assert entry.result().status == "accepted"
    # its result says what it waits for: risk tells the phone (services/risk/marketwait.py)
    assert entry.result().waits_for == "the market to open"
    final = j.finish(done())
    assert final.attempts == 3 and final.calls == 8
    assert final.result().waits_for == ""


def test_a_corrupt_journal_is_moved_aside_and_a_new_one_started(tmp_path):
    path = str(tmp_path / "j.sqlite")
    with open(path, "wb") as fh:
        fh.write(b"this is not a database" * 100)
    j = Journal(path, NOW)
    assert j.moved_aside and os.path.exists(j.moved_aside)
    _entry, new = j.receive(cmd(), NOW)
    assert new


def _replace_like_windows(real_replace):
    """os.replace as Windows does it: a file this process still holds open cannot be moved
    (a sharing violation). Linux would move it, so this is how the test sees a leaked handle."""
    def replace(src, dst, *args, **kwargs):
        held = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                held.add(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass
        if os.path.abspath(src) in held:
            raise PermissionError(32, "The process cannot access the file because it is being "
                                      "used by another process", src)
        return real_replace(src, dst, *args, **kwargs)
    return replace


@pytest.mark.parametrize("content", [b"this is not a database" * 100,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_corrupt_journal_is_closed_before_it_is_moved_aside(tmp_path, monkeypatch, content):
    """#18 item 12: on Windows a file still open cannot be renamed, and enforcement would
    crash-loop on its corrupt journal. Every handle on it is closed before the move."""
    path = str(tmp_path / "j.sqlite")
    with open(path, "wb") as fh:
        fh.write(content)
    monkeypatch.setattr(os, "replace", _replace_like_windows(os.replace))
    j = Journal(path, NOW)
    assert j.moved_aside and os.path.exists(j.moved_aside) and os.path.exists(path)
    _entry, new = j.receive(cmd(), NOW)
    assert new
    j.close()


def test_the_stored_journal_is_read_as_enforcement_answers_without_a_file_left(tmp_path):
    """riskctl history while riskd is stopped (trial 14a) reads enforcement's journal file
    with enforcement's own code (read_stored, entries_for): the outcome of each id asked, its
    later tries, every unfinished command; a clean journal is read without a -wal or -shm
    file left beside it, and while enforcement still has it open (its workers run), the commits
    in its -wal are read too."""
    from services.enforcement.journal import read_stored
    path = str(tmp_path / "enforcement.sqlite")
    j = Journal(path, NOW)
    for cid in ("d1.1", "d1.2", "d9.1"):
        j.receive(cmd(cid), NOW)
    j.finish(done("d1.1", status=FAILED, detail="gave up"))
    j.finish(done("d1.2"))
    j.start("d9.1", NOW + 1)                            # left running
    j.close()
    before = sorted(os.listdir(tmp_path))
    states = {s.command_id: s for s in read_stored(path, ["d1.1", "x.1"])}
    assert sorted(states) == ["d1.1", "d1.2", "d9.1"]
    assert states["d1.2"].status == DONE and states["d1.2"].detail == "flattened"
    assert states["d9.1"].state == RUNNING
    assert sorted(os.listdir(tmp_path)) == before == ["enforcement.sqlite"]
    assert read_stored(str(tmp_path / "none.sqlite"), ["d1.1"]) == []

    live = Journal(path, NOW)                           # open: its -wal is there
    live.receive(cmd("d5.1"), NOW)
    live.finish(done("d5.1"))
    assert read_stored(path, ["d5.1"])[-1].status == DONE
    live.close()
