"""Bus messages from another riskd on this machine: never acted on, counted, and said once.

Two riskds with the same ports (docs/operations.md, "Two riskd on one machine") meet on the
bus whenever one of this riskd's worker ports is free (a worker restarting or stopped): the
other riskd's worker binds it, and this riskd's subscribers, which connect to that address,
used to take its quotes, fills and commands as their own worker's. Every bus publisher of a
riskd stamps its frames with its riskd's instance id (shared/instanceid.py, shared/codec.py),
and every subscriber of a riskd started by its supervisor decodes with its own id: a frame of
another instance, or of a sender with none (a riskd from before the id was carried, a program
outside riskd), is dropped before its fields are read, before it counts for the stream's order
(it is not this riskd's worker restarting), and never reaches the worker's handlers. The
answer risk re-syncs its market state from (market's snapshot, services/risk/asker.py) is
checked the same way: workers stamp their replies (shared/bus/rpc.py).

A frame of the riskd that last ran on this data dir (instanceid.previous(): a killed riskd's
workers, still running until the new riskd ends them) is dropped the same way but said as
that, at INFO: no other riskd is involved and no port needs changing.

Each process says it once per foreign sender, as a WARNING naming the other riskd's instance,
the publisher and the topic, and counts the rest (`dropped`); at most SAY_AT_MOST senders are
named, so a flood of made-up ids cannot flood the log. A process started without a supervisor
(a test, a worker run by hand) has no id and checks nothing.
"""
from __future__ import annotations

import logging

from shared import codec, instanceid

log = logging.getLogger("riskd.bus.foreign")

SAID = "messages from another riskd on this machine were ignored, not acted on"
OWN_SAID = "messages from a worker of this riskd's last run were ignored, not acted on"
SAY_AT_MOST = 8


class Foreign:
    """What one process dropped as another riskd's, for all its subscribers."""

    def __init__(self) -> None:
        self.dropped = 0
        self.said: set[bytes] = set()

    def drop(self, frame: codec.ForeignFrame, topic: bytes = b"", answer_to: str = "") -> None:
        """A published frame (its topic), or the answer to a request (`answer_to`: which)."""
        self.dropped += 1
        if frame.instance in self.said or len(self.said) >= SAY_AT_MOST:
            return
        self.said.add(frame.instance)
        topic_text = topic.decode("utf-8", "replace")
        if frame.instance and frame.instance == instanceid.previous():
            how = (f"sent by {frame.publisher} (its answer to {answer_to})" if answer_to
                   else f"published by {frame.publisher} (topic {topic_text!r})")
            log.info("%s: a %s %s of riskd instance %s, the last riskd started on this data "
                     "dir, whose workers were left running when it was killed and are ended "
                     "by this start; no other riskd is involved and no port needs changing",
                     OWN_SAID, frame.name, how, frame.instance.decode("utf-8", "replace"),
                     extra={"foreign_instance": frame.instance.decode("utf-8", "replace"),
                            "foreign_publisher": frame.publisher,
                            "foreign_topic": topic_text or answer_to})
            return
        who = (f"riskd instance {frame.instance.decode('utf-8', 'replace')}" if frame.instance
               else "a sender with no riskd instance id (a riskd older than this one, or a "
                    "program outside riskd)")
        how = (f"sent by {frame.publisher} of {who} (its answer to {answer_to})" if answer_to
               else f"published by {frame.publisher} of {who} (topic {topic_text!r})")
        log.warning("%s: a %s %s, which holds an address of this riskd's; give every riskd on "
                    "this machine its own ports (docs/operations.md, \"Two riskd on one "
                    "machine\")", SAID, frame.name, how,
                    extra={"foreign_instance": frame.instance.decode("utf-8", "replace"),
                           "foreign_publisher": frame.publisher,
                           "foreign_topic": topic_text or answer_to})


FOREIGN = Foreign()     # the process's one account of what it dropped
