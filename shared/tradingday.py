"""The trading calendar: which trading day an instant belongs to, when the day rolls, sessions.

Pure and clock-free: every function takes the instant (UTC integer ns) it is about.

Trading day. A trading day D runs from the previous trading day's roll to the
roll on the calendar date D (default 17:00 America/Chicago, the CME Globex
day). An instant at or after the roll belongs to the next calendar date;
dates that are weekends or holidays are skipped, so Friday's 17:00 roll leads
straight to Monday's trading day, whose session opens Sunday at 17:00. The
roll is computed in local time with zoneinfo, so it stays at 17:00 Chicago
across the March and November DST changes.

A moved roll. When the roll time is changed while riskd runs, the trading day in progress
keeps the end it had (the roll every lockout "until the roll", waiting loosening and screen
was told): `moved` = (that day, its roll time). Days up to it end at the earlier time; the
next day starts at that earlier roll and ends at the new time on its own date (so it is
shorter or longer once), and every later day runs roll to roll at the new time. No instant
roll (the day's PnL is never reset early) and no day back (never kept past its roll).
`keeping(earlier, now)` makes such a calendar; `[trading_day] roll_changed_after` is where
the config keeps it (shared/config/trading_day.py), so every process reads the one fact.
Every earlier change is kept too (`moved` holds one (day, time) a change, oldest first: each
the last day that ended at that time), so an older day keeps the roll in force on it (a
replay of past days cuts each at its own roll, not at the latest change's).

Sessions. A SessionWindow is a daily window [start, end) in its own zone on
the given weekdays, minus holidays. When end <= start the window is
overnight: it opens on the day before its session date and closes on the
session date (a 17:00-16:00 Mon-Fri window opens Sunday 17:00 for Monday).
`days` and `holidays` always name the session date, i.e. the day the window
closes.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

import attrs

from shared.clock import from_ns, to_ns

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI = frozenset(range(5))
_SEARCH_DAYS = 400          # how far we look for the next trading day / session (bounded)


def parse_time(value: str | dt.time) -> dt.time:
    """'17:00' or '08:30:15' -> time (an error names what was expected)."""
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a time like '17:00', got {value!r}") from None


def parse_days(days: Iterable[str | int] | str) -> frozenset[int]:
    """Weekdays as 0=Mon..6=Sun from names ('mon', 'Monday'), ranges ('mon-fri') or ints."""
    if isinstance(days, str):
        days = [d for d in days.replace(" ", "").split(",") if d]
    out: set[int] = set()
    for day in days:
        if isinstance(day, int) and not isinstance(day, bool):
            if not 0 <= day <= 6:
                raise ValueError(f"expected a weekday 0 (Mon) to 6 (Sun), got {day!r}")
            out.add(day)
            continue
        text = str(day).strip().lower()
        if "-" in text:
            first, last = (_weekday(p) for p in text.split("-", 1))
            d = first
            while True:
                out.add(d)
                if d == last:
                    break
                d = (d + 1) % 7
            continue
        out.add(_weekday(text))
    return frozenset(out)


def _weekday(text: str) -> int:
    key = text.strip().lower()[:3]
    if key not in WEEKDAYS:
        raise ValueError(f"expected a weekday name like 'mon', got {text!r}")
    return WEEKDAYS.index(key)


def parse_dates(values: Iterable[str | dt.date]) -> frozenset[dt.date]:
    out = set()
    for v in values:
        if isinstance(v, dt.date):
            out.add(v)
            continue
        try:
            out.add(dt.date.fromisoformat(str(v).strip()))
        except ValueError:
            raise ValueError(f"expected a date like '2026-11-26', got {v!r}") from None
    return frozenset(out)


def parse_changed_after(value: str) -> tuple[tuple[dt.date, dt.time], ...]:
    """'2026-11-20 17:00, 2026-12-07 16:00' -> ((date, time), ...) in date order: each the last
    roll at a roll time since changed; '' -> ()."""
    out = []
    for part in str(value or "").split(","):
        text = part.strip()
        if not text and "," not in str(value or ""):
            continue
        try:
            day, at = text.split()
            out.append((dt.date.fromisoformat(day), parse_time(at)))
        except ValueError:
            raise ValueError(f"expected a date and time like '2026-12-07 17:00' (several "
                             f"separated by commas), got {value!r}") from None
    return tuple(sorted(out))


def _merged(moves, roll: dt.time) -> tuple[tuple[dt.date, dt.time], ...]:
    """Moves in date order, one a day (the later given wins), without one whose time is the
    roll of the days after it (it changes nothing)."""
    by_day = dict(sorted(moves))
    days = sorted(by_day)
    out = []
    for i, day in enumerate(days):
        after = by_day[days[i + 1]] if i + 1 < len(days) else roll
        if by_day[day] != after:
            out.append((day, by_day[day]))
    return tuple(out)


def local_ns(day: dt.date, at: dt.time, tz: dt.tzinfo) -> int:
    """The UTC ns of a local wall time (a time skipped by DST resolves forward, fold=0)."""
    naive = dt.datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # zoneinfo gives non-existent times the pre-gap offset; round-trip to normalise.
    return to_ns(aware.astimezone(dt.timezone.utc))


@attrs.frozen
class TradingCalendar:
    """Trading days: roll time and zone, trading weekdays, holidays (dates with no trading day)."""
    roll: dt.time = dt.time(17, 0)
    tz: dt.tzinfo = ZoneInfo("America/Chicago")
    days: frozenset[int] = MON_FRI
    holidays: frozenset[dt.date] = frozenset()
    # each change of the roll time, oldest first: (last day at the earlier roll, its time)
    moved: tuple[tuple[dt.date, dt.time], ...] = ()

    @classmethod
    def make(cls, roll: str | dt.time = "17:00", timezone: str = "America/Chicago",
             days: Iterable | str = "mon-fri", holidays: Iterable = (),
             changed_after: str = "") -> "TradingCalendar":
        at = parse_time(roll)
        return cls(at, ZoneInfo(timezone), parse_days(days), parse_dates(holidays),
                   _merged(parse_changed_after(changed_after), at))

    def keeping(self, earlier: "TradingCalendar", now: int) -> "TradingCalendar":
        """This calendar with the trading day in progress at `now` (as `earlier` has it) kept
        to the end `earlier` gives it: a roll time changed mid-day applies from the next day.
        The days before it keep their rolls too, as either calendar has them (this one's
        first). Itself when nothing changes."""
        day = earlier.trading_day(now)
        ends = earlier.end_of(day)
        kept = (day, from_ns(ends, self.tz).time())
        before = {d: t for d, t in earlier.moved if d < day}
        before.update((d, t) for d, t in self.moved if d < day)
        moved = _merged([*before.items(), kept], self.roll)
        return self if moved == self.moved else attrs.evolve(self, moved=moved)

    def changed_after(self) -> str:
        """`[trading_day] roll_changed_after` of this calendar: 'YYYY-MM-DD HH:MM' a change,
        oldest first, separated by ', '; '' with none."""
        return ", ".join(f"{d.isoformat()} {t.strftime('%H:%M')}" for d, t in self.moved)

    def is_trading_date(self, day: dt.date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def next_trading_date(self, day: dt.date) -> dt.date:
        """The first trading date on or after `day`."""
        for _ in range(_SEARCH_DAYS):
            if self.is_trading_date(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError(f"no trading date within {_SEARCH_DAYS} days of {day}")

    def prev_trading_date(self, day: dt.date) -> dt.date:
        """The last trading date strictly before `day`."""
        for _ in range(_SEARCH_DAYS):
            day -= dt.timedelta(days=1)
            if self.is_trading_date(day):
                return day
        raise ValueError(f"no trading date within {_SEARCH_DAYS} days before {day}")

    def trading_day(self, ns: int) -> dt.date:
        """The trading day an instant belongs to."""
        first = None            # the first day after the last moved roll passed
        for last, earlier in self.moved:
            if ns < local_ns(last, earlier, self.tz):
                day = self._day_at(ns, earlier)
                return day if first is None else max(day, first)
            # the day after a moved roll, however early the new roll comes on its date
            first = self.next_trading_date(last + dt.timedelta(days=1))
        day = self._day_at(ns, self.roll)
        return day if first is None else max(day, first)

    def _day_at(self, ns: int, roll: dt.time) -> dt.date:
        local = from_ns(ns, self.tz)
        day = local.date()
        if local.time() >= roll:
            day += dt.timedelta(days=1)
        return self.next_trading_date(day)

    def roll_of(self, day: dt.date) -> dt.time:
        """The roll time that ends trading day `day` (the one in force then: up to a moved
        roll, the earlier one)."""
        for last, earlier in self.moved:
            if day <= last:
                return earlier
        return self.roll

    def end_of(self, day: dt.date) -> int:
        """When trading day `day` ends (its roll), UTC ns."""
        return local_ns(day, self.roll_of(day), self.tz)

    def start_of(self, day: dt.date) -> int:
        """When trading day `day` starts: the previous trading day's roll."""
        return self.end_of(self.prev_trading_date(day))

    def next_roll(self, ns: int) -> int:
        """The first roll strictly after `ns`."""
        return self.end_of(self.trading_day(ns))

    def session_open(self, day: dt.date) -> int:
        """When the market opens for trading day `day`: the roll time on the calendar day before
        (Monday's session opens Sunday 17:00 although Friday's roll already led to Monday)."""
        return local_ns(day - dt.timedelta(days=1), self.roll_of(day - dt.timedelta(days=1)),
                        self.tz)

    def next_session_open(self, ns: int) -> int:
        """The next time the market opens at or after `ns` (ns itself when it is open now)."""
        day = self.trading_day(ns)
        opens = self.session_open(day)
        return max(opens, ns)

    def week_end(self, ns: int) -> int:
        """The roll that ends the last trading day of the week `ns` trades in."""
        day = self.trading_day(ns)
        monday = day - dt.timedelta(days=day.weekday())
        last = None
        for i in range(7):
            d = monday + dt.timedelta(days=i)
            if self.is_trading_date(d):
                last = d
        return self.end_of(last if last is not None else day)

    def week_start(self, ns: int) -> int:
        """The start of the first trading day of the week `ns` trades in."""
        day = self.trading_day(ns)
        first = self.next_trading_date(day - dt.timedelta(days=day.weekday()))
        return self.start_of(first)

    def week_of(self, ns: int) -> tuple[int, int]:
        """ISO (year, week) of the trading day of `ns` (trades in one trading week share it)."""
        iso = self.trading_day(ns).isocalendar()
        return iso[0], iso[1]


