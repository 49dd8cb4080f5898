"""Where the sim broker is and how to log in to it: the document of /sim/info and `riskctl sim info`.

Light on purpose (config only, no server imports) so the CLI can print it
without the sim running.
"""
from __future__ import annotations

from shared.config.sections import BrokerConfig


def sim_info(broker: BrokerConfig) -> dict:
    """{"rest_url", "user_hub", "market_hub", "user_name", "api_key", "accounts": [{"id", "name"}]}."""
    rest_url, user_hub, market_hub = broker.endpoints()
    return {"rest_url": rest_url, "user_hub": user_hub, "market_hub": market_hub,
            "user_name": broker.user_name, "api_key": broker.api_key,
            "accounts": [{"id": a.id, "name": a.name} for a in broker.sim.accounts]}
