"""Two sims never share a port: the second bind fails (Windows: SO_EXCLUSIVEADDRUSE, no reuse)."""
from __future__ import annotations

import errno

import pytest

from services.simbroker.rest import RestServer


def test_a_second_sim_on_a_busy_port_is_refused():
    first = RestServer("127.0.0.1", 0, None, None)
    try:
        port = first.server_address[1]
        with pytest.raises(OSError) as err:
            RestServer("127.0.0.1", port, None, None)
        assert err.value.errno in (errno.EADDRINUSE, 10048)      # WSAEADDRINUSE
    finally:
        first.server_close()

