"""What enforcement did, read from its stored journal while no riskd answers.

Fresh-user trial 14a: `riskctl history` while riskd was stopped (cli/storedhistory.py) read
"result not known: riskd is stopped (planned: ...)" on every action, even on a cut done
minutes before whose outcome enforcement had recorded in its journal (var/enforcement.sqlite).
While riskd runs, enforcement answers history from that journal (EnforcementStatusRequest,
shared/actedby.journal_of); while riskd is stopped, riskctl reads the same rows from the file
with enforcement's own code (services/enforcement/journal.read_stored: read-only, no lock
taken and no file created for a riskd that starts meanwhile). Only an action enforcement
recorded no outcome of stays "result not known", saying so; one it had not finished when
riskd stopped says that.
"""
from __future__ import annotations

import os
import sqlite3

import attrs

from cli import configfile
from services.enforcement.journal import JOURNAL_FILE, read_stored
from shared.actedby import command_id

UNFINISHED = "left unfinished when riskd stopped"
NOT_FINISHED = "not finished as enforcement last recorded it"     # its workers may still run


def journal_file(config_path: str) -> str:
    """Enforcement's journal in the configured data folder (it need not exist)."""
    return os.path.join(configfile.folders(config_path)[0], JOURNAL_FILE)


def stored_outcomes(config_path: str, decisions, stopped: str) -> tuple[dict, str]:
    """(command id -> CommandState, why an outcome missing from them is not known) for the
    decisions of a history read while no riskd answers (`stopped`: the context's short
    reason, "riskd is stopped (...)" or "riskd's supervisor is not running ...")."""
    why = "riskd is stopped" if stopped.startswith("riskd is stopped") \
        else "riskd does not answer"
    ids = [cid for cid in map(command_id, decisions) if cid is not None]
    if not ids:
        return {}, why
    path = journal_file(config_path)
    if not os.path.isfile(path):
        return {}, f"{why}; enforcement has no journal in {os.path.dirname(path)}"
    try:
        states = read_stored(path, ids)
    except sqlite3.Error as exc:
        return {}, f"{why}; enforcement's journal {path} cannot be read ({exc})"
    left = UNFINISHED if why == "riskd is stopped" else NOT_FINISHED
    return ({s.command_id: s if s.state == "final" else
             attrs.evolve(s, detail=f"{left}; {s.detail}" if s.detail else left)
             for s in states},
            f"{why}; enforcement recorded no outcome of it")
