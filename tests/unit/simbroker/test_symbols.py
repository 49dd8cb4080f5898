"""The one ticker <-> root table (shared/symbols.py)."""
from __future__ import annotations

import pytest

from shared.symbols import UnknownSymbol, contract_for, contract_name, root_of, ticker_of

KNOWN = ["CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26", "CON.F.US.EP.H27",
         "CON.F.US.CLE.Z26", "CON.F.US.GCE.Z26"]


def test_root_and_ticker():
    assert root_of("CON.F.US.EP.Z26") == "EP"
    assert ticker_of("CON.F.US.EP.Z26") == "ES"
    assert ticker_of("CON.F.US.ENQ.Z26") == "NQ"
    assert ticker_of("CON.F.US.CLE.Z26") == "CL"
    assert ticker_of("CON.F.US.GCE.Z26") == "GC"
    assert ticker_of("CON.F.US.MNQ.Z26") == "MNQ"
    with pytest.raises(UnknownSymbol, match="expected a contract id"):
        root_of("ES")


@pytest.mark.parametrize("text, expected", [
    ("ES", "CON.F.US.EP.Z26"), ("es", "CON.F.US.EP.Z26"), ("EP", "CON.F.US.EP.Z26"),
    ("CON.F.US.EP.H27", "CON.F.US.EP.H27"),
    ("NQ", "CON.F.US.ENQ.Z26"), ("mnq", "CON.F.US.MNQ.Z26"), ("CL", "CON.F.US.CLE.Z26"),
    ("con.f.us.ep.z26", "CON.F.US.EP.Z26"), ("GC", "CON.F.US.GCE.Z26")])
def test_contract_for(text, expected):
    assert contract_for(text, KNOWN) == expected


def test_contract_for_unknown_names_the_known_tickers():
    with pytest.raises(UnknownSymbol, match=r"unknown symbol 'ZB'.*CL, ES, GC, MNQ, NQ"):
        contract_for("ZB", KNOWN)
    with pytest.raises(UnknownSymbol):
        contract_for("CON.F.US.MES.Z26", KNOWN)


def test_contract_name_is_the_ticker_month_and_one_year_digit():
    assert contract_name("CON.F.US.EP.Z26") == "ESZ6"
    assert contract_name("CON.F.US.ENQ.H25") == "NQH5"
    assert contract_name("CON.F.US.MNQ.Z26") == "MNQZ6"
    with pytest.raises(UnknownSymbol):
        contract_name("CON.F.US.EP.26")
