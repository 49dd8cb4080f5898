"""riskd configuration: the attrs model, loading and validation.

The names below are imported on first use (PEP 562): a process that needs one part of the
package (riskctl reading [bus].control) does not pay for the rest at start-up.
"""
from __future__ import annotations

import importlib

_HOME = {"effective_rules": "checks", "ConfigError": "errors", "Problem": "errors",
         "LoadedConfig": "load", "load_config": "load", "Config": "model",
         "RULE_NAMES": "rules", "RulesConfig": "rules"}

__all__ = ["Config", "ConfigError", "LoadedConfig", "Problem", "RULE_NAMES", "RulesConfig",
           "effective_rules", "load_config"]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
