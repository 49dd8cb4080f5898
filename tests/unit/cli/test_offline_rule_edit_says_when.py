"""`riskctl rules set --offline` says when each change takes effect (cli/commands/rules.py
when_in_force).

Fresh-user trial 17g, finding 8: it answered only "saved .../riskd.local.toml (previous file:
...)", nothing of what happens at the next start, where a loosening waits for the roll
(docs/rules.md, Tightening is instant, loosening waits). The shipped rules (make_config), riskd
not running: the command in this process.
"""
from __future__ import annotations

from cli.main import main
from tests.support.env import make_config


def test_an_offline_tightening_and_loosening_each_say_when(tmp_path, capsys):
    config = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    assert main(["--config", config, "rules", "set", "1001", "max_contracts", "limit", "3",
                 "--offline"]) == 0
    out = capsys.readouterr().out
    assert ("SIM-DEMO-1 (id 1001): max_contracts limit 5 -> 3 (was the profile's): in force at "
            "riskd's next start") in out, out
    assert main(["--config", config, "rules", "set", "1001", "max_contracts", "limit", "4",
                 "--offline"]) == 0
    out = capsys.readouterr().out
    assert ("max_contracts limit 3 -> 4: a loosening: takes effect at the first trading-day "
            "roll after riskd's next start") in out, out


def test_an_offline_drawdown_line_where_none_was_says_riskd_judges_it_by_its_own(tmp_path,
                                                                                capsys):
    """Fresh-user trial 21a: a drawdown_guard line set where none was is judged against the
    line riskd works out itself (high-water mark - max_loss; docs/rules.md, drawdown_guard),
    which only riskd knows: "in force at riskd's next start" was said of a line below it too,
    which waits for the roll. Fails on main's code (checked: "in force at riskd's next
    start")."""
    config = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    assert main(["--config", config, "rules", "set", "1001", "drawdown_guard", "line", "48500",
                 "--offline"]) == 0
    out = capsys.readouterr().out
    assert ("drawdown_guard line none -> 48,500.00 (was the profile's): judged at riskd's next "
            "start against riskd's own line (high-water mark - max_loss): in force then if "
            "higher, else at the first trading-day roll after it") in out, out
    # a line over a line is judged by the file alone, as before
    assert main(["--config", config, "rules", "set", "1001", "drawdown_guard", "line", "48600",
                 "--offline"]) == 0
    assert "line 48,500.00 -> 48,600.00: in force at riskd's next start" in \
        capsys.readouterr().out
