"""[broker.sim] validation and BrokerConfig.endpoints(), the one source of the broker URLs."""
from __future__ import annotations

import pytest

from shared.config.errors import ConfigError
from shared.config.load import validate_data


def broker(**sim):
    return validate_data({"broker": {"sim": sim}}, "riskd.toml").broker


def test_sim_endpoints_derive_from_host_and_ports():
    b = broker(host="0.0.0.0", port=6000, hub_port=6001, tick_interval=0)
    assert b.endpoints() == ("http://127.0.0.1:6000", "http://127.0.0.1:6001/hubs/user",
                             "http://127.0.0.1:6001/hubs/market")
    assert b.sim.tick_interval == 0 and b.sim.token_ttl == 86400 and b.sim.wrap_events is True
    assert [(a.id, a.name) for a in b.sim.accounts] == [(1001, "SIM-DEMO-1"), (1002, "SIM-DEMO-2")]


def test_projectx_endpoints_are_the_configured_urls():
    b = validate_data({"broker": {"kind": "projectx", "rest_url": "https://api.example.com/"}},
                      "riskd.toml").broker
    assert b.endpoints() == ("https://api.example.com", "https://rtc.topstepx.com/hubs/user",
                             "https://rtc.topstepx.com/hubs/market")


@pytest.mark.parametrize("sim, where, says", [
    ({"hub_port": 5600}, "broker.sim.hub_port", "other than port 5600"),
    ({"fees": {"MNQ": -1.0}}, "broker.sim.fees", "0 or more"),
    ({"tick_interval": -1}, "broker.sim.tick_interval", "0 or more"),
    ({"token_ttl": 0}, "broker.sim.token_ttl", "greater than 0"),
    ({"accounts": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}, "broker.sim.accounts",
     "distinct account ids"),
    ({"wrap": True}, "broker.sim.wrap", "unknown key"),
])
def test_bad_sim_settings_name_the_key(sim, where, says):
    with pytest.raises(ConfigError) as err:
        broker(**sim)
    text = str(err.value)
    assert where in text and says in text, text
