"""Enforcement's log says a withdrawn command's words once: "command X withdrawn: close MNQ
long 1 was not carried out: ...", never "withdrawn: withdrawn: ..." (trial24b's logs, and
resume25 by hand: `riskctl logs` after an unlock withdrew a command queued in its lane). Both
lines that say it: the withdraw of a command not running (app.withdraw), and a running one
that stopped at the withdraw (app._log_result)."""
from __future__ import annotations

import logging

from services.enforcement.app import ENFORCEMENT_LOGGER
from shared.clock import FakeClock
from shared.messages.enforce import WITHDRAWN
from tests.unit.enforcement.test_withdraw import back, close
from tests.unit.enforcement.test_withdraw_while_running import (COMMANDS, Events,
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


def test_a_command_stopped_by_its_withdraw_says_withdrawn_once(journal, caplog):
    caplog.set_level(logging.INFO, logger=ENFORCEMENT_LOGGER)
    clock = FakeClock()
    cmd, held = COMMANDS["flatten, MNQ open"]
    w = enforcement(journal, clock)
    broker = Events(clock, {})
    broker.positions = dict(held)
    w.accept(cmd)                            # submitted: it holds its lane
    w.withdraw(back(cmd.id))                 # it stops before its first trading call
    run_jobs(w, broker)
    assert journal.get(cmd.id).status == WITHDRAWN
    said = [s for s in lines(caplog) if s.startswith(f"command {cmd.id} withdrawn:")]
    assert len(said) == 1 and "withdrawn: withdrawn" not in said[0], said
    assert said[0].startswith(f"command {cmd.id} withdrawn: flatten (MNQ long 1) was not "
                              f"carried out"), said
