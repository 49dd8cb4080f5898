"""The words of riskd's history, one piece of code for `riskctl history` and the phone's /history.

A decision, a warning and a lockout change each become a row (time, account id, who, what,
value, reason, note) in the words the screens use: who acted ("rule trade_frequency_limit",
"warning: rule drawdown_guard", "daily_net_loss lockout"), what was done (risk's own
words for it, or enforcement's outcome when the caller has it), the reading against its limit
as screens show numbers (shared/rulenumbers.py: "3 vs 3", never "+3.00 vs +3.00"), risk's
reason, and the lockout's kind and end. cli/commands/history.py prints them as a table; the
Telegram bot (services/notify/bot/answers.py) as one line each. Trial 2026-12-06: the phone's
own words contradicted riskctl's ("drawdown_guard at 80%: ? vs ?" for a warning about a
high-water mark, "+3.00 vs +3.00: none" for "3 vs 3 ... lock the account (timer)", a broker
contract id where every screen shows MES).

Moved here from cli/commands/history.py (which re-exports them), with fmt_time and
symbol_text from cli/commands/_risk_view.py (which imports them from here).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from typing import Optional
from zoneinfo import ZoneInfo

import attrs

from shared import latewords, roundslatency, showtime, trywords
from shared.accountname import uncalled
from shared.actedby import command_id
from shared.lockwords import (ADMIN_LOCKOUT, ASKED_LOCKOUTS, SELF_LOCKOUT, adds_nothing_words,
                              lock_end_words, locked_words, nothing_done_words, outlasted,
                              unchanged_words, with_end, with_rule)
from shared import outcomewords
from shared.outcomewords import LOCKOUT_RULE, left_to, outcome_word
from shared.messages.enforce import DONE, FAILED, WITHDRAWN, closed_nothing
from shared.lossagain import is_again, moved_what
from shared.messages.risk import (LEFT_TO_ONE_IN_FLIGHT, LOCKED_ALREADY, OWN_EXTENDED,
                                  OWN_SAME_END, same_end, same_end_now)
from shared.retrying import ordinal, try_number
from shared.rulenumbers import spelled_out, versus_text, warning_next
from shared.symbols import tickers_in
from shared.when import duration, gap, table_duration

DEFAULT_TZ = ZoneInfo(showtime.DEFAULT_ZONE)   # the display zone of a config that names none


def fmt_time(ns: Optional[int], tz: Optional[dt.tzinfo] = None, relative: bool = True,
             now_ns: Optional[int] = None, end: bool = False) -> str:
    """A time in the display zone `tz` (shared/showtime.py), with the remaining time when it is
    in the future (and `relative`: a lockout that already ended has no time left, whatever its
    planned end). end=True: an end time, shown as showtime.at shows ends (seconds when not :00,
    rounded up: never earlier than the real end); else with its seconds, cut."""
    if ns is None:
        return "-"
    now_ns = time.time_ns() if now_ns is None else now_ns
    text = showtime.at(ns, tz or DEFAULT_TZ, now_ns, seconds=None if end else True)
    left = (ns - now_ns) / 1e9
    return f"{text} (in {table_duration(left)})" if left > 0 and relative else text


def reading(rule: str, value, limit, reason: str) -> str:
    """The VALUE column: the reading vs its limit ('3 vs 3'), or '' for a rule whose reason
    spells its reading out (drawdown_guard: equity against line + buffer is no "vs", as its
    alert says; shared/rulenumbers.py SPELLED_OUT)."""
    if spelled_out(rule, reason or ""):
        return ""
    return versus_text(rule, value, limit)


def symbol_text(symbol: Optional[str]) -> str:
    """A lockout's scope as traders say it: MNQ, never CON.F.US.MNQ.Z26; 'account' when none."""
    return tickers_in(symbol) if symbol else "account"


# a decision not acted on because of a lockout: its own lock added nothing new either
LOCK_REASONS = (LOCKED_ALREADY, "already locked", OWN_EXTENDED, OWN_SAME_END)

