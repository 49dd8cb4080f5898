"""The type the config schema declares for a key (`config set`, `rules set`): what VALUE is.

Fresh-user trial (trial14b): with `session_minutes = "fifteen"` hand-typed into the file,
`riskctl config set admin.session_minutes 10` answered "expected a number, got '10'": the edit
kept the OLD value's type (a string, the broken one) and wrote "10". VALUE is read by the
setting's declared type instead (shared/config/model.py and its sections): a text setting
takes VALUE as text (an account name "12345" stays a string), any other setting reads it as
TOML (10, 0.5, true, ["CL"]); what does not fit is then refused by validation with the usual
key / expected / got / line. A key the schema does not know (an unknown key, a rule
parameter no rule has) has no declared type: None, and the old value's type decides.
"""
from __future__ import annotations

import typing
from typing import Any, Optional, Union

import attrs

UNKNOWN = object()      # declared_type's answer for a key the schema does not type


def declared_type(parts: list) -> Any:
    """The declared type of the key split_key made `parts` of, or UNKNOWN."""
    from shared.config.accounts import AccountConfig
    from shared.config.model import Config
    from shared.config.rules import RulesConfig
    tp: Any = Config
    for part in parts:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if isinstance(part, int):
            if origin is not list or not args:
                return UNKNOWN
            tp = args[0]
            continue
        if origin is dict and len(args) == 2:
            tp = args[1]
            continue
        if not (isinstance(tp, type) and attrs.has(tp)):
            return UNKNOWN
        attrs.resolve_types(tp)
        fields = {f.name: f for f in attrs.fields(tp)}
        if part not in fields:
            return UNKNOWN
        # an account's rules are overrides of the profile's: typed as the profile's rules
        tp = RulesConfig if (tp is AccountConfig and part == "rules") else fields[part].type
    return UNKNOWN if tp is Any else tp


def is_text(tp: Any) -> Optional[bool]:
    """True for a text setting (str, Optional[str]), False for any other type, None when the
    type is UNKNOWN."""
    if tp is UNKNOWN:
        return None
    if tp is str:
        return True
    if typing.get_origin(tp) is Union:
        kinds = [a for a in typing.get_args(tp) if a is not type(None)]
        return kinds == [str]
    return False
