"""The catalog of every message type on riskd's sockets, by area.

Adding a message: define the attrs class in its area module and list it in
that module's ALL tuple; the catalog refuses a duplicate name.
"""
from shared.messages import config, control, enforce, logs, market, notify, risk, system
from shared.messages import accounts, auth
from shared.messages.catalog import AnyMessage, Catalog

CATALOG = Catalog((*system.ALL, *market.ALL, *control.ALL, *logs.ALL, *notify.ALL,
                   *risk.ALL, *enforce.ALL, *config.ALL, *auth.ALL,
                   *accounts.ALL))

__all__ = ["CATALOG", "AnyMessage", "Catalog"]