# what closes a position (risk's "flat now": another of these closed a failed action's target)
CLOSING = ("close_position", "reduce_position", "flatten")

# an outcome this long after its decision says when it came (shared/roundslatency.py)
WAITED_S = roundslatency.LATE_S


def outcome_text(state, decided_ns: int = 0, tz=None, tries: int = 1, again: str = "",
                 ended: str = "") -> str:
    """What enforcement says it did: 'done: closed ... (verified flat)', 'FAILED: ...'; one
    that came WAITED_S or more after its decision (decided_ns) says when and how long after,
    'done at Sat 15:22:23 CST (16s after the decision): ...' (trial 2026-12-05: a close that
    waited 16 s for enforcement read as done at the decision's time). A decision riskd tried
    again (shared/trywords.py) tells its latest try (tries: which), 'done on the 3rd attempt
    at ... (24s after the decision; the 1st and 2nd failed): ...', and for a failed one what
    riskd does next (again: 'riskd tries again at ...'; its rounds then 'failed after', never
    'gave up') or how it ended without riskd (ended: 'closed outside riskd')."""
    if state.state != "final":
        # the word LAST ACTIONS and `riskctl flatten` say for it (shared/outcomewords.py
        # unfinished: a running close read "(running)" here, `accepted` in watch)
        # one queued in enforcement's lane behind another command of its account says behind
        # what, never as if at the broker (services/enforcement/behind.py)
        behind = getattr(state, "waits_behind", "")
        sent = getattr(state, "at_broker_ns", 0)
        # a call of it out at the broker and not answered yet says so, never 'running'
        out = outcomewords.at_broker_words(fmt_time(sent, tz, relative=False)) \
            if sent and not behind else ""
        word = outcomewords.waiting_words(behind) or out or \
            outcomewords.progress_word(*outcomewords.unfinished(state.state, state.detail))
        head = (f"trying again: the {ordinal(tries)} attempt is {word} "
                f"({trywords.earlier(tries)} failed)" if tries > 1
                else f"planned, not done yet: {word}" if behind or out
                else f"planned, not done yet ({word})")
        return f"{head}: {state.detail}" if state.detail else head
    # the word watch and `riskctl flatten` show for it (shared/outcomewords.py): "nothing to
    # do: account 1002 was already flat", never "done: ..." there and "nothing to do" here
    label = outcome_word(DONE, not closed_nothing(state)) \
        if state.status == DONE else state.status.upper()
    detail = state.detail
    if state.status == WITHDRAWN:       # taken back by risk before it ran: not a failure
        label, detail = WITHDRAWN, detail.removeprefix(f"{WITHDRAWN}: ")
    failed = state.status == FAILED
    again, ended = (again, ended) if failed else ("", "")
    # which attempt, when riskd made or makes more than one (trial20c section 5: "FAILED on
    # the 1st attempt at ..., then carried out late" of a command that failed once)
    if tries > 1 or again:
        label += f" {trywords.attempt(tries)}"
    before = f"{trywords.earlier(tries)} failed" if tries > 1 else ""
    # when it finished (enforcement's "done"/"failed" time): never the broker's first answer,
    # which may be a call that failed in an earlier round (a close refused with HTTP 500 at
    # 04:25:47 read "done at 04:25:47 (1s after the decision)" for a close done at 04:25:49,
    # after enforcement was killed and resumed it: fresh-user trial 2026-12-06)
    came = state.finished_ns or state.first_answer_ns
    if decided_ns and came and ((came - decided_ns) / 1e9 >= WAITED_S or tries > 1):
        label += (f" at {fmt_time(came, tz, relative=False)} "
                  f"({gap(max(0, came - decided_ns) / 1e9)} after the decision"
                  f"{'; ' + before if before else ''})")
    elif before:
        label += f" ({before})"
    # more rounds than one: its first answer did not end it; both times (trial13a: a reduce
    # of 2 rounds that took 367 ms read as its 6 ms first answer)
    both = roundslatency.both_ms(state.status, getattr(state, "event_ns", 0),
                                 state.first_answer_ns, state.finished_ns,
                                 getattr(state, "attempts", 0))
    if both is not None:
        rounds = roundslatency.history_words(*both, state.attempts,
                                             getattr(state, "first_timed_out_s", 0.0))
        label += f" ({rounds})"
    if again or ended:
        label += f", {again}" if again else f", then {ended}"
        detail = trywords.not_given_up(detail)     # riskd did not give up: it went on
    return f"{label}: {detail}" if detail else label


