"""A roll time edit (`riskctl config set trading_day.roll HH:MM`): it applies from the next roll.

The trading day in progress keeps the roll riskd runs now (the one its realized PnL, its
lockouts "until the roll", its waiting loosenings and every screen name); the edit writes
`roll` and `roll_changed_after` together, the one fact every process reads
(shared/tradingday.py, "A moved roll"). A roll set back to the one still ending the day in
progress drops that change from roll_changed_after: nothing is then pending; earlier changes
stay, so older days keep the roll in force on them. The answer says when it applies.
"""
from __future__ import annotations

from typing import Any, Callable

import attrs

from shared import showtime
from shared.config.edit import EditResult, edit_config, get_key, parse_value, set_key
from shared.tradingday import TradingCalendar, parse_time

KEY = "trading_day.roll"
AFTER = "roll_changed_after"


def is_roll_key(key: str) -> bool:
    return key.replace(" ", "") == KEY


def moved(running: TradingCalendar, roll, now: int) -> TradingCalendar:
    """The calendar with `roll` as its time from the next roll on (running: the one riskd
    runs now, a change already pending included)."""
    return attrs.evolve(running, roll=parse_time(roll), moved=()).keeping(running, now)


def set_roll(path: str, text: str, running: TradingCalendar, now: int, backup_dir: str,
             **kw) -> EditResult:
    """Write trading_day.roll and the roll_changed_after that keeps the day in progress."""
    def change(doc: Any) -> None:
        value = parse_value(text, get_key(doc, KEY), KEY)
        set_key(doc, KEY, value)
        try:
            after = moved(running, value, now).changed_after()
        except (TypeError, ValueError):
            return              # not a time: the validation names what was expected
        table = doc["trading_day"]
        if after:
            table[AFTER] = after
        elif AFTER in table:
            del table[AFTER]
    return edit_config(path, change, backup_dir, **kw)


def applies_words(running: TradingCalendar, after: TradingCalendar, now: int, zone) -> str:
    """'applies from the next roll: trading day 2026-12-07 still ends at Mon 17:00 CST (...);
    trading day 2026-12-08 ends at Tue 06:16 CST, every day after at 06:16'."""
    def at(ns: int) -> str:
        return showtime.at(ns, zone, now)
    day = running.trading_day(now)
    following = after.trading_day(after.end_of(day))
    return (f"applies from the next roll: trading day {day.isoformat()} still ends at "
            f"{at(running.end_of(day))} (its realized PnL, lockouts until the roll and "
            f"loosenings waiting for the roll keep that roll); trading day "
            f"{following.isoformat()} ends at {at(after.end_of(following))}, every day after "
            f"at {after.roll.strftime('%H:%M')}")


def answer_of(running: TradingCalendar, text: str, now: int, zone) -> Callable[[], str]:
    """The words of an edit to `text` (read when the answer is made; '' for a bad value)."""
    def words() -> str:
        try:
            value = parse_value(text, None, KEY)
            return applies_words(running, moved(running, value, now), now, zone)
        except (TypeError, ValueError):
            return ""
    return words
