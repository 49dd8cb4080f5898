"""`riskctl history` when riskd answers that risk did not answer in time (risk runs, but is
busy or hung): risk's stored history is read instead, and the screen says it is read from the
stored file and may lag (ops15: riskd's "risk did not answer within 3 s" refused the command,
exit 1). A REP socket on loopback stands in for the supervisor; the data folder holds no risk
file, so the list is empty and says where it looked."""
from __future__ import annotations

import pytest

from cli.main import main
from shared.messages.system import error
from tests.unit.cli.repsupervisor import rep_supervisor

pytestmark = pytest.mark.timeout(30)

SILENT = "risk did not answer within 3 s"


@pytest.fixture
def supervisor(tmp_path, monkeypatch):
    """The config path; every request is answered as riskd answers for a silent risk."""
    with rep_supervisor(tmp_path, monkeypatch, lambda request: error("timeout", SILENT),
                        data_dir=tmp_path / "data") as config:
        yield config, tmp_path / "data"


def test_history_reads_the_stored_file_when_risk_does_not_answer_in_time(supervisor, capsys):
    config, data = supervisor
    assert main(["--config", config, "history"]) == 0
    out, err = capsys.readouterr()
    assert out == "nothing recorded\n"
    assert err == (f"{SILENT}\nread from risk's stored file instead: the history as risk "
                   f"stored it: risk stored none in {data}; it may lag what risk decided in "
                   f"the moment it did not answer (what risk writes, it writes as it decides)\n")
