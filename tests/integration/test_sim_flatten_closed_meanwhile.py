"""`riskctl sim flatten` when another close takes the position between the flatten's read and
its own close (trial18c section 8: "closed 0 positions, cancelled 1 order" while the sim's
Trade/search showed a sell closing the long that moment, 1 run of 2: riskd's close, held at the
sim with `sim fail ... --hold --delay 120`, was carried out at the end of its 120 s, as the
trader's flatten ran). The flatten now says the position was closed meanwhile by that order,
not by it.

A real sim worker; the other close is a closeContract held at the sim (`/sim/fail` status 200
with hold) and released right after the flatten has read the positions: the test hooks
riskctl's own sim client there (its calls still go to the sim's real endpoints)."""
from __future__ import annotations

import json
import threading

import pytest
import requests

from cli.commands import sim as simcli
from cli.main import main
from shared.config import load_config
from tests.integration.test_sim_positions_cli import sim_config  # noqa: F401  (the fixture)
from tests.support.env import wait_for

CLOSE = "/api/Position/closeContract"
MNQ = "CON.F.US.MNQ.Z26"
DEMO2 = 1002


@pytest.mark.timeout(60)
def test_a_position_closed_meanwhile_is_said_so_never_as_nothing(sim_config, capsys,  # noqa: F811
                                                                 monkeypatch):
    broker = load_config(sim_config).config.broker
    rest = broker.endpoints()[0]
    assert main(["--config", sim_config, "sim", "buy", "MNQ", "1", "--account", str(DEMO2)]) == 0
    armed = requests.post(rest + "/sim/fail", json={
        "endpoint": CLOSE, "status": 200, "delay": 30, "hold": True, "count": 1,
        "accountId": DEMO2}, timeout=5).json()
    assert armed["success"] is True, armed
    other = simcli.SimClient(broker)          # riskd's close, held at the sim
    answers: list[dict] = []
    held = threading.Thread(target=lambda: answers.append(
        other.api(CLOSE, {"accountId": DEMO2, "contractId": MNQ})), daemon=True)
    held.start()
    wait_for(lambda: requests.get(rest + "/sim/calls", timeout=5).json()["calls"].get(CLOSE)
             == 1, 10, what="the other close held at the sim")

    read = simcli.SimClient.call

    def call(self, path, body):
        doc = read(self, path, body)
        if path == "/api/Position/searchOpen" and doc["positions"]:
            # the flatten has read MNQ long 1: the held close is carried out now
            requests.post(rest + "/sim/release", json={"endpoint": CLOSE}, timeout=5)
            held.join(10)
        return doc
    monkeypatch.setattr(simcli.SimClient, "call", call)
    capsys.readouterr()
    assert main(["--config", sim_config, "sim", "flatten", "--account", str(DEMO2)]) == 0
    out = capsys.readouterr().out
    assert answers and answers[0]["success"], answers
    sells = [t for t in other.call("/api/Trade/search", {
        "accountId": DEMO2, "startTimestamp": "2000-01-01T00:00:00Z"})["trades"]
        if t["side"] == 1]
    assert len(sells) == 1, sells           # one sell: the other close's, not the flatten's
    assert out.strip().endswith(
        f"closed 0 positions, cancelled 0 orders; MNQ long 1 was closed meanwhile by another "
        f"order (order {sells[0]['orderId']}, sell 1), not by this flatten"), out

    # --json: the same, with the trade's time
    assert main(["--config", sim_config, "sim", "buy", "MNQ", "1", "--account", str(DEMO2)]) == 0
    requests.post(rest + "/sim/fail", json={"endpoint": CLOSE, "status": 200, "delay": 30,
                                            "hold": True, "count": 1, "accountId": DEMO2},
                  timeout=5)
    held = threading.Thread(target=lambda: other.api(CLOSE, {"accountId": DEMO2,
                                                            "contractId": MNQ}), daemon=True)
    held.start()
    wait_for(lambda: requests.get(rest + "/sim/calls", timeout=5).json()["calls"].get(CLOSE)
             == 3, 10, what="the second other close held at the sim")
    capsys.readouterr()
    assert main(["--config", sim_config, "sim", "flatten", "--account", str(DEMO2),
                 "--json"]) == 0
    [doc] = json.loads(capsys.readouterr().out)["accounts"]
    assert doc["closed"] == [] and len(doc["closedMeanwhile"]) == 1, doc
    meanwhile = doc["closedMeanwhile"][0]
    assert (meanwhile["contractId"], meanwhile["side"], meanwhile["size"], meanwhile["order"]) \
        == (MNQ, "long", 1, "sell 1") and meanwhile["at"], meanwhile
