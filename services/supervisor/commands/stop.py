"""`riskctl stop NAME`: stop a worker and keep it stopped until someone starts it.

market, risk and enforcement guard the accounts: while one of them is stopped
nothing is guarded, so stopping one while any account holds an open position or a
working order needs `confirmed` (riskctl asks, or --yes). The check is here, in the
supervisor, so no client can skip it. A stop is alerted like a crash (the phone hears it, and
hears "back" when the worker runs again), and its answer says plainly what is no longer
guarded. "risk" with risk as shards stops every shard (services/supervisor/operator.py).
"""
import attrs

from services.supervisor.commands.base import Command
from services.supervisor.guard import GUARD_WORKERS
from services.supervisor.operator import act, targets
from shared import shards
from shared.messages.control import StopWorker
from shared.messages.market import OrdersRequest, PositionsRequest
from shared.messages.system import error


def exposure_note(positions, orders) -> str:
    """Why stopping a guard is risky now: the open positions and the working orders it would
    leave unguarded, from market's two answers ('' when there are none of either)."""
    failed = [r.reason for r in (positions, orders) if not r.ok]
    if failed:
        return (f"riskd cannot tell whether accounts hold open positions or working orders "
                f"({'; '.join(failed)}); they may be left unguarded")
    rows = list(positions.body.positions) + list(orders.body.orders)
    if not rows:
        return ""
    counts = [f"{n} {what}(s)" for n, what in ((len(positions.body.positions), "open position"),
                                              (len(orders.body.orders), "working order")) if n]
    accounts = sorted({r.account_name or str(r.account_id) for r in rows})
    return f"{' and '.join(counts)} on {', '.join(accounts)} would be left unguarded"


def unless_exposed(sup, respond, why: str, proceed) -> None:
    """Ask market for open positions and working orders (both at once, 2 s at most); none:
    proceed(); some (or no answer): answer confirm_needed with `why` and what would be left
    unguarded."""
    answers: dict[str, object] = {}

    def answered(kind: str, reply) -> None:
        answers[kind] = reply
        if len(answers) < 2:
            return
        note = exposure_note(answers["positions"], answers["orders"])
        if note:
            respond(error("confirm_needed", f"{why}: {note}"))
        else:
            proceed()
    sup.forward("market", PositionsRequest(), lambda r: answered("positions", r), timeout=2.0)
    sup.forward("market", OrdersRequest(), lambda r: answered("orders", r), timeout=2.0)


def unguarded_note(name: str) -> str:
    """What a stopped guard worker means, said plainly in the stop's answer ('' for the others:
    notify and logging guard nothing)."""
    base = shards.base_name(name)
    if base not in GUARD_WORKERS:
        return ""
    whose = "the accounts" if name == base else f"the accounts of shard {name}"
    until = f"until it is started again (riskctl start {name})"
    if base == "enforcement":
        return (f"riskd no longer acts on breaches (no position is closed, no order cancelled): "
                f"the accounts are NOT guarded {until}")
    what = ("no fills, positions or prices reach risk" if base == "market"
            else "no rule is checked")
    return f"riskd no longer guards {whose} ({what}) {until}"


def execute(sup, request, respond) -> None:
    names = targets(sup, request.name)
    note = unguarded_note(request.name)

    def answer(reply) -> None:
        respond(attrs.evolve(reply, reason=f"{reply.reason}. {note}") if reply.ok and note
                else reply)

    def stop() -> None:
        sup.announce_stop(names, request.reason)          # the phone hears it, like a crash
        act(names, sup.stop_worker, answer)

    if request.confirmed or not note:
        stop()
        return
    unless_exposed(sup, respond, f"{request.name} guards the accounts", stop)


# Stopping a worker that guards accounts is an admin's decision (DESIGN.md, CLI roles).
COMMAND = Command(StopWorker, "admin", execute)
