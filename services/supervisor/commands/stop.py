"""`riskctl stop NAME`: stop a worker and keep it stopped until someone starts it.

market, risk and enforcement guard the accounts: while one of them is stopped
nothing is guarded, so stopping one while any account holds an open position or a
working order needs `confirmed` (riskctl asks, or --yes). The check is here, in the
supervisor, so no client can skip it. A stop is alerted like a crash (the phone hears it, and
hears "back" when the worker runs again), and its answer says plainly what is no longer
guarded. Its alert names who stopped it and what it leaves open (market's answer, asked even
when the stop is confirmed; "not known" when market cannot say). "risk" with risk as shards
stops every shard (services/supervisor/operator.py).
With the sim broker riskd runs (broker.kind = "sim"), stopping simbroker leaves the accounts
unguarded too (market cannot reach it): its alert and answer say so in the crash alert's words
(shared/guardwords.down_line).
"""
from typing import Sequence

import attrs

from services.supervisor.commands.base import Command
from services.supervisor.heldwords import NONE_OPEN, by_account, holds_lines, left_open_header
from services.supervisor.guard import GUARD_WORKERS
from services.supervisor.operator import act, targets
from services.supervisor.untold import timed_out
from shared import guardwords, shards
from shared.accountname import account_called
from shared.messages.control import StopWorker
from shared.messages.market import OrdersRequest, PositionsRequest
from shared.messages.system import error


MARKET_SAID = "market's answer at the stop"


def exposure(positions, orders, name_of) -> tuple[list[str], bool]:
    """What market's two answers say is open: (['Demo 4 holds MNQ long 1'], True) (one line
    per account, heldwords.py: the words of riskd's stop alert too), ([], True) when nothing
    is, or ([why riskd cannot tell], False) when an answer failed. name_of(account id, broker
    name): the account's name in alerts."""
    failed = list(dict.fromkeys(silent_words(r) for r in (positions, orders) if not r.ok))
    if failed:
        return ([f"riskd cannot tell whether accounts hold open positions or working orders "
                 f"({'; '.join(failed)})"], False)
    return holds_lines(by_account(positions.body.positions, orders.body.orders), name_of), True


def silent_words(reply) -> str:
    """Why market gave no answer, as a fact: 'market did not answer within 2 s', 'market
    cannot be asked now'. Never market's own state words ("restarting after a crash (attempt
    4): try again in a few seconds"): a stop's or a shutdown's answer says what it does, and
    its caller is not the one to try market again (task 22c-2: `riskctl shutdown` answered
    with them while market was flapping)."""
    if reply.code == "timeout":
        return timed_out(reply.reason)
    if reply.code == "unreachable":
        return "market cannot be asked now"
    return reply.reason.split(": ")[0]


def exposure_note(positions, orders, name_of) -> str:
    """Why stopping a guard is risky now: the open positions and the working orders it would
    leave unguarded, from market's two answers ('' when there are none of either)."""
    lines, known = exposure(positions, orders, name_of)
    if not lines:
        return ""
    return (f"it would leave unguarded: {'; '.join(lines)}" if known else
            f"{lines[0]}; they may be left unguarded")


def left_open_lines(positions, orders, name_of) -> list[str]:
    """The stop alert's lines on what the stop leaves open, from the same answers the
    confirmation step read: never invented, and said when it cannot be told."""
    lines, known = exposure(positions, orders, name_of)
    if not known:
        return [f"what is left open is not known: {lines[0]}: check the broker's platform"]
    return [left_open_header(MARKET_SAID), *lines] if lines else [f"{NONE_OPEN} ({MARKET_SAID})"]


