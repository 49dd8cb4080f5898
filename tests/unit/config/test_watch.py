"""The config watcher reports settled content changes, including editor-style replaces."""
from __future__ import annotations

import os

from shared.config.edit import atomic_write
from shared.config.watch import ConfigWatcher
from tests.support.env import wait_for


def test_watcher_sees_replace_and_in_place_writes_once_each(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text("[logging]\nlevel = 'INFO'\n")
    with ConfigWatcher(str(path), debounce=0.05) as watcher:
        assert not watcher.poll()
        atomic_write(str(path), "[logging]\nlevel = 'DEBUG'\n")      # rename over the file
        wait_for(watcher.poll, timeout=10, what="the watcher to report the replaced file")
        assert not watcher.poll()                                   # reported once
        with open(path, "a") as fh:                                 # written in place
            fh.write("# a comment\n")
        wait_for(watcher.poll, timeout=10, what="the watcher to report the in-place write")


def test_unchanged_content_and_other_files_are_not_reported(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text("a = 1\n")
    with ConfigWatcher(str(path), debounce=0.0) as watcher:
        (tmp_path / "other.toml").write_text("b = 2\n")
        os.utime(path)
        watcher.touch()          # even a recorded event with the same content is not a change
        assert not watcher.poll()


def test_mark_seen_suppresses_an_applied_change(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text("a = 1\n")
    watcher = ConfigWatcher(str(path), debounce=0.0)
    path.write_text("a = 2\n")
    from shared.config.watch import file_digest
    watcher.mark_seen(file_digest(str(path)))
    watcher.touch()
    assert not watcher.poll()


def test_an_event_on_the_file_calls_on_event_so_the_loop_need_not_ask_on_a_timer(tmp_path):
    # the supervisor rings a doorbell from it and asks poll() once the debounce has run out
    # (issue 21: it asked 4 times a second whether or not anything had happened)
    path = tmp_path / "riskd.toml"
    path.write_text("a = 1\n")
    events = []
    with ConfigWatcher(str(path), debounce=0.05, on_event=lambda: events.append(1)) as watcher:
        atomic_write(str(path), "a = 2\n")
        wait_for(lambda: events, timeout=10, what="on_event for the replaced file")
        wait_for(watcher.poll, timeout=10, what="the watcher to report the replaced file")
