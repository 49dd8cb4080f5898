"""A trading-day edit (`riskctl config set trading_day.roll HH:MM`, or its timezone, holidays or
holidays_file): it applies from the next roll.

The trading day in progress keeps the roll riskd runs now (the one its realized PnL, its
lockouts "until the roll", its waiting loosenings and every screen name); the edit writes
`roll` and `roll_changed_after` together, the one fact every process reads
(shared/tradingday.py, "A moved roll"). A roll set back to the one still ending the day in
progress drops that change from roll_changed_after: nothing is then pending; earlier changes
stay, so older days keep the roll in force on them. The answer says when it applies.
A time zone or holidays edit is the same fact (the day in progress keeps the end it has, in
the new zone's words); one that cannot keep it (today made a holiday) is refused, and so is
a hand edit that would move the day in progress without roll_changed_after (day_moved_by:
round 21, roll21 left: the screens read the file as written while riskd kept the day).
"""
from __future__ import annotations

import os
from typing import Any, Callable, Optional

import attrs

from shared import showtime
from shared.config.edit import EditResult, edit_config, get_key, parse_value, set_key
from shared.tradingday import TradingCalendar, parse_time

KEY = "trading_day.roll"
AFTER = "roll_changed_after"
# the [trading_day] keys that set when a trading day ends
CALENDAR_KEYS = tuple(f"trading_day.{name}" for name in ("roll", "timezone", "holidays",
                                                         "holidays_file"))
HOW = ("docs/operations.md, \"Moving the trading-day roll\"")


def is_roll_key(key: str) -> bool:
    return key.replace(" ", "") == KEY


def is_calendar_key(key: str) -> bool:
    """A key whose edit applies from the next roll (the roll, its time zone, the holidays)."""
    return key.replace(" ", "") in CALENDAR_KEYS


class DayMoved(ValueError):
    """The edit would change the trading day in progress, which no roll_changed_after keeps."""


def kept_calendar(edited: TradingCalendar, running: TradingCalendar,
                  now: int) -> TradingCalendar:
    """`edited` (the file's calendar without roll_changed_after) from the next roll on, the
    day in progress keeping the end `running` gives it; DayMoved when it cannot (the day in
    progress made a holiday)."""
    kept = attrs.evolve(edited, moved=()).keeping(running, now)
    day = running.trading_day(now)
    if kept.trading_day(now) != day or kept.end_of(day) != running.end_of(day):
        raise DayMoved(f"it would change the trading day in progress ({day.isoformat()}, "
                       f"which ends at its roll as riskd runs it): make it after that roll")
    return kept


def day_moved_by(file_calendar: TradingCalendar, running: TradingCalendar, now: int,
                 zone) -> Optional[str]:
    """Why riskd refuses a file whose [trading_day] (edited by hand) moves the trading day in
    progress: the words, naming the roll_changed_after line that applies it from the next
    roll and the riskctl command that writes it; None when the file keeps the day.
    Today made a holiday is refused too: keeping() leaves such a file as it is (nothing to
    keep at the shipped roll), though the day in progress would end at once (round 22)."""
    day = running.trading_day(now)
    ends = showtime.at(running.end_of(day), zone, now)
    head = (f"this edit moves the end of the trading day in progress ({day.isoformat()}, "
            f"ends {ends}) at once, and a moved roll, time zone or holidays apply from the "
            f"next roll")
    try:
        after = kept_calendar(file_calendar, running, now).changed_after()
    except DayMoved as exc:
        return f"{head}; {exc} ({HOW})"
    if file_calendar.keeping(running, now) == file_calendar:
        return None
    return (f"{head}: add roll_changed_after = \"{after}\" to [trading_day] (it keeps the day "
            f"in progress), or make the change with `riskctl config set trading_day.KEY "
            f"VALUE`, which writes it ({HOW})")


def moved(running: TradingCalendar, roll, now: int) -> TradingCalendar:
    """The calendar with `roll` as its time from the next roll on (running: the one riskd
    runs now, a change already pending included)."""
    return attrs.evolve(running, roll=parse_time(roll), moved=()).keeping(running, now)


def set_roll(path: str, text: str, running: TradingCalendar, now: int, backup_dir: str,
             key: str = KEY, **kw) -> EditResult:
    """Write trading_day.roll (or another CALENDAR_KEYS key) and the roll_changed_after that
    keeps the day in progress. EditError (nothing written) when it cannot be kept."""
    from shared.config.edit import EditError
    from shared.config.trading_day import TradingDayConfig
    key = key.replace(" ", "")

    def change(doc: Any) -> None:
        value = parse_value(text, get_key(doc, key), key)
        set_key(doc, key, value)
        table = doc["trading_day"]
        data = {k: v for k, v in table.unwrap().items() if k != AFTER}
        try:
            edited = TradingDayConfig(**data).calendar(os.path.dirname(os.path.abspath(path)))
        except (TypeError, ValueError, OSError):
            return              # not a valid table: the validation names what was expected
        try:
            after = kept_calendar(edited, running, now).changed_after()
        except DayMoved as exc:
            raise EditError(f"{key}: not saved: {exc} ({HOW})") from None
        if after:
            table[AFTER] = after
        elif AFTER in table:
            del table[AFTER]
    return edit_config(path, change, backup_dir, **kw)


def calendar_of_text(text: str, path: str) -> Optional[TradingCalendar]:
    """The calendar an edited file's [trading_day] gives (None when it does not read)."""
    from shared.config.load import parse_toml
    from shared.config.trading_day import TradingDayConfig
    try:
        data = dict(parse_toml(text, path).get("trading_day") or {})
        return TradingDayConfig(**data).calendar(os.path.dirname(os.path.abspath(path)))
    except Exception:  # noqa: BLE001 -- words only: the validation says what is wrong
        return None


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


def edit_words(running: TradingCalendar, edited_text: str, path: str, now: int, zone) -> str:
    """The answer's words of a calendar edit whose new file text is `edited_text` (a dry run):
    applies_words of the calendar it gives from the next roll; '' when it does not read."""
    edited = calendar_of_text(edited_text, path)
    if edited is None:
        return ""
    try:
        return applies_words(running, kept_calendar(edited, running, now), now, zone)
    except (DayMoved, ValueError):
        return ""
