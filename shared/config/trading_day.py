"""[trading_day]: when the trading day rolls (default 17:00 America/Chicago) and the holidays.

A roll time changed while riskd runs (`riskctl config set trading_day.roll`) applies from the
next roll: the edit also writes roll_changed_after, the day in progress and the roll that
still ends it ('2026-12-07 17:00'), so the day's PnL is neither reset early nor kept past the
roll every screen named (shared/tradingday.py, "A moved roll"; docs/operations.md).

Holidays are dates (YYYY-MM-DD) listed inline and/or in a file with one date a line
('#' starts a comment); a relative file path is relative to the config file's folder.
"""
from __future__ import annotations

import datetime as dt
import os

import attrs

from shared.config.validators import date_list, hhmm, iso_date, timezone_name
from shared.tradingday import parse_changed_after


@attrs.frozen(kw_only=True)
class TradingDayConfig:
    roll: str = attrs.field(default="17:00", validator=hhmm)
    timezone: str = attrs.field(default="America/Chicago", validator=timezone_name)
    holidays: list[str] = attrs.field(factory=list, validator=date_list)
    holidays_file: str = ""
    # each last roll at a roll time before `roll` was changed, oldest first: 'YYYY-MM-DD HH:MM'
    # separated by ', ' (so older days keep the roll in force on them), or ''
    roll_changed_after: str = attrs.field(default="", validator=lambda _i, _a, v:
                                          parse_changed_after(v))

    def holiday_dates(self, base_dir: str = ".") -> frozenset[dt.date]:
        """Inline holidays plus those in holidays_file. Raises ValueError naming a bad line."""
        dates = {iso_date(d) for d in self.holidays}
        if self.holidays_file:
            dates |= read_holidays_file(self.holidays_file, base_dir)
        return frozenset(dates)

    def calendar(self, base_dir: str = "."):
        """The shared.tradingday.TradingCalendar this table describes."""
        from shared.tradingday import TradingCalendar
        return TradingCalendar.make(self.roll, self.timezone,
                                    holidays=self.holiday_dates(base_dir),
                                    changed_after=self.roll_changed_after)


def read_holidays_file(path: str, base_dir: str = ".") -> set[dt.date]:
    full = path if os.path.isabs(path) else os.path.join(base_dir, path)
    out: set[dt.date] = set()
    with open(full, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                out.add(iso_date(text))
            except ValueError as exc:
                raise ValueError(f"{full}:{n}: {exc}") from None
    return out
