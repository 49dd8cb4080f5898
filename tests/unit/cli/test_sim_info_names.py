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


def test_sim_info_masks_the_api_key_and_says_where_it_is(tmp_path, capsys):
    """Fresh-user trial 2026-12-06: `riskctl sim info` printed the sim's api key in clear where
    every other screen masks secrets (shared/redact.py). Now masked, in --json too, with where
    it is: the config file's [broker] api_key (set here for the test: the shipped file sets
    none, which the second config shows). Put back (old sim.py): the key shows; fails."""
    import json
    key = "sim-key-of-this-test-3141"
    config = make_config(tmp_path, accounts=shipped_accounts(), broker={"api_key": key})
    assert main(["--config", config, "sim", "info"]) == 0
    out = capsys.readouterr().out
    assert key not in out
    [line] = [ln for ln in out.splitlines() if ln.startswith("api_key ")]
    assert line.split(None, 1)[1] == f"*** (masked; [broker] api_key in {config})", line
    assert main(["--config", config, "sim", "info", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["api_key"] == "***" and doc["api_key_in"] == f"[broker] api_key in {config}"
    (tmp_path / "bare").mkdir()
    bare = make_config(tmp_path / "bare", accounts=[])
    assert main(["--config", bare, "sim", "info"]) == 0
    assert "sets no [broker] api_key: the sim's built-in one" in capsys.readouterr().out
