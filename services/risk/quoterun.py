"""A run of quotes read off market's stream, merged per contract before any is structured.

Risk read every quote market published (20,000 a second in the scale bench's storm) and
decoded each into a Quote (cattrs, three Decimals: ~10 us with its envelope, most of risk's
core at 500 accounts), while the rules judge only the latest price of each contract
(services/risk/moves.py). The worker's drain now unpacks a quote's frame (msgpack, its
envelope checked and its sequence number tracked as before) and merges its fields here;
one Quote per contract is structured when the run ends (an event comes, or the drain does).

Merging is what the engine's market view does with quotes in order: a quote is sparse (a
price it does not carry keeps the previous one), so the merged fields are the latest value
of each price and the latest time; the view ends up the same. A merged run whose fields do
not make a Quote (never seen from market) is counted as a bad frame, as a bad frame is.
"""
from __future__ import annotations

import logging

from shared import codec
from shared.messages.market import Quote

log = logging.getLogger(__name__)

QUOTE_TYPE = "Quote"


class QuoteRun:
    """Merged quote fields per contract, in the order contracts first came."""

    def __init__(self) -> None:
        self._fields: dict = {}
        self.bad = 0

    def __bool__(self) -> bool:
        return bool(self._fields)

    def add(self, fields: dict) -> None:
        cid = fields.get("contract_id")
        merged = self._fields.get(cid)
        if merged is None:
            self._fields[cid] = fields
            return
        for key, value in fields.items():
            if value is not None:
                merged[key] = value

    def take(self) -> list[Quote]:
        """The run's quotes, one per contract; the run starts empty again."""
        out = []
        for fields in self._fields.values():
            try:
                out.append(codec.structure(QUOTE_TYPE, fields))
            except codec.DecodeError as exc:
                self.bad += 1
                log.warning("bad quote from market: %s", exc)
        self._fields.clear()
        return out
