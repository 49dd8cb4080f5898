"""`rules set` / `rules disable` that name an account by its display name answer what risk does
with the edit, as the id does: applied live, or kept until the roll (a loosening waits); never
"no account runs profile <name>". The audit row keeps the same words.

Fresh-user trial 16b, finding 2: `rules set "Demo 1" daily_realized_loss limit 450` saved to
the account's own rules but answered "no account runs profile Demo 1: `riskctl accounts set
ACCOUNT profile Demo 1` switches one to it", and a loosening by display name left out "a
loosening waits"; the audit row kept that text (5 of 5, never with the id or broker name).

A real riskd (supervisor, sim broker, market, risk) on the shipped rules (etc/riskd.toml:
daily_realized_loss limit 500, daily_net_loss on); one account, Demo 1 (SIM-DEMO-1, id 1001),
no position (no edit here makes riskd act, so none asks first); the logging worker writes
the audit trail."""
from __future__ import annotations

import pytest

from tests.support.auth import GUARDS, admin_riskd, audited
from tests.support.env import wait_for

pytestmark = pytest.mark.slow


def said(out) -> str:
    return " ".join((out.stdout + out.stderr).split())


def test_a_rule_edit_by_display_name_says_what_risk_does_and_audits_it(procs, tmp_path,
                                                                      monkeypatch):
    config = admin_riskd(procs, tmp_path, monkeypatch, workers=["logging", *GUARDS])

    tighter = procs.riskctl(config, "rules", "set", "Demo 1", "daily_realized_loss", "limit",
                            "450")
    words = said(tighter)
    assert tighter.returncode == 0, words
    assert "no account runs profile" not in words, words
    assert "Demo 1 (id 1001) daily_realized_loss.limit: saved; applied live on Demo 1 " \
           "(id 1001)" in words, words

    looser = procs.riskctl(config, "rules", "set", "--account", "Demo 1",
                           "daily_realized_loss", "limit", "480")
    words = said(looser)
    assert looser.returncode == 0, words
    assert "no account runs profile" not in words, words
    assert "Demo 1 (id 1001): riskd keeps limit 450.00 until the roll at" in words, words
    assert "(a loosening waits)" in words, words

    off = procs.riskctl(config, "rules", "disable", "Demo 1", "daily_net_loss")
    words = said(off)
    assert off.returncode == 0, words
    assert "no account runs profile" not in words, words
    assert "Demo 1 (id 1001): riskd keeps the rule on until the roll" in words, words

    def rows():
        return audited(config, "rules set", "daily_realized_loss") \
            + audited(config, "rules disable", "daily_net_loss")
    wait_for(lambda: len(rows()) == 3, 10, what="the three edits in the audit trail")
    rows = rows()
    for row in rows:
        assert "no account runs profile" not in row["result"], row
    assert "applied live on Demo 1 (id 1001)" in rows[0]["result"], rows[0]
    assert "riskd keeps limit 450.00 until the roll" in rows[1]["result"], rows[1]
    assert "riskd keeps the rule on until the roll" in rows[2]["result"], rows[2]