# risk names the action in flight by its ids: "already in flight, by decision 520bba36
# (daily_net_loss)" in a decision's what, "(520bba36.1)" at the end of why it was not sent
_BY_DECISION = re.compile(r"(?:already in flight)?, by decision ([^\s();]+)(?: \([^()]*\))?")
_SAME_IN_FLIGHT = re.compile(r"the same action is in flight \(([^()\s]+\.\d+)\)$")
_IN_FLIGHT = re.compile(r" \(([^()\s]+\.\d+)\)$")


def became_of(state, tries: int = 1) -> str:
    """What became of an action after the decision that found it under way, in the screens'
    words (docs/operations.md): said as later than that decision, never as if it was known
    then (trial: "already in flight, by ...'s flatten, which found nothing to do"). tries:
    the decision's try `state` is of, when riskd tried it again ('it then completed on the
    3rd attempt')."""
    if state is None:
        return "its outcome is not known"
    return became(state.state == "final", state.status,
                  closed_nothing(state), tries)


def became(final: bool, status: str, nothing: bool, tries: int = 1) -> str:
    """became_of's words from an action's status (final: it ended; nothing: it found nothing
    to do), for history's rows and LAST ACTIONS' (cli/watch/model.py, whose rows keep no
    journal state): one wording for one fact on every screen (trial20b section 9: LAST
    ACTIONS read "not sent: in flight" of a flatten history said "was already under way (it
    then completed)")."""
    if not final or not status:
        return "still pending"
    on = f" {trywords.attempt(tries)}" if tries > 1 else ""
    if nothing:
        return f"it then found nothing to do{on}"
    if status == WITHDRAWN:
        return f"it was then withdrawn before it ran{on}"
    return (f"it then completed{on}" if status == DONE
            else f"it then ended {status.upper()}{on}")


def named_action(d, outcomes: Optional[dict], tz=None, tries: int = 1,
                 now_ns: Optional[int] = None) -> str:
    """"daily_net_loss's flatten of 06:01:50 CST": an action as a person names it (its rule and
    time), never by its id; a later try of it, "... of 06:01:50 CST (its 2nd attempt)"."""
    its = f" (its {ordinal(tries)} attempt)" if tries > 1 else ""
    return f"{d.rule}'s {d.action} of {fmt_time(d.ts_ns, tz, relative=False, now_ns=now_ns)}{its}"


def _end_of(d, outcomes: Optional[dict]) -> str:
    """What became of decision d's action: its latest try's outcome (shared/trywords.py)."""
    tries, state = trywords.latest(command_id(d), outcomes)
    return became_of(state, tries)


def under_way(d, outcomes: Optional[dict], tz=None, tries: int = 1) -> str:
    """"daily_net_loss's flatten of 06:01:50 CST was already under way (it then found nothing
    to do)": what was true when the decision was made, then what became of that action."""
    return under_way_words(named_action(d, outcomes, tz, tries), _end_of(d, outcomes))


def under_way_words(named: str, end: str) -> str:
    """"daily_net_loss's flatten of 06:01:50 CST was already under way (it then completed)":
    history's words, and LAST ACTIONS' line under a row not sent because the same action was
    on its way (cli/watch/model.py)."""
    return f"{named} was already under way ({end})"


