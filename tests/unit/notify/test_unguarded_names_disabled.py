"""/unguarded names an account an admin disabled, as /status does (trial 2026-12-06: with Demo 1
disabled, /status said "guarded now except Demo 1: disabled by admin:root ..." and /unguarded
"guarded right now")."""
from __future__ import annotations

import attrs
import pytest

from tests.unit.cli.screens import account
from tests.unit.notify.test_bot_not_live import answer

pytestmark = pytest.mark.timeout(30)


def test_unguarded_names_a_disabled_account(tmp_path):
    off = attrs.evolve(account(positions=[]), not_guarded="disabled by admin:root at Sat "
                                                          "19:49:23 CST (phone check)")
    text = answer(tmp_path, "/unguarded", "running", [off])
    assert "guarded right now except Demo 1 (id 1001): disabled by admin:root" in text, text
    assert not text.rstrip().endswith("; guarded right now"), text


def test_unguarded_says_guarded_when_every_account_is(tmp_path):
    text = answer(tmp_path, "/unguarded", "running", [account(positions=[])])
    assert text.rstrip().endswith("so far; guarded right now"), text
