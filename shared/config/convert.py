"""The one strict cattrs converter for config: TOML data <-> attrs models.

Strict: unknown keys, wrong types and bools-for-numbers are errors. Money is Decimal
(int, float or numeric string in TOML). Every attrs class is structured by a hook that
collects EVERY failing field of a table (type errors, then each field's validator, then
the class's own cross-field checks), so one run lists all problems, each with its key.
to_toml_data() goes the other way: Decimal -> int/float, None keys left out.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Optional, Union

import attrs
import cattrs
from cattrs._compat import is_mapping, is_mutable_sequence
from cattrs.cols import list_structure_factory
from cattrs.gen import make_mapping_structure_fn
from cattrs.errors import AttributeValidationNote, ClassValidationError, ForbiddenExtraKeysError

from shared.config.validators import to_money


def _strict(kind: type, name: str):
    def hook(value: Any, _t: type) -> Any:
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"expected a number, got {value!r}")
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise ValueError(f"expected {name}, got {value!r}")
        if not isinstance(value, kind):
            raise ValueError(f"expected {name}, got {value!r}")
        return value
    return hook


def _str_or_int(value: Any, _t: type) -> Any:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a string or a whole number, got {value!r}")
    return value


def _money_to_toml(value: Decimal) -> int | float:
    """TOML has no decimal type: whole amounts stay integers, others become floats."""
    return int(value) if value == value.to_integral_value() else float(value)


def _noted(exc: Exception, cl: type, name: str, type_: Any) -> Exception:
    exc.__notes__ = [*getattr(exc, "__notes__", []),
                     AttributeValidationNote(f"Structuring class {cl.__qualname__} @ attribute "
                                             f"{name}", name, type_)]
    return exc


def _collecting_hook(conv: cattrs.Converter, cl: type):
    """Structure cl field by field; run every validator; raise one group with all failures."""
    fields = attrs.fields(attrs.resolve_types(cl))
    names = {f.alias or f.name: f for f in fields}

    def hook(data: Any, _t: type) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"expected a table, got {data!r}")
        errors: list[Exception] = []
        extra = set(data) - set(names)
        if extra:
            errors.append(ForbiddenExtraKeysError("", cl, extra))
        kwargs: dict[str, Any] = {}
        failed: set[str] = set()
        for key, f in names.items():
            if key not in data:
                if f.default is attrs.NOTHING:
                    errors.append(_noted(MissingKey(key, _wanted(f)), cl, f.name, f.type))
                    failed.add(key)     # its validator is not run on attrs' NOTHING
                continue
            try:
                kwargs[key] = conv.structure(data[key], f.type)
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a problem
                errors.append(_noted(_in_its_form(exc, f, data[key]), cl, f.name, f.type))
                failed.add(key)
        errors += _validate_each(cl, [f for f in fields if (f.alias or f.name) not in failed],
                                 kwargs)
        if not errors:
            try:
                return cl(**kwargs)
            except Exception as exc:  # noqa: BLE001 -- cross-field checks in __attrs_post_init__
                errors.append(exc)
        raise ClassValidationError(f"While structuring {cl.__name__}", errors, cl)

    return hook


class MissingKey(KeyError):
    """A required key not in the table: its name and the value it wants ("a whole number from
    1 to 604800"), said as "required key `seconds` is missing (expected ...)" (trial25b F7: a
    cooldown tier without `seconds` was answered "got NOTHING")."""

    def __init__(self, key: str, wanted: str = "") -> None:
        super().__init__(key)
        self.key, self.wanted = key, wanted

    def __str__(self) -> str:
        return f"required key `{self.key}` is missing" + (f" ({self.wanted})" if self.wanted
                                                           else "")


def _wanted(f) -> str:
    """What a field's validator asks for ("expected a whole number from 1 to 604800"), or ""."""
    if f.validator is None:
        return ""
    try:
        f.validator(None, f, None)
    except ValueError as said:
        text = str(said)
        if text.startswith("expected ") and ", got " in text:
            return text[:text.rindex(", got ")]
    except Exception:  # noqa: BLE001 -- a validator that cannot read None says nothing
        pass
    return ""


def _in_its_form(exc: Exception, f, value: Any) -> Exception:
    """A string field given another type, said in the form its validator wants ("expected an
    address like tcp://127.0.0.1:5570, got 27340"), not only "expected a string, got 27340"
    (trial23a finding 8: `risk_shards_from = 27340`, after docs/operations.md named it by
    its port); so is a whole-number field given a float, with its range ("expected a whole
    number from 1 to 1000, got 1000000000.0", not "expected a whole number, got
    1000000000.0": trial25b F7, `limit 1e9`). exc as it was when the field is neither, or its
    validator says nothing."""
    if f.validator is None:
        return exc
    if not ((f.type is str and not isinstance(value, str))
            or (f.type is int and isinstance(value, float))):
        return exc
    try:
        f.validator(None, f, value)
    except ValueError as said:
        if str(said).startswith("expected ") and str(said) != str(exc):
            return ValueError(str(said))        # the field's key comes from its note
    except Exception:  # noqa: BLE001 -- a validator that cannot read the value says nothing
        pass
    return exc


