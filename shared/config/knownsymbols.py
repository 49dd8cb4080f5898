"""Symbols in the rules that name no contract the broker lists: refused when riskd knows the list.

A misspelt ticker in symbol_blocks' `symbols` or max_contracts_per_instrument's `limits`
("MNQQ" for MNQ) would guard nothing, and the contract meant would stay unblocked or unlimited
with no word (trial25b F6). riskd learns a real broker's contracts only as the accounts trade
them, so with broker.kind "projectx" it cannot tell a typo from a contract it has not seen yet
and never refuses one (the broker may list it); with kind "sim" the sim's catalogue is every
contract there is, and a symbol outside it is refused with the ones the sim lists named.
docs/rules.md (Symbols riskd knows) says so.
"""
from __future__ import annotations

from shared.config.errors import Problem
from shared.symbols import SIM_ROOTS, configured_root, ticker_for_root


def _sim_tickers() -> str:
    return ", ".join(ticker_for_root(root) for root in SIM_ROOTS)


def unknown_symbol_problems(config, rules, where: str) -> list[Problem]:
    """One error per symbol of `rules` the sim broker does not list (none for kind projectx)."""
    if config.broker.kind != "sim":
        return []
    named = [(f"{where}.symbol_blocks.symbols", s) for s in rules.symbol_blocks.symbols]
    named += [(f"{where}.max_contracts_per_instrument.limits.{s}", s)
              for s in rules.max_contracts_per_instrument.limits]
    return [Problem(path, f"riskd knows no contract {symbol!r}: the sim broker lists "
                    f"{_sim_tickers()} (a ticker, or a contract id like CON.F.US.MNQ.Z26)")
            for path, symbol in named if configured_root(symbol) not in SIM_ROOTS]