def same_in_flight(suppressed: str) -> str:
    """The command id of the same action already under way that a decision was not sent for
    (Decision.suppressed "the same action is in flight (d42.1)"); '' for any other."""
    m = _SAME_IN_FLIGHT.search(suppressed or "")
    return m.group(1) if m else ""


def _other(others: dict, key: str) -> tuple:
    """(decision, which try) of an action in flight named by its id: a decision id, its 1st
    try's command id, or a later try's ('<decision>.2': riskd trying a failed action again;
    trial 2026-12-06: "an earlier action (not in this history)" for the close right above)."""
    other = others.get(key)
    if other is not None:
        return other, 1
    n = try_number(key)
    if n > 1:
        other = others.get(trywords.decision_of(key))
        if other is not None and command_id(other) == trywords.try_id(key, 1):
            return other, n
    return None, 1


def without_ids(text: str, others: dict, outcomes: Optional[dict], tz=None) -> str:
    """A decision's what or note with the action in flight named by rule and time (others:
    decision id and command id -> decision of this history); one not in this history is 'an
    earlier action'."""
    def by_decision(m: re.Match) -> str:
        other, tries = _other(others, m.group(1))
        if not m.group(0).startswith("already"):
            return (f", by {named_action(other, outcomes, tz, tries)}" if other is not None
                    else ", by an earlier action (not in this history)")
        return (under_way(other, outcomes, tz, tries) if other is not None
                else "an earlier action (not in this history) was already under way")

    def same(m: re.Match) -> str:
        other, tries = _other(others, m.group(1))
        return (under_way(other, outcomes, tz, tries) if other is not None
                else "an earlier action (not in this history) was already under way")

    def in_flight(m: re.Match) -> str:
        other, tries = _other(others, m.group(1))
        if other is None:
            return " (an earlier action, not in this history)"
        return f" ({named_action(other, outcomes, tz, tries)}; {_end_of(other, outcomes)})"
    text = _SAME_IN_FLIGHT.sub(same, _BY_DECISION.sub(by_decision, text))
    return _IN_FLIGHT.sub(in_flight, text)


