"""risk_shards set to a count riskd does not run (risk's state kept for another): the phone is
told once at the start and `riskctl workers` says it beside risk.

Fresh-user trial16g section 9: after `config set supervisor.risk_shards 2` and a restart over
one risk's state, riskd ran risk as 1 shard (guarding) and said so on status and in the log
only: no alert (an ops user who set 2 shards and watches the phone is never told it did not
take) and `riskctl workers` showed `risk` with no note. Fails on main's code (no such alert,
no note).

Real riskd (sim broker, market, risk, notify; the shipped rules, tests/support/env.make_config)
with risk_shards = 2 over a data folder holding risk.sqlite, as one risk leaves it.
"""
from __future__ import annotations

import json
import os

import pytest

from shared.config import load_config
from shared.messages.notify import NotifyEvent
from tests.support.bustap import notify_tap, start_tapped
from tests.support.env import make_config

pytestmark = pytest.mark.slow

WORKERS = ["simbroker", "market", "risk", "notify"]


def row_block(table: str, start: str) -> str:
    """The row of `riskctl workers` that starts with `start` and the lines wrapped under it,
    as one line of single spaces."""
    lines = table.splitlines()
    [i] = [n for n, line in enumerate(lines) if line.startswith(start)]
    block = [lines[i]]
    for line in lines[i + 1:]:
        if not line.startswith(" "):
            break
        block.append(line)
    return " ".join(" ".join(block).split())


def test_a_held_shard_count_is_told_to_the_phone_once_and_beside_risk(procs, tmp_path):
    config = make_held(tmp_path)
    tap = notify_tap(config)
    try:
        table = start_tapped(procs, config, WORKERS)
        assert not {"risk-0", "risk-1"} & set(table), table
        alerts = tap.wait(lambda: [e for e in tap.of(NotifyEvent)
                                   if e.kind == "risk_shards_not_in_force"], 15,
                          what="the alert that risk_shards = 2 is not in force")
        assert alerts[0].title == ("⚠️ risk_shards = 2 is NOT in force: riskd runs risk as "
                                   "1 shard, every account guarded"), alerts[0].title
        assert alerts[0].lines[0].startswith("[supervisor] risk_shards = 2 is not in force: "
                                             "risk's state in"), alerts[0].lines
        assert "docs/scaling.md" in alerts[0].lines[0]
        shown = procs.riskctl(config, "workers")
        assert shown.returncode == 0, shown.stdout + shown.stderr
        # each worker's row with the lines wrapped under it (a note goes under its row when
        # the terminal is narrow: small19b, round 19)
        risk_row, market_row = row_block(shown.stdout, "risk "), row_block(shown.stdout, "market")
        assert "runs as 1 shard: [supervisor] risk_shards = 2 is NOT in force" in risk_row, \
            shown.stdout
        assert "risk_shards" not in market_row, shown.stdout
        listed = json.loads(procs.riskctl(config, "workers", "--json").stdout)
        assert listed["shard_note"].startswith("runs as 1 shard"), listed
        tap.pump(2.5)           # once per start: no second one on later passes
        assert len([e for e in tap.of(NotifyEvent)
                    if e.kind == "risk_shards_not_in_force"]) == 1
    finally:
        tap.sock.close(0)


def make_held(tmp_path) -> str:
    # the scenario: risk_shards = 2 in the file, risk.sqlite (one risk's state) in the folder
    config = make_config(tmp_path, workers=WORKERS, supervisor={"risk_shards": 2})
    data = load_config(config).data_dir
    os.makedirs(data, exist_ok=True)
    open(os.path.join(data, "risk.sqlite"), "wb").close()
    return config
