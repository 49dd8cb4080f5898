"""`riskctl positions` while market is not there prints riskd's own words and asks nothing more
(riskctl used to recognise "market is not reachable" with a regex and send a second
WorkersRequest to word it: the supervisor says it now, services/supervisor/unreachable.py).
A REP socket on loopback stands in for the supervisor and counts what riskctl sends."""
from __future__ import annotations

import pytest

from cli.main import main
from shared.messages.system import error
from tests.unit.cli.repsupervisor import rep_supervisor

pytestmark = pytest.mark.timeout(30)

WORDS = ("market is stopped: admin:ana stopped it at Sat 21:03:10 CST; it stays stopped until "
         "an admin or ops starts it (`riskctl start market`) "
         "(`riskctl status` shows what riskd runs)")


@pytest.fixture
def supervisor(tmp_path, monkeypatch):
    """(config path, the requests riskctl sent): every request is answered 'unreachable'."""
    asked: list = []

    def answer(request):
        asked.append(type(request.command).__name__)
        return error("unreachable", WORDS)
    with rep_supervisor(tmp_path, monkeypatch, answer) as config:
        yield config, asked


def test_riskctl_prints_the_supervisor_s_words_after_one_request(supervisor, capsys):
    config, asked = supervisor
    assert main(["--config", config, "positions"]) == 1
    assert capsys.readouterr().err == f"riskctl positions: {WORDS}\n"
    # riskd's identity (cli/whichriskd.py), then the command; no second request to word it
    assert asked == ["Ping", "PositionsRequest"]


def test_json_keeps_the_machine_code_after_the_words(supervisor, capsys):
    config, asked = supervisor
    assert main(["--config", config, "positions", "--json"]) == 1
    assert capsys.readouterr().err == f"riskctl positions: {WORDS} [unreachable]\n"
    assert asked == ["Ping", "PositionsRequest"]
