"""A port riskd cannot bind names its setting (shared/porttaken.py): every [bus] address, a risk
shard's pair, the sim's ports; the advice about another riskd only when the port is in use."""
from __future__ import annotations

import errno
import socket

import pytest
import zmq

from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.config.sections import BusConfig
from shared.porttaken import DOC, BindFailed, explain, setting_of
from tests.support.env import make_config


@pytest.fixture
def loaded(tmp_path):
    return load_config(make_config(tmp_path, supervisor={"risk_shards": 3}))


def test_every_bus_address_and_a_shards_pair_name_their_setting(loaded):
    config = loaded.config
    for key in BusConfig.address_keys():
        if key != "risk_shards_from":
            assert setting_of(getattr(config.bus, key), config) == f"[bus] {key}"
    from shared import shards
    pub, control = shards.addresses(config.bus, 2)
    assert setting_of(pub, config) == "[bus] risk_shards_from (risk-2's pub)"
    assert setting_of(control, config) == "[bus] risk_shards_from (risk-2's control)"
    assert setting_of("tcp://127.0.0.1:1", config) == ""


def test_a_taken_port_says_the_setting_another_riskd_and_the_doc(loaded):
    holder = socket.socket()
    holder.bind(("127.0.0.1", int(loaded.config.bus.market_pub.rsplit(":", 1)[1])))
    holder.listen()
    try:
        with pytest.raises(BindFailed) as caught:
            make_socket(zmq.Context.instance(), zmq.XPUB, bind=loaded.config.bus.market_pub)
    finally:
        holder.close()
    assert caught.value.in_use
    text = explain(caught.value, loaded.config, loaded.path)
    assert text.startswith(f"cannot bind {loaded.config.bus.market_pub} ([bus] market_pub in "
                           f"{loaded.path}): Address already in use. Another riskd"), text
    assert "addr=" not in text                  # pyzmq's own copy of the address, said once
    assert "riskctl --config ITS_CONFIG status" in text and text.endswith(DOC)


def test_the_sims_ports_and_other_failures(loaded):
    sim = BindFailed("127.0.0.1:5601", "address already in use", errno.EADDRINUSE,
                     setting="[broker.sim] hub_port")
    assert "([broker.sim] hub_port in " in explain(sim, loaded.config, loaded.path)
    other = BindFailed("tcp://10.0.0.1:5570", "Cannot assign requested address",
                       errno.EADDRNOTAVAIL)
    text = explain(other, loaded.config)
    assert "Another riskd" not in text and DOC in text
    assert explain(OSError("disk full"), loaded.config) == "disk full"
