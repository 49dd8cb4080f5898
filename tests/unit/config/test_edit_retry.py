"""A config edit whose rename is refused for a moment (Windows: the file is held open) is retried;
if it never succeeds the edit is not made at all."""
from __future__ import annotations

import os

import pytest

from shared.config.edit import EditError, atomic_write, replace_retrying


def held_open(times: int):
    """os.replace refusing `times` times with the error Windows gives for an open file."""
    calls = []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) <= times:
            raise PermissionError(13, "The process cannot access the file because it is being "
                                      "used by another process")
        os.replace(src, dst)
    return replace, calls


def test_a_rename_refused_a_few_times_is_retried_and_the_edit_made(tmp_path):
    target = tmp_path / "riskd.toml"
    target.write_text("a = 1\n")
    replace, calls = held_open(3)
    atomic_write(str(target), "a = 2\n", replace=replace, retry_s=5.0)
    assert target.read_text() == "a = 2\n" and len(calls) == 4
    assert os.listdir(tmp_path) == ["riskd.toml"]          # no temp file left


def test_a_rename_refused_for_good_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "riskd.toml"
    target.write_text("a = 1\n")
    replace, calls = held_open(10_000)
    with pytest.raises(EditError, match="the file is unchanged"):
        atomic_write(str(target), "a = 2\n", replace=replace, retry_s=0.2)
    assert target.read_text() == "a = 1\n" and len(calls) > 1
    assert os.listdir(tmp_path) == ["riskd.toml"]


def test_the_retry_backs_off_and_stops_at_its_deadline():
    now, sleeps = [0.0], []

    def sleep(s):
        sleeps.append(s)
        now[0] += s

    def refuse(_src, _dst):
        raise PermissionError(13, "denied")
    with pytest.raises(PermissionError):
        replace_retrying(refuse, "a", "b", retry_s=1.0, sleep=sleep, monotonic=lambda: now[0])
    assert sleeps[:4] == [0.01, 0.02, 0.04, 0.08] and max(sleeps) == 0.2
    assert 1.0 <= now[0] < 1.3


def test_other_errors_are_not_retried(tmp_path):
    def missing(_src, _dst):
        raise FileNotFoundError(2, "gone")
    with pytest.raises(FileNotFoundError):
        replace_retrying(missing, "a", "b", sleep=lambda s: pytest.fail("retried"))
