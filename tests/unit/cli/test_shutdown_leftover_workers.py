"""`riskctl shutdown` with riskd's supervisor killed and its workers still running says how to
switch them off (trial23b section 7: it said only "start riskd again ... (it ends them and
starts a fresh set)"; the admin had to guess that a start comes first, then a shutdown)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from cli import notrunning
from cli.commands import shutdown
from cli.errors import NotRunning

LEFT = (("enforcement", [12357]), ("market", [12355]), ("risk", [12356]))


class Ctx:
    config_path = "/nonexistent/riskd.toml"
    control_address = "tcp://127.0.0.1:27400"

    def request(self, *_a, **_kw):
        raise NotRunning("riskd's supervisor is not running (...), but its workers still run "
                         "without it: ...", "riskd's supervisor is not running")


def test_the_answer_says_both_ways_to_switch_the_workers_off(monkeypatch):
    monkeypatch.setattr(notrunning, "orphans", lambda path, address: SimpleNamespace(
        running=LEFT))
    with pytest.raises(NotRunning) as said:
        shutdown.run(SimpleNamespace(reason="end of day", yes=True), Ctx())
    text = str(said.value)
    assert text.startswith("riskd's supervisor is not running"), text
    assert "Nothing was switched off" in text, text
    assert "start riskd again (it ends these workers and starts a fresh set) and run " \
           "`riskctl shutdown` once it answers" in text, text
    assert "`kill 12357 12355 12356`" in text, text


def test_nothing_left_running_keeps_the_plain_answer(monkeypatch):
    monkeypatch.setattr(notrunning, "orphans", lambda path, address: SimpleNamespace(
        running=()))
    with pytest.raises(NotRunning) as said:
        shutdown.run(SimpleNamespace(reason="", yes=True), Ctx())
    assert "Nothing was switched off" not in str(said.value)
