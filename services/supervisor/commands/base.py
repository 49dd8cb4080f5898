"""The shape of a control command, the explicit registry, and forwarding to a worker.

A command is one module in this package defining COMMAND = Command(...):
  request  the catalog message riskctl sends (inside a ControlRequest)
  role     who may run it: "trader" (anyone), "ops" or "admin"
  execute  execute(sup, request, respond): runs in the supervisor loop and
           calls respond(reply) exactly once, now or later (a restart answers
           only once the new process is confirmed up)
The help text is the request class's docstring. Registration is an explicit
tuple in commands/__init__.py; a duplicate request type is refused.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

import attrs

from services.supervisor.riskshards import forward_risk
from services.supervisor.untold import unanswered
from shared.commandwords import words
from shared.messages.system import Reply

ROLES = ("trader", "ops", "admin")
Respond = Callable[[Reply], None]
Execute = Callable[[Any, Any, Respond], None]


@attrs.frozen
class Command:
    request: type
    role: str = attrs.field(validator=attrs.validators.in_(ROLES))
    execute: Execute
    audited: bool = False      # ops/admin actions are always audited; trader reads are not

    @property
    def name(self) -> str:
        return self.request.__name__

    @property
    def said(self) -> str:
        """The command as the person typed it (`riskctl rules set`), for answers; the request's
        name for a request riskctl does not send by one command."""
        said = words(self.name)
        return f"`riskctl {said}`" if said else self.name

    @property
    def help(self) -> str:
        return (self.request.__doc__ or "").strip().splitlines()[0] if self.request.__doc__ else ""


class Registry:
    def __init__(self, commands: Iterable[Command]):
        self._by_type: dict[type, Command] = {}
        for command in commands:
            if command.request in self._by_type:
                raise ValueError(f"command for {command.name} is registered twice")
            self._by_type[command.request] = command

    def get(self, request_type: type) -> Command | None:
        return self._by_type.get(request_type)

    def __iter__(self):
        return iter(self._by_type.values())


def forward(worker: str, timeout: float = 3.0) -> Execute:
    """An execute function that hands the request to `worker` and relays its reply."""
    def execute(sup, request, respond: Respond) -> None:
        sup.forward(worker, request, respond, timeout=timeout)
    execute.__name__ = f"forward_to_{worker}"
    return execute


def to_risk(timeout: float = 3.0,
            untold: Optional[Callable[[Any], tuple[str, str]]] = None) -> Execute:
    """An execute function for a risk request: to its shard, or every shard's answers merged
    (services/supervisor/riskshards.py); with one risk, the same as forward("risk").
    untold(request) -> (action, outcome): an action risk may have taken without answering in
    time is said as not known, with those words (services/supervisor/untold.py)."""
    def execute(sup, request, respond: Respond) -> None:
        told = respond if untold is None else \
            (lambda reply: respond(unanswered(reply, *untold(request))))
        forward_risk(sup, request, told, timeout=timeout)
    execute.__name__ = "forward_to_risk"
    return execute
