"""`riskctl sim info` names the sim's accounts as every riskctl screen does (fresh-user trial
2026-12-06: "account     1001  SIM-DEMO-1" beside screens that say "Demo 1 (id 1001)"). The
sim's own name stays on the line: other tools log in with it. The config: etc/riskd.toml's
accounts and sim broker, as shipped."""
from __future__ import annotations

from cli.main import main
from tests.support.env import make_config, shipped_accounts


def test_sim_info_names_each_account_and_keeps_the_sims_name(tmp_path, capsys):
    config = make_config(tmp_path, accounts=shipped_accounts())
    assert main(["--config", config, "sim", "info"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("account ")]
    assert [ln.split(None, 1)[1] for ln in lines] == [
        "Demo 1 (id 1001), SIM-DEMO-1 at the broker",
        "Demo 2 (strict, id 1002), SIM-DEMO-2 at the broker"], lines


def test_an_account_the_config_does_not_list_goes_by_the_sims_name(tmp_path, capsys):
    config = make_config(tmp_path, accounts=[])
    assert main(["--config", config, "sim", "info"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("account ")]
    assert [ln.split(None, 1)[1] for ln in lines] == ["SIM-DEMO-1 (id 1001)",
                                                       "SIM-DEMO-2 (id 1002)"], lines
