"""A rule name too long for its cell in watch's compact rules panel ends in '…', as every cut
cell of `riskctl status` does (cli/watch/view.py column()). Fresh-user trial: `riskctl watch`
at 80x24 showed "max_contracts_per_in" with nothing saying the name went on."""
from __future__ import annotations

from types import SimpleNamespace

from cli.watch.view import CUT, plain, rule_lines

RULES = ["max_contracts", "max_contracts_per_instrument", "daily_realized_loss",
         "daily_unrealized_loss", "daily_net_loss", "drawdown_guard", "cooldown_after_loss",
         "trade_frequency_limit", "session_block_outside", "symbol_blocks"]


def shown_names(text: str) -> list[str]:
    """The rule-name words of the panel: a whole name, or a cut one (with CUT)."""
    return [w for w in text.split() if w in RULES or CUT in w and not w.endswith(CUT + ")")
            and any(r.startswith(w.split(CUT)[0]) for r in RULES)]


def readings(word: str) -> list[str]:
    """Every rule a shown name could be."""
    if CUT not in word:
        return [word]
    head, _, tail = word.partition(CUT)
    return [r for r in RULES if r.startswith(head) and r.endswith(tail)]


def test_a_cut_rule_name_says_so_and_reads_as_one_rule_only():
    """Fresh-user trial 2026-12-06: at 80x24 max_contracts and max_contracts_per_instrument
    both read "max_contract…"; the cut falls in the middle, where the names differ. Names are
    now whole wherever a name fits beside a few characters of its reading (rulegrid.py,
    test_watch_rules_whole.py); a terminal narrower than that still cuts them, so."""
    account = SimpleNamespace(rules_off=0, not_guarded="", bars=[], rules=[
        SimpleNamespace(rule=r, text="0 / 5", colour="") for r in RULES])
    text = plain(rule_lines(account, 28)[1:])                  # too narrow for a whole name
    names = shown_names(text)
    assert len(names) == len(RULES), text
    cut = [w for w in names if w not in RULES]
    assert cut, text                                          # some names are cut
    assert all(CUT in w for w in cut), text                   # ... and each says so
    assert all(len(readings(w)) == 1 for w in names), [(w, readings(w)) for w in names]
    assert sorted(readings(w)[0] for w in names) == sorted(RULES), text
