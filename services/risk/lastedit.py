"""What risk's last config reload did to each account's rules, kept for the edit's answer.

Risk decides (services/risk/settings.py: a tightening in force now, a loosening waiting for
the roll, a waiting loosening taken back by a newer value) and words it for the phone
(services/risk/loosening.py). The supervisor's answer to `riskctl rules set` (and the audit's
RESULT) is worded from this record, the same per-account changes the alerts are worded from,
with the digest of the config file risk read: the supervisor waits for risk to report the
edited file's digest, so its answer is never a guess from a reading taken before risk read the
edit (fresh-user trial 21a section 1: "applied live on Demo 1 ... not changed on Demo 2 ...
at line none" while riskd had moved Demo 2 and left Demo 1; "a loosening waits" for a
tightening riskd applied at once).

record(): account id -> {rule: {param: [old, new, when]}}, when NOW (in force now), ROLL
(waits for the roll: old stays in force), DROPPED (a waiting value taken back: old stays,
new no longer waits); NOW with a 4th item, the waiting value a value in force now replaced
(an account's own value put over a profile's loosening that waited: it no longer waits). Values as risk's readings carry parameters (TOML text, 'none'), or the
alert's words of a value with no text of its own (drawdown_guard's line when none is set).
Pure.
"""
from __future__ import annotations

from typing import Callable, Optional

from services.risk.settings import UNGUARDED_AT_ROLL
from services.risk.views import value_text
from shared.rulenumbers import Shown

NOW, ROLL, DROPPED = "now", "roll", "dropped"


def record(live: dict[int, dict], waited: dict[int, tuple], waits: dict[int, tuple],
           text: Optional[Callable] = None, guarded: Optional[set] = None) -> dict:
    """live: loosening.changed_now's {aid: {rule: {param: (old, new)}}} of the reload;
    waited / waits: RuleSettings.what_waits() before and after it. text(aid, rule, param,
    value, new) -> the value's text (Words.text; value_text by default). guarded: dropped's."""
    def said(aid, rule, param, value, new):
        return text(aid, rule, param, value, new) if text is not None else value_text(value)
    out: dict[int, dict] = {}

    def put(changes: dict, when: str) -> None:
        for aid, rules in changes.items():
            for rule, params in rules.items():
                for param, (old, new) in params.items():
                    out.setdefault(aid, {}).setdefault(rule, {})[param] = [
                        said(aid, rule, param, old, False), said(aid, rule, param, new, True),
                        when]
    put(live, NOW)
    put(new_waiting(waited, waits), ROLL)
    put(dropped(waited, waits, live, guarded), DROPPED)
    for aid, rules in replaced(waited, waits, live, guarded).items():
        for rule, params in rules.items():
            for param, (_now, gone) in params.items():
                out[aid][rule][param].append(said(aid, rule, param, gone, True))
    return out


def new_waiting(waited: dict[int, tuple], waits: dict[int, tuple]) -> dict[int, dict]:
    """{aid: {rule: {param: (in force, waiting)}}}: each parameter whose waiting value this
    reload set (a new loosening, or a newer value replacing the one that waited)."""
    out: dict[int, dict] = {}
    for aid, (names, params) in waits.items():
        before = waited.get(aid, ((), {}))[1]
        for rule in names:
            if rule == UNGUARDED_AT_ROLL:
                continue
            for param, pair in (params.get(rule) or {}).items():
                if (before.get(rule) or {}).get(param) != pair:
                    out.setdefault(aid, {}).setdefault(rule, {})[param] = pair
    return out


def dropped(waited: dict[int, tuple], waits: dict[int, tuple], live: dict[int, dict],
            guarded: Optional[set] = None) -> dict[int, dict]:
    """{aid: {rule: {param: (in force, the value that no longer waits)}}}: the waiting
    loosenings this reload took back (the parameter set back to the value in force, or the
    account's own value removed) and did not put in force (a tightening below it is said as
    one, in force now: replaced). guarded: the ids of the accounts riskd still guards (None:
    all); one it stopped guarding (`accounts disable --now`) is said by its own alert."""
    return _gone(waited, waits, live, guarded, False)


def replaced(waited: dict[int, tuple], waits: dict[int, tuple], live: dict[int, dict],
             guarded: Optional[set] = None) -> dict[int, dict]:
    """{aid: {rule: {param: (in force now, the value that no longer waits)}}}: the waiting
    loosenings a value this reload put in force replaced (trial21c finding 6: `rules set 1001
    max_contracts limit 3` over the profile's limit 6 waiting for the roll; the 6 was gone
    and neither the answer nor the phone said so)."""
    return _gone(waited, waits, live, guarded, True)


def _gone(waited, waits, live, guarded, in_live: bool) -> dict[int, dict]:
    """The waiting values this reload left waiting no more: those it put another value in
    force for (in_live), or the others."""
    out: dict[int, dict] = {}
    for aid, (_names, params) in waited.items():
        if guarded is not None and aid not in guarded:
            continue
        after = waits.get(aid, ((), {}))[1]
        for rule, pairs in params.items():
            for param, pair in pairs.items():
                if param in (after.get(rule) or {}):
                    continue
                now = (live.get(aid, {}).get(rule) or {}).get(param)
                if now is None and not in_live:
                    out.setdefault(aid, {}).setdefault(rule, {})[param] = pair
                elif now is not None and in_live:
                    out.setdefault(aid, {}).setdefault(rule, {})[param] = (now[1], pair[1])
    return out


class Words:
    """A reload's values as the alerts and the record say them: drawdown_guard's line when
    none is set is the line riskd works out itself, in force (trial 21a section 4: "line none
    -> 49,000.00" while 48,000.00 was in force). before: the rules in force before the
    reload; config: the config it read."""

    def __init__(self, engine, settings, before: dict, config) -> None:
        self.engine, self.settings, self.before, self.config = engine, settings, before, config

    def value(self, aid: int, rule: str, param: str, value, new: bool):
        if rule != "drawdown_guard" or param != "line" or value is not None:
            return value
        from services.risk.rules.drawdown_guard import (OWN_LINE_UNKNOWN, own_line,
                                                        own_line_unknown, own_line_words)
        acct = self.engine.accounts.get(aid)
        try:
            rules = self.settings.resolve(self.config, acct) if new else self.before.get(aid)
        except Exception:  # noqa: BLE001 -- words only: 'none' as before
            return value
        params = getattr(rules, rule, None)
        line = own_line(acct, params)
        if line is None:
            return Shown(OWN_LINE_UNKNOWN) if own_line_unknown(acct, params) else value
        return Shown(own_line_words(line))

    def text(self, aid: int, rule: str, param: str, value, new: bool) -> str:
        return value_text(self.value(aid, rule, param, value, new))

    def of_changes(self, changes: dict[int, dict]) -> dict[int, dict]:
        """changed_now's (or dropped's) dict with the values in these words."""
        return {aid: {rule: {p: (self.value(aid, rule, p, a, False),
                                 self.value(aid, rule, p, b, True))
                             for p, (a, b) in params.items()}
                      for rule, params in rules.items()}
                for aid, rules in changes.items()}

    def of_waits(self, waits: dict[int, tuple]) -> dict[int, tuple]:
        """what_waits()'s dict with the values in these words."""
        return {aid: (names, self.of_changes({aid: params})[aid])
                for aid, (names, params) in waits.items()}
