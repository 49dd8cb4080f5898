"""Leftover workers are ended only when the pid provably still names the process that was started."""
from __future__ import annotations

import ntpath
import os
import subprocess
import sys
import time

import pytest

from services.supervisor import children, pidfiles
from services.supervisor.pidfiles import Identity, same_process


@pytest.fixture
def bystander():
    """An unrelated process whose command line happens to name a worker module."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                             "services.notify"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait(5)


def test_a_reused_pid_is_not_ended_even_when_its_command_line_names_the_worker(tmp_path,
                                                                             bystander):
    run_dir = str(tmp_path / "run")
    now = pidfiles.record(bystander.pid)
    # The notify worker that wrote this file was created earlier; its pid has since been
    # given to the bystander (same pid, same-looking command line, later creation time).
    dead_worker = dict(now, started=str(int(now["started"]) - 500))
    pidfiles.write(run_dir, "notify", "services.notify", bystander.pid, [dead_worker])
    assert children.end_leftovers(run_dir, grace=0.5) == []
    assert bystander.poll() is None, "an unrelated process was ended"
    assert not os.path.exists(pidfiles.path_of(run_dir, "notify"))


def test_an_old_style_pid_file_without_a_creation_time_ends_nothing(tmp_path, bystander):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "notify.pid").write_text(f"{bystander.pid} services.notify\n")
    assert children.end_leftovers(str(run_dir), grace=0.5) == []
    assert bystander.poll() is None, "an unrelated process was ended"
    assert not (run_dir / "notify.pid").exists()


def test_a_leftover_whose_creation_time_and_command_line_match_is_ended(tmp_path, bystander):
    run_dir = str(tmp_path / "run")
    pidfiles.write(run_dir, "notify", "services.notify", bystander.pid,
                   [pidfiles.record(bystander.pid)])
    started = time.monotonic()
    assert children.end_leftovers(run_dir, grace=3.0) == [("notify", bystander.pid)]
    assert bystander.wait(5) is not None and time.monotonic() - started < 5


def test_a_pid_file_is_removed_only_by_the_process_that_owns_it(tmp_path):
    run_dir = str(tmp_path)
    pidfiles.write(run_dir, "risk", "services.risk", 200, [{"pid": 200, "started": "1"}])
    pidfiles.remove(run_dir, "risk", 100)          # an older spawn's exit
    assert pidfiles.read(pidfiles.path_of(run_dir, "risk"))["pgid"] == 200
    pidfiles.remove(run_dir, "risk", 200)
    assert not os.path.exists(pidfiles.path_of(run_dir, "risk"))


LINUX_NOW = Identity("777", "/usr/bin/python3.11", "/usr/bin/python3.11 -m services.risk --config x")
WIN_NOW = Identity("133500000000000000", "C:\\Python311\\python.exe", "")


@pytest.mark.parametrize("recorded, now, same, why", [
    ({"started": "777"}, LINUX_NOW, True, ""),
    ({"started": "777"}, None, False, "gone"),
    ({"started": "776"}, LINUX_NOW, False, "created later"),
    ({}, LINUX_NOW, False, "creation time cannot be checked"),
    ({"started": "777"}, Identity("", "", ""), False, "creation time cannot be checked"),
    ({"started": "777"}, LINUX_NOW._replace(cmdline="/bin/sleep 60"), False, "no longer names"),
    # Windows: no command line; the image recorded at spawn must still be the image
    ({"started": WIN_NOW.started, "image": "c:\\python311\\PYTHON.EXE"}, WIN_NOW, True, ""),
    ({"started": WIN_NOW.started, "image": "C:\\Windows\\notepad.exe"}, WIN_NOW, False,
     "image is now"),
    ({"started": WIN_NOW.started}, WIN_NOW, False, "image cannot be checked"),
])
def test_same_process_needs_the_creation_time_and_the_image(recorded, now, same, why):
    answer, reason = same_process(recorded, "services.risk", now, normcase=ntpath.normcase)
    assert answer is same and why in reason
