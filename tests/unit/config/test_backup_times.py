"""`riskctl config backups` says when each backup was saved, in the display zone (fresh-user
trial 2026-12-05: only the raw stamp "20261205T213103246192Z"); the stamp stays beside it,
as `config restore STAMP` takes it, and --json keeps the stamps."""
from __future__ import annotations

import datetime as dt
import json

from cli.main import main
from shared.config.edit import make_backup
from tests.support.env import make_config


def test_backups_list_their_time_in_the_display_zone(tmp_path, capsys):
    path = make_config(tmp_path, trading_day={"timezone": "America/Chicago"})
    folder = tmp_path / "data" / "config-backups"
    saved = dt.datetime(2026, 12, 5, 21, 31, 3, 246192, tzinfo=dt.timezone.utc)
    make_backup(path, "# old\n", str(folder), now=saved)
    assert main(["--config", path, "config", "backups", "--offline"]) == 0
    out = capsys.readouterr().out
    [row] = [line for line in out.splitlines() if "20261205T213103246192Z" in line]
    assert "15:31:03 CST" in row, out                   # 21:31:03 UTC is 15:31:03 in Chicago
    assert row.index("CST") < row.index("20261205T"), out      # the time first, then the stamp
    assert main(["--config", path, "config", "backups", "--offline", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backups"][0]["stamp"] == "20261205T213103246192Z"
