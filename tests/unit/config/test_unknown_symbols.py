"""A symbol in symbol_blocks or max_contracts_per_instrument's limits that names no contract the
broker lists (trial25b F6: `limits '{FOO=3}'` and `symbols '["ZZZ"]'` were saved without a word;
a typo like MNQQ would leave MNQ unguarded). With the sim broker (etc/riskd.toml as shipped)
riskd knows every contract there is: such a symbol is refused with the sim's tickers named and
nothing written. With a real broker riskd learns contracts only as the accounts trade them, so
it never refuses one (the broker may list it). Every form a symbol is written in (ticker, root,
symbol id, contract id) of a listed contract is taken."""
from __future__ import annotations


import attrs
import pytest

from services.simbroker.contracts import PRODUCTS
from shared.config.edit import set_rule_param
from shared.config.errors import ConfigError
from shared.config.knownsymbols import unknown_symbol_problems
from shared.config.load import load_config
from shared.config.rules import RulesConfig
from shared.symbols import SIM_ROOTS

SIM_TICKERS = "ES, MES, NQ, MNQ, RTY, M2K, YM, MYM, CL, GC, MGC"


def test_the_sim_roots_are_the_sims_catalogue():
    assert set(SIM_ROOTS) == {p.root for p in PRODUCTS}


@pytest.mark.parametrize("target", ["profile:default", "1001"])
@pytest.mark.parametrize("rule,param,value,symbol", [
    ("symbol_blocks", "symbols", '["ZZZ"]', "ZZZ"),
    ("symbol_blocks", "symbols", '["MES", "MNQQ"]', "MNQQ"),
    ("symbol_blocks", "symbols", '["CON.F.US.XYZ.Z26"]', "CON.F.US.XYZ.Z26"),
    ("max_contracts_per_instrument", "limits", "{FOO = 3}", "FOO"),
])
def test_an_unknown_symbol_is_refused_naming_the_known_ones(shipped, target, rule, param, value,
                                                            symbol):
    path, backups = shipped
    with open(path) as fh:
        before = fh.read()
    with pytest.raises(ConfigError) as refused:
        set_rule_param(path, target, rule, param, value, backups)
    [problem] = [str(p) for p in refused.value.problems if p.severity == "error"]
    assert f"riskd knows no contract {symbol!r}: the sim broker lists {SIM_TICKERS}" in problem
    with open(path) as fh:
        assert fh.read() == before


def test_a_hand_edited_unknown_symbol_is_refused_by_the_load(shipped):
    path, _ = shipped
    with open(path, "a") as fh:
        fh.write('\n[profiles.hand.rules.symbol_blocks]\nsymbols = ["MNQQ"]\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "profiles.hand.rules.symbol_blocks.symbols: riskd knows no contract 'MNQQ'" \
        in refused.value.render()


@pytest.mark.parametrize("value", ['["ES", "EP", "F.US.ENQ", "CON.F.US.MNQ.Z26", "MGC", "CL"]',
                                   '["MES", "M2K", "MYM", "RTY", "YM", "GC", "NQ", "MNQ"]'])
def test_every_listed_contract_is_taken_in_every_form(shipped, value):
    path, backups = shipped
    set_rule_param(path, "profile:default", "symbol_blocks", "symbols", value, backups)
    set_rule_param(path, "1001", "max_contracts_per_instrument", "limits", "{MES = 2, GC = 1}",
                   backups)
    load_config(path)


def test_with_a_real_broker_no_symbol_is_refused(shipped):
    """riskd knows no real broker's list ahead of its trades: 6E, ZN or a new product may be
    listed there, so none is refused."""
    config = load_config(shipped[0]).config
    real = attrs.evolve(config, broker=attrs.evolve(config.broker, kind="projectx"))
    rules = RulesConfig()
    rules = attrs.evolve(rules, symbol_blocks=attrs.evolve(rules.symbol_blocks,
                                                           symbols=["6E", "ZN", "ZZZ"]))
    assert unknown_symbol_problems(real, rules, "profiles.default.rules") == []
    assert len(unknown_symbol_problems(config, rules, "profiles.default.rules")) == 3
