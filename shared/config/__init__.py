"""riskd configuration: the attrs model, loading and validation."""
from shared.config.errors import ConfigError, Problem
from shared.config.load import LoadedConfig, load_config
from shared.config.model import Config

__all__ = ["Config", "ConfigError", "LoadedConfig", "Problem", "load_config"]