def decision_row(d, outcomes: Optional[dict] = None, tz=None, unknown: str = "",
                 ended: str = "", others: Optional[dict] = None,
                 retries: Optional[trywords.Retries] = None) -> tuple:
    """(time, account, who, what, value, reason, note) of one decision. With `outcomes`
    (command id -> enforcement's CommandState) WHAT is what enforcement did, never the plan
    risk made from what it knew then (a plan may count an order that was already gone);
    `unknown`: why an outcome missing from them is not known ('enforcement is stopped');
    `ended`: how the lockout it took ended before its time (', ended early at ...');
    `retries`: what risk said of the failed actions it tries again (shared/trywords.py)."""
    if same_end(d.suppressed) and not d.suppressed.startswith(OWN_SAME_END):
        # a row stored in the words before
        d = attrs.evolve(d, suppressed=same_end_now(d.suppressed),
                         what=same_end_now(d.what or ""))
    target = (f" {d.contract_id}" if d.contract_id else "") \
        + (f" order {d.order_id}" if d.order_id else "")
    what = d.what or (d.action + target)
    if d.mode == "alert" and not what.startswith("would"):
        what = f"would have: {what}"
    cid = command_id(d)
    if outcomes is not None and cid is not None:
        tries, state = trywords.latest(cid, outcomes)       # riskd's latest try tells
        retries = retries or trywords.Retries()
        f = retries.failing.get(d.id)
        again = trywords.again_words(
            f, lambda ns: fmt_time(ns, tz, relative=False)) if f is not None else ""
        how = retries.ended.get(d.id, "")
        if how == trywords.FLAT_NOW:        # another action of riskd's closed it: which
            how = closed_by(d, others or {}, outcomes, tz)
        lock = "; " + what.split("; ", 1)[1] if "; " in what else ""    # risk's own lockout
        what = (outcome_text(state, d.ts_ns, tz, tries, again, how)
                + bought_while_locked(d, state, others) + lock if state is not None
                else f"result not known: {unknown} (planned: {what})" if unknown
                else f"planned: {what} (enforcement no longer knows the outcome)")
    lock = (locked_words(d.lock.kind, d.rule, fmt_time(d.lock.until_ns, tz, relative=False,
                                                       end=True), d.lock.clears_on, d.lock.symbol)
            if d.lock and d.lock.until_ns else
            locked_words(d.lock.kind, d.rule, clears_on=d.lock.clears_on, symbol=d.lock.symbol)
            if d.lock else "")
    if cid is None and (d.action == "none" and d.suppressed.startswith(
            (LOCKED_ALREADY, "already locked")) or same_end(d.suppressed)):
        # nothing was sent and its lock added nothing: the row says so, as the alert does
        # (trial17g: "what: lock the account (timer)" read as an action taken; trial23a
        # finding 3: "flatten not sent: ...; lock the account (timer)" of a breach in the same
        # second as the one before it)
        what = nothing_done_words(lock)
    elif lock and d.suppressed.startswith(OWN_EXTENDED) and is_again(d.rule, d.reason):
        # a loss after the one that started cooldown_after_loss's cooldown: it only moved
        # the cooldown's end (trial24a F2: "flatten not sent: ...; lock the account (timer)")
        what = moved_what(lock)
    if outlasted(d):
        # its action went, its lock added nothing: WHAT says so, NOTE until when the account was
        # locked, and by what (trial23c F5: "lock the account (timer)", "note: locked until
        # 12:00:33" under trade_frequency_limit's cooldown to 12:15:01)
        u = d.under
        held = with_rule(locked_words(u.kind, d.under_rule, fmt_time(
            u.until_ns, tz, relative=False, end=True) if u.until_ns else None, u.clears_on,
            u.symbol), d.under_rule)
        what = f"{what.rpartition('; lock ')[0] or what}; {adds_nothing_words(lock)}"
        note = f"locked already: {held}{ended}"
    elif getattr(d, "asked", None) is not None and not d.lock:
        # a trader's (or an admin's) own lockout that changed none: what it asked, and the
        # lockout that held the account as long or longer then (trial16g finding 5)
        note = unchanged_note(d, tz)
    elif d.suppressed and lock and not d.suppressed.startswith(LOCK_REASONS):
        # only its action waited on another one under way: its lockout was taken (trial13a:
        # "not acted on: daily_realized_loss's flatten ... was already under way" for a
        # cooldown_after_loss whose lockout was extended to 07:14:56)
        note = (f"lockout applied: {lock}{ended}; only the {d.action} was not sent again: "
                f"{d.suppressed}")
    elif d.suppressed.startswith(OWN_EXTENDED) and lock:
        # the rule's own lockout, extended by this breach: its new end (trial15a: the row
        # before said the end the extension replaced, and this one gave none)
        note = f"{OWN_EXTENDED}, now {lock}; no new action"
    elif d.suppressed.startswith(OWN_SAME_END) and lock:
        # a trade in the same second as the one before it, under the rule's own cooldown
        # (trial16g finding 6): counted, its line says the end stays
        note = f"{OWN_SAME_END}: {lock}"
    elif d.suppressed.startswith(LEFT_TO_ONE_IN_FLIGHT):
        # lockout enforcement's cut that a close or reduce in flight takes with it: acted on,
        # by that command, whose outcome the note gives (trial13a)
        note = d.suppressed
    elif d.suppressed and d.suppressed in what:
        # WHAT says why already ("flatten not sent: locked already, no new action: ..."):
        # the note says no more than that it was not acted on (trial17b: the same words twice)
        note = "not acted on"
    else:
        note = f"not acted on: {d.suppressed}" if d.suppressed else lock
        note += ended if d.lock and not d.suppressed else ""
    if d.suppressed:
        what, note = (without_ids(t, others or {}, outcomes, tz) for t in (what, note))
    who = d.by or f"rule {d.rule}"
    return (d.ts_ns, d.account_id, f"{who}{' (alert mode)' if d.mode == 'alert' else ''}",
            what, reading(d.rule, d.value, d.limit, d.reason), d.reason, note)