def answer_lines(left_open: Sequence[str]) -> list[str]:
    """What the stop's answer says is left open: the stop alert's own lines in one sentence
    (trial15c: the alert said "Demo 1 (id 1001) holds MNQ long 2", the answer nothing)."""
    lines = [str(x) for x in left_open]
    if not lines:
        return []
    if lines[0] == str(left_open_header(MARKET_SAID)):
        return [f"Left open, unguarded ({MARKET_SAID}): {'; '.join(lines[1:])}"]
    return [lines[0][0].upper() + lines[0][1:]]


def names_of(sup):
    """How the supervisor's alerts and answers name an account (shared/accountname.py)."""
    return lambda aid, broker_name: account_called(sup.config.accounts, aid, broker_name)


def ask_exposure(sup, answered) -> None:
    """Ask market for open positions and working orders (both at once, 2 s at most), then
    answered(positions_reply, orders_reply)."""
    answers: dict[str, object] = {}

    def one(kind: str, reply) -> None:
        answers[kind] = reply
        if len(answers) == 2:
            answered(answers["positions"], answers["orders"])
    sup.forward("market", PositionsRequest(), lambda r: one("positions", r), timeout=2.0)
    sup.forward("market", OrdersRequest(), lambda r: one("orders", r), timeout=2.0)


def unless_exposed(sup, respond, why: str, proceed) -> None:
    """No open position and no working order: proceed(); some (or no answer): answer
    confirm_needed with `why` and what would be left unguarded."""
    def answered(positions, orders) -> None:
        note = exposure_note(positions, orders, names_of(sup))
        if note:
            respond(error("confirm_needed", f"{why}: {note}"))
        else:
            proceed()
    ask_exposure(sup, answered)


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


# What a stopped notify means for the phone (trial16a finding 7: `riskctl stop notify`
# answered only "notify stopped"): alerts wait, what risk decided is sent late from its
# history, the rest published while it is stopped is lost but its last 10 s (docs/alerts.md).
NOTIFY_STOPPED = ("no alert reaches the phone until it is started again (riskctl start "
                  "notify); then it sends late what risk decided meanwhile (breaches, lockouts "
                  "and their outcomes, read from risk's history); the other alerts published "
                  "while it is stopped (rule warnings, a worker crashed or back, prices stale) "
                  "are lost, but for those of its last 10 s (docs/alerts.md)")


def stopped_note(name: str) -> str:
    """What the stop's answer adds: what is no longer guarded, or for notify what the phone
    misses and what it gets late ('' for logging)."""
    return NOTIFY_STOPPED if name == "notify" else unguarded_note(name)


def execute(sup, request, respond) -> None:
    names = targets(sup, request.name)
    note = unguarded_note(request.name)
    stopped = stopped_note(request.name)      # what is no longer guarded (notify: the phone)
    if not note and request.name in guardwords.broker_workers(sup.config.broker.kind):
        stopped = guardwords.down_line(request.name)     # the sim broker: the crash's words
    who = sup.requester        # the admin's session (role:user), for the stop alert

    said: list[str] = []          # what the stop leaves open, for the answer too

    def answer(reply) -> None:
        extra = "".join(f". {x}" for x in (stopped, *said) if x)
        respond(attrs.evolve(reply, reason=f"{reply.reason}{extra}") if reply.ok and extra
                else reply)

    def stop(left_open: Sequence[str] = ()) -> None:
        sup.announce_stop(names, request.reason, who, left_open)   # the phone hears it
        said.extend(answer_lines(left_open))
        act(names, sup.stop_worker, answer)

    if not note:                         # notify, logging: they guard nothing
        stop()
        return

    def answered(positions, orders) -> None:
        risky = exposure_note(positions, orders, names_of(sup))
        if risky and not request.confirmed:
            respond(error("confirm_needed", f"{request.name} guards the accounts: {risky}"))
        else:
            stop(left_open_lines(positions, orders, names_of(sup)))
    ask_exposure(sup, answered)       # even when confirmed: the alert says what is left open


# Stopping a worker that guards accounts is an admin's decision (DESIGN.md, CLI roles).
COMMAND = Command(StopWorker, "admin", execute)
