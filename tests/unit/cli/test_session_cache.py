"""riskctl's cached session: owner-only files, one per riskd, gone when expired or logged out."""
from __future__ import annotations

import os
import stat
import time

import pytest

from cli import session
from shared.messages.auth import LoginReply

CONTROL = "tcp://127.0.0.1:5570"


@pytest.fixture(autouse=True)
def session_dir(tmp_path, monkeypatch):
    folder = tmp_path / "sessions"
    monkeypatch.setenv("RISKD_SESSION_DIR", str(folder))
    return folder


def reply(minutes=15.0, token="tok-0123456789abcdef"):
    return LoginReply(role="admin", token=token, user="ann",
                      expires_ns=time.time_ns() + int(minutes * 60e9))


def test_a_saved_session_is_readable_only_by_its_owner(session_dir):
    path = session.save(CONTROL, reply())
    assert os.path.dirname(path) == str(session_dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(session_dir).st_mode) == 0o700
    cached = session.load(CONTROL)
    assert cached.role == "admin" and cached.token == "tok-0123456789abcdef"
    assert cached.token not in repr(cached)
    assert 14 * 60 < cached.seconds_left() <= 15 * 60


def test_each_riskd_has_its_own_session_file():
    session.save(CONTROL, reply())
    assert session.load("tcp://127.0.0.1:6570") is None
    assert session.session_path(CONTROL) != session.session_path("tcp://127.0.0.1:6570")


def test_an_expired_session_is_not_used_and_its_file_is_removed():
    session.save(CONTROL, reply(minutes=-1))
    assert session.load(CONTROL) is None
    assert not os.path.exists(session.session_path(CONTROL))


def test_a_damaged_file_counts_as_no_session(session_dir):
    session_dir.mkdir()
    with open(session.session_path(CONTROL), "w") as fh:
        fh.write("{not json")
    assert session.load(CONTROL) is None


def test_clear_removes_the_file():
    session.save(CONTROL, reply())
    assert session.clear(CONTROL) and not session.clear(CONTROL)
