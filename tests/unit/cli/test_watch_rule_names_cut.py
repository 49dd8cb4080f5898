"""A rule name too long for its cell in watch's compact rules panel ends in '…', as every cut
cell of `riskctl status` does (cli/watch/view.py column()). Fresh-user trial: `riskctl watch`
at 80x24 showed "max_contracts_per_in" with nothing saying the name went on."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.view import CUT, plain, rule_lines

RULES = ["max_contracts", "max_contracts_per_instrument", "daily_realized_loss",
         "daily_unrealized_loss", "daily_net_loss", "drawdown_guard", "cooldown_after_loss",
         "trade_frequency_limit", "session_block_outside", "symbol_blocks"]


def test_a_cut_rule_name_ends_in_the_cut_mark():
    account = SimpleNamespace(rules_off=0, not_guarded="", bars=[], rules=[
        SimpleNamespace(rule=r, text="0 / 5", colour="") for r in RULES])
    text = plain(rule_lines(account, 80, max_rows=4))          # compact: several columns
    names = [w for w in text.split() if w.rstrip(CUT) and any(r.startswith(w.rstrip(CUT))
                                                          for r in RULES)]
    cut = [w for w in names if w not in RULES]
    assert cut, text                                          # compact: some names are cut
    assert all(w.endswith(CUT) for w in cut), text            # ... and each says so
