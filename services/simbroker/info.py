"""Where the sim broker is and how to log in to it: the document of /sim/info and `riskctl sim info`.

Light on purpose (config only, no server imports) so the CLI can print it
without the sim running. What the sim serves on GET /sim/info (served_info) masks its api key,
as riskctl masks every secret: any local program may read that page, and nothing needs the key
from it (riskctl and riskd read it from the config file; trial18c).
"""
from __future__ import annotations

from shared.config.sections import BrokerConfig
from shared.redact import MASK

KEY_IN = ("riskd's config file, [broker] api_key (the sim's built-in one when it sets none: "
          "docs/simbroker.md, Logging in)")


def sim_info(broker: BrokerConfig) -> dict:
    """{"rest_url", "user_hub", "market_hub", "user_name", "api_key", "accounts": [{"id", "name"}]}."""
    rest_url, user_hub, market_hub = broker.endpoints()
    return {"rest_url": rest_url, "user_hub": user_hub, "market_hub": market_hub,
            "user_name": broker.user_name, "api_key": broker.api_key,
            "accounts": [{"id": a.id, "name": a.name} for a in broker.sim.accounts]}


def served_info(broker: BrokerConfig) -> dict:
    """The document of GET /sim/info: sim_info with its api key masked, and where to read it."""
    return {**sim_info(broker), "api_key": MASK, "api_key_in": KEY_IN}