def unchanged_note(d, tz=None) -> str:
    """NOTE of a trader's (or an admin's) own lockout that changed no lockout: 'asked until Sun
    16:29:51 CST; unchanged: already locked until Mon 17:00 CST (self-lockout)'
    (shared/lockwords.unchanged_words: its alert says the same)."""
    return unchanged_words(d, lambda ns: fmt_time(ns, tz, relative=False, end=True))


def bought_while_locked(d, state, others: Optional[dict]) -> str:
    """'; 4 of the 6 closed were bought while locked (lockout enforcement)' after the outcome
    of a close or reduce: of the contracts it closed, those bought while locked (lockout
    enforcement's cuts left to it, recorded as LEFT_TO_ONE_IN_FLIGHT naming this command, and
    for lockout enforcement's own cut what it was asked too): the words of
    shared/outcomewords.bought_while_locked, which LAST ACTIONS and the phone's "✅ Done" say
    too. '' when none."""
    if state is None:
        return ""
    mine = command_id(d)
    left = {id(o): o for o in (others or {}).values() if left_to(o.suppressed) == mine}
    own = d.rule == LOCKOUT_RULE
    if not left and not own:
        return ""
    words = outcomewords.bought_while_locked(getattr(state, "status", ""),
                                             getattr(state, "detail", "") or "",
                                             [o.size for o in left.values()],
                                             own=own, own_size=d.size)
    return f"; {words}" if words else ""


def closed_by(d, others: dict, outcomes: Optional[dict], tz=None) -> str:
    """How a failed action of riskd's ended when another of riskd's actions closed its target
    (risk's "flat now"): 'closed by daily_net_loss's flatten of 03:39:05 CST' when that one
    is in this history (the first later close, reduce or flatten of the account that riskd
    carried out), else 'closed by another of riskd's actions'."""
    seen = {id(o): o for o in others.values()}.values()
    for other in sorted(seen, key=lambda o: o.ts_ns):
        if other is d or other.account_id != d.account_id or other.ts_ns < d.ts_ns \
                or other.action not in CLOSING or other.contract_id not in (None, d.contract_id):
            continue
        _n, state = trywords.latest(command_id(other), outcomes)
        if state is not None and state.state == "final" and state.status == DONE \
                and not closed_nothing(state):
            return f"closed by {named_action(other, outcomes, tz)}"
    return "closed by another of riskd's actions"


def lockout_notes(changes, tz=None, now_ns: Optional[int] = None) -> list[str]:
    """The NOTE of each lockout change: its kind and the end it had at that change, what was
    true then ("timer 16:45 CST"): a later extension is said on its own line ("extended by
    the rule", "timer 17:00 CST"), never on the earlier one, and no line counts down from when
    history is read (trial23c F6: "timer 12:15:01 CST, extended to 12:15:33 CST" on the line of
    11:45:00, extended at 11:45:34; "(in 50s)" on a past line). How a lockout ended early (an
    unlock) is said on its lines, so none reads as in force."""
    latest: dict[str, object] = {}          # lockout id -> its newest change
    for c in sorted(changes, key=lambda c: c.ts_ns):
        latest[c.lockout.id] = c
    notes = []
    for c in changes:
        lk, last = c.lockout, latest[c.lockout.id]
        in_force = c is last and c.change != "cleared"
        # one with no end time says what ends it (trial 17g: symbol_blocks' "manual -")
        end = fmt_time(lk.until_ns, tz, relative=False, now_ns=now_ns, end=True) \
            if lk.until_ns else lock_end_words(lk)
        became = last.lockout.until_ns          # a cleared line carries the end it had
        # how the lockout ended, also on the line of an extension (trial20a section 7: the
        # line of cooldown_after_loss, which extended trade_frequency_limit's cooldown, kept
        # "timer 02:30:51" after the unlock while the lockout's other lines said it ended early)
        early = ended_early(last if c.change == "extended" else c, tz, now_ns)
        if not in_force and became and lk.until_ns and became > lk.until_ns:
            # and on the line an extension superseded (trial 17g: "ended early ... by an
            # unlock" only on another line), saying the extension when it ended after this
            # line's end (check25 item 7: "timer 17:52:36 CST, ended early at 17:52:46 CST")
            early = extended_then(ended_early(last, tz, now_ns), lk.until_ns, last, tz, now_ns)
        notes.append(f"{with_end(lk.kind, lk.rule, end)}{early}")
    return notes


