"""Secret config fields: which they are, and the masked view `riskctl config show` prints.

A field is secret when it carries metadata={"secret": True} (or is declared repr=False,
which the spine used for broker.api_key). Masking keeps whether a secret is set: a set
secret shows as "***", an empty one as "". (The secret VALUES of a running config, for
log redaction, come from shared.redact.secrets_of.)
"""
from __future__ import annotations

from typing import Any, get_args, get_origin

import attrs

from shared.config.convert import to_toml_data

MASK = "***"


def is_secret(field: attrs.Attribute) -> bool:
    return bool(field.metadata.get("secret")) or field.repr is False


def _attrs_class_of(tp: Any) -> type | None:
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    for arg in get_args(tp):
        found = _attrs_class_of(arg)
        if found is not None:
            return found
    return None


def secret_paths(cls: type, prefix: str = "") -> list[str]:
    """Dotted paths of every secret field under cls ('*' stands for a list index or dict key)."""
    out: list[str] = []
    for f in attrs.fields(attrs.resolve_types(cls)):
        path = f"{prefix}.{f.name}" if prefix else f.name
        if is_secret(f):
            out.append(path)
            continue
        inner = _attrs_class_of(f.type)
        if inner is None:
            continue
        origin = get_origin(f.type)
        if origin in (list, dict):
            out += secret_paths(inner, f"{path}.*")
        else:
            out += secret_paths(inner, path)
    return out


def _mask_at(data: Any, parts: list[str]) -> None:
    if not parts or data is None:
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        items = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
        for item in items:
            _mask_at(item, rest)
        return
    if not isinstance(data, dict) or head not in data:
        return
    if rest:
        _mask_at(data[head], rest)
    elif data[head]:
        data[head] = MASK


def masked_data(config: Any) -> dict:
    """The config as plain TOML data with every set secret replaced by '***'."""
    data = to_toml_data(config)
    for path in secret_paths(type(config)):
        _mask_at(data, path.split("."))
    return data


def mask_document(doc: Any, cls: type) -> Any:
    """Mask secrets in place in a parsed TOML document (tomlkit or dict) of class cls."""
    for path in secret_paths(cls):
        _mask_at(doc, path.split("."))
    return doc
