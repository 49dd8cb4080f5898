"""How long a command took when it needed more than one round: its first answer and its end.

An enforcement command's latency is measured from the broker event to the broker's first
answer. A command that needed more rounds (a reduce whose contracts kept arriving, a close
refused once) was not done then: the account stayed past its limit until the last round.
Trial13a: a reduce that ran 367 ms over two rounds showed "done 0.006s" in status and "6.5 ms
from the event" in enforcement's log. Such a command shows both figures, everywhere alike:
enforcement's log, status and watch's LAST ACTIONS column, and history.

A first "answer" that was riskd giving up on a call after [broker] timeout (no answer came:
CommandResult.first_timed_out_s) is said so, in one wording (no_answer) on every screen: "no
answer within 10s, done 57s" in the column, "no answer within 10s (timed out), done after
57s" in history, the "✅ Done" alert and enforcement's log (trial18c section 6: a held close
read "first answer 10s after the event"). The timeout is the call's own wait; the figure
after "done" counts from the event. Trial21c: a close whose first attempt FAILED (4 calls,
each no answer within 10 s) and whose retry's call got none either read "timed out 56s" in
LAST ACTIONS, the time from the event to that last give-up labelled as the timeout.
"""
from __future__ import annotations

from typing import Optional

from shared.when import gap, table_duration

# an outcome this long after its decision says when it came (it waited: enforcement was
# stopped, the broker was slow, another close of the account was ahead of it); one sooner
# reads as at the decision's time (history, shared/historywords.py; the "✅ Done" alert)
LATE_S = 1.0


def both_ms(status: str, event_ns: int, first_answer_ns: int, finished_ns: int,
            rounds: int) -> Optional[tuple[float, float]]:
    """(first answer, done) in ms after the event for a done command that took more than
    one round and had a first answer before its end; None otherwise (one figure tells)."""
    if status != "done" or rounds <= 1 or not (event_ns and first_answer_ns and finished_ns):
        return None
    if finished_ns <= first_answer_ns:
        return None
    return (first_answer_ns - event_ns) / 1e6, (finished_ns - event_ns) / 1e6


def shown_ms(status: str, event_ns: int, first_answer_ns: int, finished_ns: int,
             rounds: int) -> Optional[tuple[float, float]]:
    """The two figures LAST ACTIONS' latency column and enforcement's log show: both_ms's,
    and those of a done command of one round that ended LATE_S or more after its first
    answer (its verifying read slow at the broker). check24: a close done 8.1 s after the
    decision read "0.099s" in the column and "99.2 ms from the event" in the log, its first
    answer's figure alone. History and the "✅ Done" alert say when such a one was done in
    their own words ("done at ... (8.1s after the decision)")."""
    both = both_ms(status, event_ns, first_answer_ns, finished_ns, rounds)
    if both is not None or status != "done" or not (event_ns and first_answer_ns
                                                    and finished_ns):
        return both
    if (finished_ns - first_answer_ns) / 1e9 < LATE_S:
        return None
    return (first_answer_ns - event_ns) / 1e6, (finished_ns - event_ns) / 1e6


def no_answer(timed_out_s: float) -> str:
    """'no answer within 10s': riskd's call got no answer within its [broker] timeout."""
    return f"no answer within {gap(timed_out_s)}"


def log_words(first_ms: float, done_ms: float, timed_out_s: float = 0.0) -> str:
    """Enforcement's log: 'first answer 6.5 ms after the event, done after 367.0 ms'; 'no
    answer within 10s (timed out), done after 10012.3 ms' when riskd gave up on the first
    call (timed_out_s: its timeout; trial18c section 6's leftover: the log still said "first
    answer" of a held close)."""
    if timed_out_s:
        return f"{no_answer(timed_out_s)} (timed out), done after {done_ms:.1f} ms"
    return f"first answer {first_ms:.1f} ms after the event, done after {done_ms:.1f} ms"