def _validate_each(cl: type, fields, kwargs: dict) -> list[Exception]:
    """Run each field's converter and validator on its own, so all failures are seen."""
    errors: list[Exception] = []
    for f in fields:
        key = f.alias or f.name
        if f.validator is None:
            continue
        if key in kwargs:
            value = kwargs[key]
            if f.converter is not None:
                try:
                    value = f.converter(value)
                except Exception as exc:  # noqa: BLE001
                    errors.append(_noted(exc, cl, f.name, f.type))
                    continue
        elif isinstance(f.default, attrs.Factory):
            value = f.default.factory()
        else:
            value = f.default
        try:
            f.validator(None, f, value)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    return errors


def _shaped(inner, kind: type, name: str):
    """Check the TOML shape first (a table for dict[...], an array for list[...]): cattrs
    would otherwise read a string as a list of characters or fail with an AttributeError."""
    def hook(data: Any, t: type) -> Any:
        if not isinstance(data, kind):
            raise ValueError(f"expected {name}, got {data!r}")
        return inner(data, t)
    return hook


def make_config_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(float, _strict(float, "a number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(Decimal, lambda v, _t: to_money(v))
    conv.register_structure_hook(Union[str, int], _str_or_int)
    conv.register_unstructure_hook(Decimal, _money_to_toml)
    conv.register_structure_hook_factory(attrs.has, lambda cl: _collecting_hook(conv, cl))
    conv.register_structure_hook_factory(
        is_mapping, lambda cl: _shaped(make_mapping_structure_fn(cl, conv), dict, "a table"))
    conv.register_structure_hook_factory(
        is_mutable_sequence, lambda cl: _shaped(list_structure_factory(cl, conv), list, "a list"))
    return conv


config_converter = make_config_converter()


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_none(v) for v in data]
    return data


def to_toml_data(obj: Any) -> Any:
    """A config model (or part of it) -> plain data TOML can hold (None keys left out)."""
    return _drop_none(config_converter.unstructure(obj))


def whole_numbers(data: Any) -> Any:
    """Plain config data with every whole float written as a whole number (15.0 -> 15), as the
    file and every screen spell it (human_value); a fraction (0.05) stays. Trial 2026-12-06:
    `config show` printed "session_minutes = 15.0" for the file's "session_minutes = 15"."""
    if isinstance(data, dict):
        return {k: whole_numbers(v) for k, v in data.items()}
    if isinstance(data, list):
        return [whole_numbers(v) for v in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)
    return data


def _inline(value: Any) -> Any:
    import tomlkit
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _inline(v)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for v in value:
            array.append(_inline(v))
        return array
    return value


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_PLAIN_TEXT = re.compile(r"[ !#-\[\]-~]*\Z")     # printable ASCII but for " and \


def _plain_toml(value: Any) -> Optional[str]:
    """value as tomlkit writes it on one line, for what needs no quoting rule: true/false,
    a whole number, a float, text of printable ASCII without a quote or backslash, lists and
    tables of those with bare keys; None for anything else (tomlkit writes that)."""
    kind = type(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    if kind is str:
        return f'"{value}"' if _PLAIN_TEXT.match(value) else None
    if kind is list:
        items = [_plain_toml(v) for v in value]
        return None if None in items else "[" + ", ".join(items) + "]"    # type: ignore[arg-type]
    if kind is dict:
        pairs = [(k, _plain_toml(v)) for k, v in value.items()]
        if any(not isinstance(k, str) or not _BARE_KEY.match(k) or v is None for k, v in pairs):
            return None
        return "{" + ", ".join(f"{k} = {v}" for k, v in pairs) + "}"
    return None


def toml_value_text(value: Any) -> str:
    """One value as TOML writes it on one line: 500, "gross", ["CL"], {loss = 100, ...}.

    The plain values every status document shows (numbers, words, lists of them) are written
    here; tomlkit, as it writes them, only for the rest: importing it cost risk 0.8 MB, for
    the rules' parameters in each status answer (docs/performance.md, "Memory")."""
    value = config_converter.unstructure(value)
    plain = _plain_toml(value)
    if plain is not None:
        return plain
    import tomlkit
    return tomlkit.item(_inline(value)).as_string()


def human_value(value: Any) -> str:
    """One setting as a person reads it: 600 (not 600.0), true, "text", [1, 2] -- TOML's own
    spelling, never a Python repr (True, Decimal('100'))."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return toml_value_text(value)
    except Exception:  # noqa: BLE001 -- a value TOML cannot hold is still shown
        return str(value)
