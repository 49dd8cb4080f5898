"""`riskctl sim positions` and `riskctl sim orders`: the sim's own view, by account, without
curl (trial13a: the tester read the sim's positions and orders with its REST API to compare
them with riskd's). A real sim worker (a process on its own sockets, the shipped accounts);
riskctl runs in-process against it as a tester's terminal would.
"""
from __future__ import annotations

import json

import pytest

from cli.main import main
from tests.support.env import make_config, shipped_accounts
from tests.support.procs import Procs
from tests.support.sim import wait_sim_up
from shared.config import load_config


@pytest.fixture
def sim_config(tmp_path):
    procs = Procs(tmp_path)
    config = make_config(tmp_path, accounts=shipped_accounts(),
                         broker={"sim": {"tick_interval": 0}})      # prices stay put
    procs.worker("services.simbroker", config)
    try:
        wait_sim_up(load_config(config).config.broker.endpoints()[0])
        yield config
    finally:
        procs.end()


def riskctl(config, capsys, *args) -> str:
    assert main(["--config", config, "sim", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.timeout(60)
def test_sim_positions_and_orders_show_the_sims_own_state_by_account(sim_config, capsys):
    config = sim_config
    assert riskctl(config, capsys, "positions").startswith("no open position at the sim")
    assert riskctl(config, capsys, "orders").startswith("no working order at the sim")
    riskctl(config, capsys, "buy", "MNQ", "3", "--account", "1001")
    riskctl(config, capsys, "sell", "MNQ", "1", "--account", "1002")
    riskctl(config, capsys, "sell", "MNQ", "3", "--account", "1001", "--stop", "100")
    out = riskctl(config, capsys, "positions")
    lines = out.splitlines()
    assert lines[0].split() == ["ACCOUNT", "SYMBOL", "CONTRACT", "SIDE", "SIZE", "AVERAGE",
                                "PRICE", "POSITION", "ID"], out
    assert len(lines) == 3, out
    assert lines[1].startswith("Demo 1 (id 1001)") and " long " in lines[1], out
    assert " MNQ " in lines[1] and " 3 " in lines[1], out
    assert lines[2].startswith("Demo 2 (strict, id 1002)") and " short " in lines[2], out
    one = riskctl(config, capsys, "positions", "--account", "1002").splitlines()
    assert len(one) == 2 and one[1].startswith("Demo 2"), one
    orders = riskctl(config, capsys, "orders").splitlines()
    assert len(orders) == 2 and orders[1].startswith("Demo 1 (id 1001)"), orders
    assert " sell " in orders[1] and " stop " in orders[1] and " open" in orders[1], orders
    doc = json.loads(riskctl(config, capsys, "positions", "--json"))
    [mine] = [a for a in doc["accounts"] if a["accountId"] == 1001]
    assert [(p["size"], p["type"]) for p in mine["positions"]] == [(3, 1)], doc
    doc = json.loads(riskctl(config, capsys, "orders", "--account", "1001", "--json"))
    assert [o["size"] for o in doc["accounts"][0]["orders"]] == [3], doc


def test_the_help_points_to_a_doc_section_that_exists(capsys):
    import os
    from tests.support.env import REPO
    with pytest.raises(SystemExit):
        main(["sim", "positions", "--help"])
    said = capsys.readouterr().out
    assert "docs/simbroker.md, Reading the sim's own state" in " ".join(said.split()), said
    text = open(os.path.join(REPO, "docs", "simbroker.md")).read()
    assert "\n## Reading the sim's own state\n" in text


@pytest.mark.timeout(60)
def test_an_average_of_fills_and_an_orders_price_are_shown_as_every_screen_shows_prices(
        sim_config, capsys):
    """Fresh-user trial 15a: `riskctl sim positions` printed "AVERAGE PRICE 20995.583333333332"
    (a float of an average of fills). Now to the decimals of the contract's prices, as
    `riskctl positions` shows it (docs/operations.md, Prices on screens); --json keeps the
    sim's own document."""
    config = sim_config
    for price in ("21000.25", "21000.50", "21001.00"):
        riskctl(config, capsys, "price", "MNQ", price)
        riskctl(config, capsys, "buy", "MNQ", "1", "--account", "1001")
    riskctl(config, capsys, "sell", "MNQ", "3", "--account", "1001", "--stop", "100")
    doc = json.loads(riskctl(config, capsys, "positions", "--json"))
    [mine] = [a for a in doc["accounts"] if a["accountId"] == 1001]
    average = mine["positions"][0]["averagePrice"]        # the sim's own: a float, kept
    assert round(average, 2) != average, doc              # three fills a tick apart (the ask)
    out = riskctl(config, capsys, "positions")
    row = out.splitlines()[1]
    assert f" {average:.2f} " in row and str(average) not in row, out
    orders = riskctl(config, capsys, "orders").splitlines()
    assert " 100.00 " in orders[1], orders
