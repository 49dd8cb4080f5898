"""Enforcement's log says a withdrawn command's words once: "command X withdrawn: close MNQ
long 1 was not carried out: ...", never "withdrawn: withdrawn: ..." (trial24b's logs, and
resume25 by hand: `riskctl logs` after an unlock withdrew a command queued in its lane). Both
lines that say it: the withdraw of a command not running (app.withdraw), and a running one
that stopped at the withdraw (app._log_result), which counts no round for a run that
stopped before its first trading call: "(1 round, 0 broker calls)" was said of a command that
sent nothing."""
from __future__ import annotations

import logging

from services.enforcement.app import ENFORCEMENT_LOGGER
from shared.clock import FakeClock
from shared.projectx.errors import BrokerUnavailable
from shared.messages.enforce import WITHDRAWN
from tests.unit.enforcement.fakebroker import CLOSE
from tests.unit.enforcement.test_withdraw import back, close
from tests.unit.enforcement.test_withdraw_while_running import (COMMANDS, MNQ, Events,
                                                                 enforcement, run_jobs)



def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == ENFORCEMENT_LOGGER
            and " withdrawn: " in r.getMessage()]


def test_a_queued_command_withdrawn_says_withdrawn_once(journal, caplog):
    caplog.set_level(logging.INFO, logger=ENFORCEMENT_LOGGER)
    w = enforcement(journal, FakeClock())
    w.accept(close("a.1"))
    w.accept(close("b.1"))                   # queued behind a.1 (one contract)
    w.withdraw(back("b.1"))
    assert journal.get("b.1").status == WITHDRAWN
    said = lines(caplog)
    assert len(said) == 1 and "withdrawn: withdrawn" not in said[0], said
    assert said[0].startswith("command b.1 withdrawn: flatten (MNQ long 1) was not carried "
                              "out: the lockout ended (admin:root)"), said


def running(journal, caplog, name: str):
    """One of COMMANDS on a fresh enforcement and fake broker, its log lines caught."""
    caplog.set_level(logging.INFO, logger=ENFORCEMENT_LOGGER)
    clock = FakeClock()
    cmd, held = COMMANDS[name]
    broker = Events(clock, {})
    broker.positions = dict(held)
    return cmd, enforcement(journal, clock), broker


def test_a_command_stopped_by_its_withdraw_says_withdrawn_once(journal, caplog):
    cmd, w, broker = running(journal, caplog, "flatten, MNQ open")
    w.accept(cmd)                            # submitted: it holds its lane
    w.withdraw(back(cmd.id))                 # it stops before its first trading call
    run_jobs(w, broker)
    assert journal.get(cmd.id).status == WITHDRAWN
    said = [s for s in lines(caplog) if s.startswith(f"command {cmd.id} withdrawn:")]
    assert len(said) == 1 and "withdrawn: withdrawn" not in said[0], said
    assert said[0].startswith(f"command {cmd.id} withdrawn: flatten (MNQ long 1) was not "
                              f"carried out"), said
    # it stopped before its first call: no round of it ran ("1 round" before)
    assert said[0].endswith("(0 rounds, 0 broker calls)"), said


def test_a_round_that_sent_nothing_before_the_withdraw_is_not_counted(journal, caplog):
    """A close whose first round's call the broker refused (HTTP 500, a round of its), then
    withdrawn before its second round's call: 1 round (its first), not 2."""
    cmd, w, broker = running(journal, caplog, "lockout close")
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 1, "HTTP 500", 500)]
    closes = iter(range(2))

    def at_second_close() -> None:         # the hook before each call: the withdraw comes
        if broker.log and broker.log[-1][0] == CLOSE and next(closes) == 0:   # after the 1st
            w.withdraw(back(cmd.id))
    broker.hooks = {k: [at_second_close] for k in range(1, 20)}
    w.accept(cmd)
    run_jobs(w, broker)
    entry = journal.get(cmd.id)
    assert [c for c in broker.log if c[0] == CLOSE] == [(CLOSE, MNQ)], broker.log
    # the broker answered its close HTTP 500 and no order of it shows: not carried out;
    # withdrawn, saying so (services/enforcement/withdrawnlost.py)
    assert entry.final and "was stopped while it ran: the lockout ended (admin:root); its " \
        "close of MNQ (answered HTTP 500 at " in entry.detail, entry.detail
    assert entry.detail.endswith(") was not carried out: no order of it shows at the broker"), \
        entry.detail
    [said] = [r.getMessage() for r in caplog.records if r.name == ENFORCEMENT_LOGGER
              and r.getMessage().startswith(f"command {cmd.id} withdrawn:")]
    assert "(1 round, " in said, said
