"""`rules set ... warn_at` says where it applies, and `rules list` shows warn_at (fresh-user
trial 15b, finding 10: `rules set profile:default daily_net_loss warn_at 0.7` answered "no
account shows it yet: risk has not read it ..." though `rules list --json` showed 0.7, and the
text list never showed warn_at). A real riskd (supervisor, sim broker, market, risk) on the
shipped rules (etc/riskd.toml: daily_net_loss warn_at 0.8 by default); one account."""
from __future__ import annotations

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = pytest.mark.slow

GUARDS = ["simbroker", "market", "risk"]


def test_warn_at_is_applied_live_and_listed(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=GUARDS,
                                   broker={"sim": {"tick_interval": 0}},
                                   accounts=[{"id": 1001, "name": "SIM-DEMO-1",
                                              "display_name": "Demo 1"}])
    procs.riskd(config)
    procs.wait_running(config, GUARDS, timeout=30)
    wait_for(lambda: '"current": "0 / 5"' in procs.riskctl(config, "rules", "list", "--json")
             .stdout.replace(".00", ""), 20, what="risk to report the account")
    login(procs, config, "admin")
    edit = procs.riskctl(config, "rules", "set", "profile:default", "daily_net_loss",
                         "warn_at", "0.7")
    words = " ".join(edit.stdout.split())
    assert edit.returncode == 0, edit.stderr
    assert "applied live on Demo 1 (id 1001)" in words, words
    assert "no account shows it yet" not in words, words
    listed = procs.riskctl(config, "rules", "list", "1001").stdout
    # a row, or a block of lines when the terminal is narrow: from the rule's name to the next
    block = listed[listed.index("daily_net_loss"):]
    block = block[:block.index("account ", 1)] if "account " in block[1:] else block
    assert "warn_at=0.7" in block, listed
