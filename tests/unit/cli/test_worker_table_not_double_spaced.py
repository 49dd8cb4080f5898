"""The worker table (`riskctl workers`, and `riskctl status`'s) at 80 columns without a
terminal: a row too wide keeps its short columns on one line and its note under it, and the
table stays one table, no blank line between workers (trial23b section 7: once one worker
had a note, every row was set apart by a blank line, double-spaced)."""
from __future__ import annotations

import attrs

from cli.commands.workers import render_workers
from shared.messages.control import WorkerInfo

NOTE = "telegram: 3 queued, HTTP 502 Bad Gateway from api.telegram.org"


def test_a_note_wraps_under_its_worker_and_the_table_stays_single_spaced():
    workers = [WorkerInfo(name=n, state="running", pid=12345, uptime_s=3600.0, restarts=0,
                          heartbeat_age_s=0.4)
               for n in ("market", "risk", "enforcement", "notify", "logging")]
    workers[3] = attrs.evolve(workers[3], reason=NOTE)
    lines = render_workers(workers, columns=80).split("\n")
    assert all(len(ln) <= 80 for ln in lines), lines
    assert "" not in lines, lines
    assert [ln.split()[0] for ln in lines if not ln.startswith(" ")] == \
        ["NAME", "market", "risk", "enforcement", "notify", "logging"], lines
    [note] = [i for i, ln in enumerate(lines) if NOTE in ln]
    assert lines[note - 1].startswith("notify ") and lines[note].startswith("  note:"), lines