@attrs.frozen
class SessionWindow:
    """A daily trading window in its own zone; overnight when end <= start."""
    start: dt.time
    end: dt.time
    tz: dt.tzinfo
    days: frozenset[int] = MON_FRI
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def make(cls, start: str | dt.time = "08:30", end: str | dt.time = "15:00",
             timezone: str = "America/Chicago", days: Iterable | str = "mon-fri",
             holidays: Iterable = ()) -> "SessionWindow":
        return cls(parse_time(start), parse_time(end), ZoneInfo(timezone), parse_days(days),
                   parse_dates(holidays))

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def bounds(self, session_date: dt.date) -> Optional[tuple[int, int]]:
        """[open, close) in UTC ns of the window closing on session_date, or None if closed."""
        if session_date.weekday() not in self.days or session_date in self.holidays:
            return None
        open_day = session_date - dt.timedelta(days=1) if self.overnight else session_date
        return local_ns(open_day, self.start, self.tz), local_ns(session_date, self.end, self.tz)

    def _around(self, ns: int, ahead: int):
        today = from_ns(ns, self.tz).date()
        for i in range(-1, ahead):
            b = self.bounds(today + dt.timedelta(days=i))
            if b is not None:
                yield b

    def current(self, ns: int) -> Optional[tuple[int, int]]:
        """The window containing `ns`, or None."""
        for opens, closes in self._around(ns, 2):
            if opens <= ns < closes:
                return opens, closes
        return None

    def is_inside(self, ns: int) -> bool:
        return self.current(ns) is not None

    def next_start(self, ns: int) -> int:
        """The first window opening strictly after `ns`."""
        for opens, _closes in self._around(ns, _SEARCH_DAYS):
            if opens > ns:
                return opens
        raise ValueError(f"no session opens within {_SEARCH_DAYS} days")

    def last_end(self, ns: int) -> Optional[int]:
        """The latest window close at or before `ns` (within _SEARCH_DAYS), or None."""
        today = from_ns(ns, self.tz).date()
        for i in range(_SEARCH_DAYS):
            b = self.bounds(today - dt.timedelta(days=i))
            if b is not None and b[1] <= ns:
                return b[1]
        return None

    def next_end(self, ns: int) -> int:
        """The end of the current window, or of the next one when outside."""
        for _opens, closes in self._around(ns, _SEARCH_DAYS):
            if closes > ns:
                return closes
        raise ValueError(f"no session closes within {_SEARCH_DAYS} days")