def ended_early(c, tz=None, now_ns: Optional[int] = None) -> str:
    """', ended early at 02:51:10 CST by an unlock (admin:root)' for a lockout cleared before
    the end it had (an unlock, the broker allowing trading again); '' for any other change,
    and for one that ended at its time (the clock, the roll)."""
    lk = c.lockout
    if c.change != "cleared" or c.by in ("clock", "roll") or not lk.until_ns \
            or c.ts_ns >= lk.until_ns:
        return ""
    how = f"by an unlock ({c.by})" if c.by.split(":", 1)[0] in ("admin", "trader") \
        else f"({c.by}: {c.reason})" if c.reason else f"({c.by})"
    return f", ended early at {fmt_time(c.ts_ns, tz, relative=False, now_ns=now_ns)} {how}"


def extended_then(early: str, own_ns: Optional[int], cleared, tz=None,
                  now_ns: Optional[int] = None) -> str:
    """ended_early's words for a line whose own end was `own_ns`: when the lockout ended
    early only after that end, it had been extended meanwhile, and that is said (', then
    extended to 17:22:26 CST and ended early at ...'): it cannot have ended early after its
    end (trial25c F6, check25 item 7). One rule for a decision's line and a lockout's."""
    if early and own_ns and cleared.ts_ns >= own_ns and cleared.lockout.until_ns:
        return (", then extended to "
                f"{fmt_time(cleared.lockout.until_ns, tz, relative=False, now_ns=now_ns)}"
                f" and{early[1:]}")
    return early


def decision_ends(decisions, changes, tz=None, now_ns: Optional[int] = None) -> list[str]:
    """For each decision, how the lockout it took ended early ('' if it did not, or if it is
    not in `changes`): the first clearing of that lockout (same account, rule, kind, symbol)
    at or after the decision. The decision's line then no longer reads as in force."""
    cleared = sorted((c for c in changes if c.change == "cleared"), key=lambda c: c.ts_ns)
    out = []
    for d in decisions:
        found = next((c for c in cleared if d.lock and c.ts_ns >= d.ts_ns
                      and (c.lockout.account_id, c.lockout.rule, c.lockout.symbol)
                      == (d.account_id, d.rule, d.lock.symbol)
                      # a person's own lockout is one whatever its kind (an extension past
                      # the roll makes a lockout to the roll a timer)
                      and (c.lockout.kind == d.lock.kind or d.rule in ASKED_LOCKOUTS)), None)
        if found is None:
            out.append("")
            continue
        # a later extension is on its own line, not on the decision's (trial23c F6: "locked
        # until 11:43:53 CST (timer), extended to 11:44:38 CST" on the breach of 11:42:52,
        # extended at 11:43:37); but a lockout that ended early after the decision's own end
        # was extended meanwhile, and says so (trial25c F6: "locked until 16:42:54 CST
        # (timer), ended early at 16:43:20 CST": it cannot have ended early after its end)
        out.append(extended_then(ended_early(found, tz, now_ns), d.lock.until_ns, found, tz,
                                 now_ns))
    return out


