"""How a rule's numbers read on every screen (`riskctl rules list`, `status`, `watch`): money
always with 2 decimals (500.00, -2.50, 2,000.00), counts (contracts, trades, seconds, ticks)
as whole numbers. Third trial: rule rows read "5/-200" beside "2.50/-200".

reading_text: a rule's reading (its value or its limit; counts for COUNT_RULES, money for
the rest). param_text: one parameter as the wire carries it (TOML value text: "500",
"[{loss = 100, seconds = 300}]"), its numbers by the kind of its field in shared/config/rules.py
(money: a to_money field; count: an int field); any other text is shown as it came.
"""
from __future__ import annotations

import re
import typing
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

import attrs

from shared.config.rules import RULE_CLASS
from shared.config.validators import to_money, to_optional_money

# rules whose value and limit count contracts or trades, not money
COUNT_RULES = frozenset({"max_contracts", "max_contracts_per_instrument",
                         "trade_frequency_limit"})
MONEY, COUNT = "money", "count"


def money_text(value) -> str:
    """2 decimals, thousands grouped: 500.00, -2.50, 2,000.00."""
    return f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"


def count_text(value) -> str:
    """A whole number: 5, 1800 (a count read as money, 5.00, would not be one)."""
    d = Decimal(value)
    return f"{d.to_integral_value():f}" if d == d.to_integral_value() else f"{d.normalize():f}"


def window_of(detail: str) -> str:
    """' per hour' when a reading counts in a window ('4 of 10 trades per hour'): 4/10 and
    2/3 are different windows, and every screen and alert says which."""
    m = re.search(r" per (\w+)$", detail or "")
    return f" per {m.group(1)}" if m else ""


def reading_text(rule: str, value: Optional[Decimal]) -> str:
    """A rule's value or limit: counts for COUNT_RULES, money for every other rule."""
    if value is None:
        return "-"
    return count_text(value) if rule in COUNT_RULES else money_text(value)


def versus_text(rule: str, value: Optional[Decimal], limit: Optional[Decimal]) -> str:
    """'-603.33 vs -600.00' (money), '2 vs 3' (counts): a reading beside its limit, as history
    shows it; '' when there is no reading (a note)."""
    if value is None:
        return ""
    return f"{reading_text(rule, value)} vs {reading_text(rule, limit)}"


def _kind(field: attrs.Attribute) -> Any:
    """MONEY, COUNT, the attrs class of a list's or dict's items, or None."""
    if field.converter in (to_money, to_optional_money):
        return MONEY
    if field.type is int:
        return COUNT
    for arg in typing.get_args(field.type):
        if attrs.has(arg):
            return arg
        if arg is int and typing.get_origin(field.type) is dict:
            return COUNT
    return None


def _kinds(cls: type) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {f.name: _kind(f) for f in attrs.fields(cls)}


def _shown(value: Any, kind: Any) -> Optional[str]:
    """value (TOML parsed) with its numbers formatted by kind; None when nothing is formatted."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)) and kind in (MONEY, COUNT):
        return money_text(Decimal(str(value))) if kind == MONEY else count_text(
            Decimal(str(value)))
    if isinstance(value, list):
        items = [_shown(v, kind) for v in value]
        if not any(i is not None for i in items):
            return None
        return "[" + ", ".join(i if i is not None else _plain(v)
                               for i, v in zip(items, value)) + "]"
    if isinstance(value, dict):
        kinds = _kinds(kind) if isinstance(kind, type) and attrs.has(kind) else None
        items = [(k, _shown(v, kinds.get(k) if kinds is not None else kind))
                 for k, v in value.items()]
        if not any(i is not None for _, i in items):
            return None
        return "{" + ", ".join(f"{k} = {i if i is not None else _plain(value[k])}"
                               for k, i in items) + "}"
    return None


def _plain(value: Any) -> str:
    from shared.config.convert import toml_value_text
    return toml_value_text(value)


def param_text(rule: str, key: str, text: str) -> str:
    """One parameter's wire text as screens show it ("limit", "500" -> "500.00" for
    daily_realized_loss; "3" stays "3" for max_contracts)."""
    cls = RULE_CLASS.get(rule)
    kind = _kinds(cls).get(key) if cls is not None else None
    if kind is None:
        return text
    import tomlkit
    try:
        value = tomlkit.parse(f"v = {text}")["v"]
        value = value.unwrap() if hasattr(value, "unwrap") else value
    except Exception:  # noqa: BLE001 -- not TOML value syntax ("none", a word): as it came
        return text
    try:
        shown = _shown(value, kind)
    except (InvalidOperation, ValueError, TypeError):
        return text
    return text if shown is None else shown


def setting_text(rule: str, key: str, value: Any) -> str:
    """One parameter's value as a rule holds it (Decimal, int, list) as screens show it:
    'limit 250.00 -> 3,000.00' in a rule-change alert, as `rules list` shows -3,000.00
    (trial 2026-12-05: 'limit 250 -> 3000')."""
    from shared.config.convert import human_value
    return param_text(rule, key, human_value(value))


def tiers_text(text: str) -> Optional[str]:
    """cooldown_after_loss tiers as a person reads them: '100.00->5m00s, 300.00->30m00s' (a
    loss, then how long the cooldown lasts, as the cooldown's reason says it:
    shared/when.py duration) from the wire's TOML '[{loss = 100, seconds = 300}, ...]';
    None when the text is not such a list. Trial 2026-12-05: the RULES panel showed the raw
    TOML, cut off ('... seconds = 18~'). `rules set` still takes the TOML."""
    from shared.when import duration
    import tomlkit
    try:
        tiers = tomlkit.parse(f"v = {text}")["v"].unwrap()
        return ", ".join(f"{money_text(Decimal(str(t['loss'])))}->{duration(int(t['seconds']))}"
                         for t in tiers) or None
    except Exception:  # noqa: BLE001 -- anything else is shown as it came
        return None


def readable_texts(rule: str, params: dict) -> dict[str, str]:
    """params_texts for screens (status, watch): the same, with a list of tiers readable
    (tiers_text) instead of its TOML."""
    out = params_texts(rule, params)
    for key, value in params.items():
        if rule == "cooldown_after_loss" and key == "tiers":
            out[key] = tiers_text(str(value)) or out[key]
    return out


def params_texts(rule: str, params: dict) -> dict[str, str]:
    """param_text of every parameter of a rule, in its order."""
    return {k: param_text(rule, k, str(v)) for k, v in params.items()}