def failed_log_words(event_ns: int, first_answer_ns: int, finished_ns: int,
                     rounds: int, timed_out_s: float = 0.0) -> str:
    """Enforcement's log of a FAILED command: how long after the event it gave up, the figure
    history ('FAILED at ... (49s after the decision)'), the alert ('gave up after ... over
    49.4 s') and LAST ACTIONS give; its first answer too when it took more rounds. Trial20c
    section 5: enforcement killed -9 mid-close, the resumed close failed 49.4 s after the
    event and the log read '17536.7 ms from the event' (the first answer of the resumed
    process's first round). '' when the times are not known."""
    if not (event_ns and finished_ns):
        return ""
    ended = f"failed after {(finished_ns - event_ns) / 1e6:.1f} ms from the event"
    if timed_out_s:
        return f"{no_answer(timed_out_s)} (timed out), {ended}"
    if rounds > 1 and first_answer_ns and first_answer_ns < finished_ns:
        return (f"first answer {(first_answer_ns - event_ns) / 1e6:.1f} ms after the event, "
                f"{ended}")
    return ended


def first_cell(first_ms: float, timed_out_s: float = 0.0,
               done_ms: Optional[float] = None) -> str:
    """LAST ACTIONS' first figure: '0.006s'; when no answer came and riskd gave up on the
    call after timed_out_s (its [broker] timeout): 'no answer within 10s', and when the
    action was done (done_ms after the event) 'no answer within 10s, done 56s'. Never
    'timed out 56s': the time from the event to riskd giving up (a retry after a FAILED
    first attempt gave up on its call 56 s after the event) is not how long a call waited."""
    if timed_out_s:
        said = no_answer(timed_out_s)
        return f"{said}, done {table_duration(done_ms / 1000)}" if done_ms is not None \
            else said
    return table_duration(first_ms / 1000)


def column(first_ms: float, done_ms: float, timed_out_s: float = 0.0) -> str:
    """LAST ACTIONS' latency cell: '0.006s, done 0.367s'; 'no answer within 10s, done 57s'."""
    if timed_out_s:
        return first_cell(first_ms, timed_out_s, done_ms)
    return f"{first_cell(first_ms)}, done {table_duration(done_ms / 1000)}"


def history_words(first_ms: float, done_ms: float, rounds: int,
                  timed_out_s: float = 0.0) -> str:
    """History: 'in 2 rounds: first answer 6 ms after the event, done after 367 ms'; 'in 2
    rounds: no answer within 10s (timed out), done after 10s' when the first call got none."""
    if timed_out_s:
        return (f"in {rounds} rounds: {no_answer(timed_out_s)} (timed out), done after "
                f"{_ms(done_ms)}")
    return (f"in {rounds} rounds: first answer {_ms(first_ms)} after the event, done after "
            f"{_ms(done_ms)}")


def _ms(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else table_duration(ms / 1000)


def done_late(r) -> str:
    """The "✅ Done" alert's line of a command done LATE_S or more after risk issued it
    (CommandResult.issued_ns), as history says it: 'done 35s after the decision', and its
    rounds when it took more than one, 'done 10s after the decision (in 2 rounds: no answer
    within 10s (timed out), done after 10s)'; '' for one done sooner, or when its issue is not
    known. Trial19b finding 8: a close done 35 s late read "✅ Done ... ES ... closed", history
    "done at ... (35s after the decision)"."""
    issued, came = getattr(r, "issued_ns", 0), r.finished_ns or r.first_answer_ns
    if not issued or not came or (came - issued) / 1e9 < LATE_S:
        return ""
    words = f"done {gap(max(0, came - issued) / 1e9)} after the decision"
    both = both_ms(r.status, r.event_ns, r.first_answer_ns, r.finished_ns, r.attempts)
    if both is not None:
        words += f" ({history_words(*both, r.attempts, r.first_timed_out_s)})"
    return words
