"""`rules set ... warn_at` says where it applies, and `rules list` shows warn_at (fresh-user
trial 15b, finding 10: `rules set profile:default daily_net_loss warn_at 0.7` answered "no
account shows it yet: risk has not read it ..." though `rules list --json` showed 0.7, and the
text list never showed warn_at). A real riskd (supervisor, sim broker, market, risk) on the
shipped rules (etc/riskd.toml: daily_net_loss warn_at 0.8 by default); one account."""
from __future__ import annotations

import pytest

from tests.support.auth import admin_riskd

pytestmark = pytest.mark.slow



def test_warn_at_is_applied_live_and_listed(procs, tmp_path, monkeypatch):
    config = admin_riskd(procs, tmp_path, monkeypatch)
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
