"""The catalog of every message type on riskd's sockets, by area.

Adding a message: define the attrs class in its area module and list it in
that module's ALL tuple; the catalog refuses a duplicate name (the tests load
every area: tests/unit/bus/test_codec.py).

The areas are not all imported with this package: each process imports the areas
whose classes it uses (its own code's imports), and the catalog registers an
imported area the first time it is asked for a name it does not know yet. Only a
name no imported area defines imports the rest (once). Every area in every process
cost each of them about 2.7 MB (docs/performance.md, "Memory"); the logging worker,
for one, handles no market, config, auth or accounts message.
"""
from shared.messages.catalog import AnyMessage, Catalog

AREAS = ("system", "market", "control", "logs", "notify", "risk", "enforce", "config", "auth",
         "accounts")

CATALOG = Catalog(package=__name__, areas=AREAS)

__all__ = ["AREAS", "CATALOG", "AnyMessage", "Catalog"]
