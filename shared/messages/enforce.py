"""Enforcement messages: the commands risk sends and the results enforcement reports.

Protocol (risk side, services/risk/outbox.py):
- Every enforce-mode or alert-mode decision with an action becomes one Command with a unique id
  (`<decision id>.<n>`). Risk commits it to its SQLite outbox BEFORE publishing it on its PUB
  socket, topic 'cmd' (shared.topics.COMMAND).
- Enforcement SUBscribes to risk's PUB on 'cmd', executes each command id at most once
  (journaled durably on its side), and publishes a CommandResult on its own PUB, topic 'result'
  (shared.topics.RESULT). A duplicate id is answered with the stored result again.
- Risk SUBscribes to enforcement's PUB on 'result' and drops the command from the outbox when a
  final result (done, failed, skipped, withdrawn) arrives. A command without a final result is
  re-sent after a timeout (default 2 s, bounded backoff) and again whenever risk restarts or
  sees enforcement's publisher come back with a new epoch. status='accepted' only proves
  enforcement has it (it resets the re-send timer).
- A WithdrawCommand (same topic) takes a command back: its lockout was ended by an admin, or
  its account is no longer guarded. Enforcement ends it 'withdrawn' unless it is running at
  that moment (a broker call cannot be stopped half-way: it finishes as it would have); a
  withdraw of a finished or unknown id is answered with the stored result (an unknown id is
  journaled withdrawn, so the command arriving late never runs).
- mode='alert' commands are answered with a 'skipped' result describing what would have been
  done, without any broker call.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

ACCEPTED, DONE, FAILED, SKIPPED = "accepted", "done", "failed", "skipped"
# final: risk took the command back before it ran (WithdrawCommand): nothing was sent for it
WITHDRAWN = "withdrawn"
# what a pending command waits for (CommandResult.waits_for): the broker refused it because the
# market is closed, and enforcement sends it again when it opens (services/enforcement/executor.py)
MARKET_OPEN = "the market to open"
# a restarted enforcement resumes the unfinished commands of its journal younger than this (s);
# older ones run again only if risk sends them again (an admin's flatten: never)
RESUME_WINDOW_S = 600
# CommandState.state of a command a restarted enforcement resumes only once risk has had its
# say on it (its re-send or its withdraw, at most 5 s: services/enforcement/app.py _resume):
# nothing of it is sent meanwhile, not even a read
HELD = "held"
FINAL_STATUSES = (DONE, FAILED, SKIPPED, WITHDRAWN)
# the actions that close at the broker: a close call of theirs held there may be carried out
# after riskd gave up on it (enforcement's lost_before_restart; the crash alert's words)
CLOSING_ACTIONS = frozenset({"close_position", "reduce_position", "flatten"})


def found_nothing_to_do(status: str, first_answer_ns: int) -> bool:
    """A done command that changed nothing at the broker: none of its trading calls got an
    answer other than "already done" (the account or contract was already flat, the order
    already gone), or it needed none. The screens show it as "nothing to do"; the phone is not
    told (docs/alerts.md, What is sent); history and the logs keep it."""
    return status == DONE and not first_answer_ns


def closed_nothing(r) -> bool:
    """A done command (a CommandResult or CommandState) whose own point was not carried out
    because there was nothing to carry out: found_nothing_to_do, or a close_position whose close
    call found no position (the contract already flat: the trader's own sell, a target, closed
    it; `closed_nothing`), whatever else it did (the orders it cancelled, said on their own).
    Every screen reads it "nothing to do" (trial22a F3: the same already-flat close read
    "nothing to do", and "done" with a "✅ Done" alert when it also cancelled the trader's
    stop, which read as "riskd closed it")."""
    return found_nothing_to_do(r.status, getattr(r, "first_answer_ns", 0)) or (
        r.status == DONE and getattr(r, "closed_nothing", False))


@attrs.frozen(kw_only=True)
class Command:
    """One action against the broker, idempotent by id."""
    id: str
    decision_id: str
    account_id: int
    action: str                      # shared.messages.risk ACTIONS (never 'none')
    mode: str = "enforce"            # enforce | alert
    contract_id: Optional[str] = None
    order_id: Optional[int] = None
    size: Optional[int] = None       # reduce_position: contracts to close
    stop_price: Optional[Decimal] = None
    rule: str = ""
    reason: str = ""
    issued_ns: int = 0
    event_ns: int = 0                # the triggering broker event (latency)
    attempt: int = 1                 # how many times risk has sent it
    by: str = ""                     # who asked, when not risk ("admin:<user>": the kill switch)
    order_text: str = ""             # the order acted on in words, when risk knows it ("sell
                                     # stop MNQ 2 @ 20880.00": shared/orderwords.py)
    target: Optional[int] = None     # reduce_position: the contracts to end at, whatever size
                                     # enforcement reads (None, commands from before it: cut
                                     # `size` from the size read)
    account_name: str = ""           # the broker's name of the account as risk knew it: results
                                     # name an account the config does not name by it
    held: int = 0                    # close_position: the contracts risk knew held on the
                                     # contract when it decided (long +, short -; 0: not known):
                                     # its result says how many more it closed (bought since)
    # cancel_orders of a contract: only the orders placed at or before this time (the broker's
    # clock; an order of no known time counts as before). riskd's late close's cancel (services/
    # risk/latecarried.py): an order placed after the late fill is the trader's, for what they
    # opened since, and stays. 0: every working order
    placed_by_ns: int = 0
    # flatten: the contracts risk knew open when it decided (none riskd's own closes were still
    # closing). A fresh flatten (one that runs at once, not resumed) closes them before its
    # first read of the broker, then reads and closes whatever else is open (services/
    # enforcement/actions/flatten.py); () (the kill switch, older senders): it reads first
    contracts: tuple[str, ...] = ()
    # close_position, reduce_position: when the position risk decided on opened, by the
    # broker's clock (its creationTimestamp, or the fill that opened it from flat; 0: not
    # known). A position the close or reduce finds opened later is the trader's new one, not
    # its to take (services/enforcement/newerposition.py); risk's next try keeps it
    opened_ns: int = 0
    # flatten: the position risk knew on each of `contracts` (long +, short -; the same order;
    # () from older senders): where enforcement's walk of the orders made during its closes
    # starts (services/enforcement/closefits.py)
    holds: tuple[int, ...] = ()


@attrs.frozen(kw_only=True)
class WithdrawCommand:
    """Risk takes back a command it sent that has not run yet (services/risk/withdraw.py)."""
    command_id: str
    account_id: int
    reason: str                      # "the lockout ended (admin:root)"
    by: str = ""
    what: str = ""                   # the action in words: "flatten (MNQ long 1)"


@attrs.frozen(kw_only=True)
class LostCall:
    """A close of enforcement's whose answer was lost (a timeout, a dropped connection, a 5xx)
    and whose effect it never saw: the broker may carry it out after the result (its fill is
    riskd's, not the trader's). size: contracts of a partial close; 0: a closeContract.
    lost_ns: when enforcement lost track of it (0: not known); how: why, in words risk's
    history says ('timed out', 'answer lost', 'HTTP 500', 'sent before enforcement
    restarted'; '': not known)."""
    contract_id: str
    size: int = 0
    lost_ns: int = 0
    how: str = ""
    # a reduce's cut only: the broker order (a market sell of its size) that is either this
    # cut, carried out, or the trader's own sell, riskd cannot tell which (0: none). A later
    # fill of this cut makes that order the trader's (services/risk/eitherway.py)
    either: int = 0


@attrs.frozen(kw_only=True)
class CloseOrder:
    """A market order at the broker that one of the command's closes created (found by
    Order/search after them: services/enforcement/closeorders.py); its fills are riskd's."""
    order_id: int
    contract_id: str
    side: int
    size: int
    # found in the window of a call the broker answered done (from its sending to its answer):
    # that call's own order, never an earlier close's carried out late (False: found only in
    # the window of a call whose answer was lost, which runs to the search, or not known)
    answered: bool = False


@attrs.frozen(kw_only=True)
class CommandResult:
    """What enforcement did with a command."""
    command_id: str
    account_id: int
    status: str                      # accepted | done | failed | skipped | withdrawn
    detail: str = ""
    attempts: int = 0
    started_ns: int = 0
    finished_ns: int = 0
    event_ns: int = 0
    # added by enforcement (defaults keep older senders valid): what was asked, the broker's
    # first answer to a trading call that did something, not "already done" (latency =
    # first_answer_ns - event_ns; 0: found_nothing_to_do), calls and errors
    action: str = ""
    rule: str = ""
    first_answer_ns: int = 0
    broker_calls: int = 0
    errors: list[str] = attrs.Factory(list)
    # the command's own reason and who asked (the kill switch: the admin's words and name, which
    # risk's history shows; risk never sent that command, so it learns them only here)
    reason: str = ""
    by: str = ""
    # an 'accepted' result of a command that waits (pending in enforcement's journal): what
    # for (MARKET_OPEN); risk tells the phone once per command (services/risk/marketwait.py)
    waits_for: str = ""
    # a final result's closes whose outcome is unknown (LostCall): a call whose answer was
    # lost (or that a killed enforcement had out), then called again because the position
    # still showed its contracts, may still be carried out by the broker (services/
    # enforcement/actions/base.py ActionContext._overtaken, lost_before_restart);
    # risk keeps their fills as riskd's for a while (services/risk/exits.py LATE_NS)
    unsettled: list[LostCall] = attrs.Factory(list)
    # a final result's: the broker orders its closes created (their ids), and whether that
    # list is complete (every close answered done has its order; False: risk decides by its
    # expected exits, as from a sender before them)
    close_orders: list[CloseOrder] = attrs.Factory(list)
    orders_known: bool = False
    # the first answer (first_answer_ns) was riskd giving up on a call after this many seconds
    # ([broker] timeout): no answer came; 0: the broker answered (trial18c section 6)
    first_timed_out_s: float = 0.0
    # an 'accepted' result of a command queued in enforcement's lane, not at the broker: what
    # it waits behind, in words ("riskd's close of MNQ (held at the broker since Mon 08:15:02
    # CST)": services/enforcement/behind.py); '' once it runs
    waits_behind: str = ""
    # when risk issued the command (Command.issued_ns: its decision's time for a first try;
    # 0: not known): the "✅ Done" of one that came late says how late (trial19b finding 8)
    issued_ns: int = 0
    # a done close_position whose close call found no position (closed_nothing): it closed
    # nothing; an order it cancelled is all it did
    closed_nothing: bool = False


@attrs.frozen(kw_only=True)
class CommandState:
    """One command as enforcement's journal has it: received, running, pending or final."""
    command_id: str
    account_id: int
    action: str
    state: str                       # received | running | pending | held | final
    status: str = ""                 # the final status once there is one
    detail: str = ""
    attempts: int = 0
    received_ns: int = 0
    finished_ns: int = 0
    # latency as the live result gives it (first_answer_ns - event_ns), so a screen that only
    # has the journal (riskctl status) shows the same figure as one that saw the result
    event_ns: int = 0
    first_answer_ns: int = 0
    first_timed_out_s: float = 0.0   # as CommandResult's: the first answer was a timeout
    waits_behind: str = ""           # as CommandResult's: queued in enforcement's lane behind
    # running, with a trading call of it out at the broker and not answered yet: when that
    # call was sent (enforcement's Executor.at_broker); 0: none out, or not known (queue20's
    # leftover: the close held at the broker read 'accepted' in history)
    at_broker_ns: int = 0
    closed_nothing: bool = False     # as CommandResult's: its close found the contract flat


@attrs.frozen(kw_only=True)
class Unenforceable:
    """An account the broker refuses API trading on (AccountRejected): riskd cannot enforce."""
    account_id: int
    reason: str
    since_ns: int


@attrs.frozen(kw_only=True)
class EnforcementStatusRequest:
    """Enforcement's pending and running commands and the accounts it cannot enforce on."""
    command_ids: list[str] = attrs.Factory(list)     # also report these (final ones included)


@attrs.frozen(kw_only=True)
class EnforcementStatus:
    commands: list[CommandState] = attrs.Factory(list)
    cannot_enforce: list[Unenforceable] = attrs.Factory(list)
    # while enforcement cannot answer (the supervisor's answer): outcomes are known since this
    # time (riskd's start); a command decided since then and missing here was never carried
    # out (risk holds it until enforcement is back): pending, not "not known"
    known_since_ns: int = 0


@attrs.frozen(kw_only=True)
class FlattenRequest:
    """Flatten one account, or every account of the login (disabled ones too), now: close all
    positions, cancel all orders."""
    account: str = ""                # id, name or display name; empty with all=True
    all: bool = False
    reason: str = ""
    by: str = ""                     # "admin:<user>": history shows who flattened


@attrs.frozen(kw_only=True)
class FlattenAccepted:
    """The kill switch's commands, one per account (follow them with EnforcementStatusRequest);
    skipped: the configured accounts --all sent nothing to, as the broker does not report them
    for this login."""
    commands: list[CommandState] = attrs.Factory(list)
    skipped: list[int] = attrs.Factory(list)


ALL = (Command, WithdrawCommand, CommandResult, CommandState, Unenforceable,
       EnforcementStatusRequest, EnforcementStatus, FlattenRequest, FlattenAccepted)