def rows(body, outcomes: Optional[dict] = None, tz=None, unknown: str = "") -> list[tuple]:
    """The history's rows, oldest first (times in the display zone `tz`; `unknown`: why the
    outcomes missing from `outcomes` are not known, '' when enforcement answered)."""
    others = {key: d for d in body.decisions for key in (d.id, command_id(d)) if key}
    retries = trywords.Retries.of(body)
    # a failed close taken as carried out late: from the stored note too (risk's memory of it is
    # lost on a restart; riskctl history reads the stored file while riskd is stopped)
    for d, how in trywords.late_endings(body.warnings, lambda ns: latewords.clock(
            ns, tz or dt.timezone.utc)).items():
        retries.ended.setdefault(d, how)
    out = [decision_row(d, outcomes, tz, unknown, ended, others, retries) for d, ended
           in zip(body.decisions, decision_ends(body.decisions, body.lockouts, tz))]
    for w in body.warnings:
        # a trade count's warning says what the trade it counts up to does (docs/rules.md)
        who = outcomewords.note_who(w.rule)
        out.append((w.ts_ns, w.account_id, who, "-",
                    reading(w.rule, w.value, w.limit, w.reason), w.reason,
                    warning_next(w.rule, w.value, w.limit, w.reason)))
    notes = lockout_notes(body.lockouts, tz)
    started = started_by(body.lockouts)
    for c, note in zip(body.lockouts, notes):
        lk = c.lockout
        rule = started.get(lk.id, lk.rule)
        what = (f"{c.change} by {lk.rule}" if lk.rule != rule and (c.by or "rule") == "rule"
                else changed_by(c.change, c.by))
        out.append((c.ts_ns, lk.account_id, lockout_label(rule), what,
                    symbol_text(lk.symbol), c.reason or lk.reason, note))
    return sorted(out, key=lambda r: r[0])


def started_by(changes) -> dict:
    """lockout id -> the rule that started it: every row of one lockout is named by it, also
    once another rule extended it (one timer per account: LockoutState.took_over_rule);
    lastact20's leftover: 'trade_frequency_limit lockout' then 'cooldown_after_loss lockout'
    read as two lockouts where the banner and `riskctl lockouts` said one."""
    out: dict = {}
    for c in sorted(changes, key=lambda c: c.ts_ns):
        lk = c.lockout
        out.setdefault(lk.id, lk.took_over_rule or lk.rule)
    return out


def lockout_label(rule: str) -> str:
    """WHO of a lockout's row: 'daily_net_loss lockout', 'self-lockout' (the trader's own),
    'admin lockout' (an admin's: `riskctl lockout --admin`)."""
    return {SELF_LOCKOUT: "self-lockout", ADMIN_LOCKOUT: "admin lockout"}.get(
        rule, f"{rule} lockout")


def changed_by(change: str, by: str) -> str:
    """WHAT of a lockout's row: 'cleared by admin:root', 'added by the rule', 'cleared by the
    clock'. Fresh-user trial 2026-12-06: "lockout by admin:root: daily_net_loss cleared" did not
    read as an admin clearing the daily_net_loss lockout. A person is named as every other
    screen names them, role:user (trial14b: "cleared by admin root" beside "admin:root")."""
    role, _, name = (by or "rule").partition(":")
    actor = f"{role}:{name}" if name else f"the {role}"
    return f"{change} by {actor}"


def without_account(what, account_id, shown: str):
    """WHAT without enforcement's ' on account Demo 1': the ACCOUNT column beside it names the
    account already, as every screen does ('Demo 1 (id 1001)': shared/accountname.called;
    trial 2026-12-05: the two read as two different namings). `shown`: that column's text;
    the longest form first, so no '(id 1001)' is left behind."""
    if not isinstance(what, str) or account_id is None:
        return what
    plain = uncalled(shown, account_id)
    for name in dict.fromkeys((shown, plain, str(account_id))):
        what = re.sub(rf" on account {re.escape(name)}(?=$|[\s:;,.)])", "", what)
    return what


