"""riskd configuration: the attrs model, loading and validation."""
from shared.config.checks import effective_rules
from shared.config.errors import ConfigError, Problem
from shared.config.load import LoadedConfig, load_config
from shared.config.model import Config
from shared.config.rules import RULE_NAMES, RulesConfig

__all__ = ["Config", "ConfigError", "LoadedConfig", "Problem", "RULE_NAMES", "RulesConfig",
           "effective_rules", "load_config"]
