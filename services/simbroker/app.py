"""The simbroker worker process: the REST and hub servers beside the Worker loop.

setup() builds the Gateway (market + accounts), binds the REST server on
[broker.sim] host:port and the hubs on host:hub_port (threads), and runs the
random walk from the loop's timer every tick_interval seconds (0: never),
and (persist = true) keeps its state in <data_dir>/simbroker.sqlite3: records
saved as they change, bars every second and at shutdown, all restored at start.
teardown() stops the burst, both servers and their threads.
"""
from __future__ import annotations

import logging
import ssl
import sys

from services.simbroker.controls import Controls
from services.simbroker.gateway import Gateway
from services.simbroker.hubs import HubServer
from services.simbroker.info import served_info
from services.simbroker.ordering import quirks_of
from services.simbroker.rest import RestServer
from services.simbroker.store import SimStore
from services.simbroker.tls import TlsSetupError, ensure_files, server_context
from shared.plural import plural
from shared.porttaken import BindFailed
from shared.worker import EXIT_CONFIG, Worker

log = logging.getLogger(__name__)

SAVE_INTERVAL = 1.0      # s between saves of the bars (a crash loses at most this of them)


def serving(gateway) -> str:
    """'2 accounts, 64 contracts': what the sim serves, counted in its ledger (the accounts a
    previous run saved included, not only the configured ones)."""
    return (f"{plural(len(gateway.ledger.accounts), 'account')}, "
            f"{plural(len(gateway.market.specs), 'contract')}")


class SimBrokerWorker(Worker):
    """Sim broker: a local ProjectX-compatible gateway with a simulated market."""

    name = "simbroker"
    threaded = True      # HTTP threads, the hub loop and the burst thread: a fill created by
                         # an HTTP thread must not wait 5 ms for the hub loop to send it

    def setup(self) -> None:
        broker = self.config.broker
        sim = broker.sim
        self.store = SimStore(self.loaded.data_dir) if sim.persist else None
        try:
            self.gateway = Gateway(sim, broker.user_name, broker.api_key, self.clock,
                                   store=self.store)
        except ValueError as exc:          # e.g. a fee keyed by a ticker the sim does not list
            log.error("simbroker: refusing to start, broker.sim is invalid: %s", exc)
            sys.exit(EXIT_CONFIG)
        context = None
        if sim.tls:
            try:
                context = server_context(ensure_files(self.loaded.data_dir, [sim.public_host()]))
            except (TlsSetupError, OSError, ssl.SSLError) as exc:
                log.error("simbroker: refusing to start, [broker.sim] tls = true: %s", exc)
                sys.exit(EXIT_CONFIG)
        self.hubs = HubServer(self.gateway, sim.host, sim.hub_port, sim.ping_interval,
                              sim.client_timeout, sim.wrap_events, sim.negotiate_ttl, context)
        self.hubs.set_quirks(seed=sim.seed, **quirks_of(sim.event_order, sim.duplicate_fills))
        self.gateway.hub = self.hubs
        self.controls = Controls(self.gateway, self.hubs, served_info(broker))
        self.rest = None
        self.hubs.start()
        try:
            self.rest = RestServer(sim.host, sim.port, self.gateway, self.controls, context)
        except OSError as exc:
            self.hubs.stop()
            raise BindFailed(f"{sim.host}:{sim.port}",
                             exc.strerror or str(exc), exc.errno,
                             setting="[broker.sim] port") from None
        self.rest.start()
        if sim.tick_interval > 0:
            self.every(sim.tick_interval, self.gateway.random_walk)
        if self.store is not None:
            self.every(SAVE_INTERVAL, self.gateway.save)
        rest_url, user_hub, market_hub = broker.endpoints()
        log.info("sim broker serving %s, hubs %s and %s; %s", rest_url, user_hub, market_hub,
                 serving(self.gateway))

    def teardown(self) -> None:
        self.controls.stop()
        if self.rest is not None:
            self.rest.stop()
        self.hubs.stop()
        if self.store is not None:
            self.gateway.save()
            self.store.close()
