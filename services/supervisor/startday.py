"""A [trading_day] hand edit made while riskd was stopped, judged at the start as a live one is.

A live hand edit of `[trading_day] roll`, timezone or holidays that would move the trading day
in progress is refused (shared/config/rollmove.day_moved_by); `riskctl config set` writes
roll_changed_after so it applies from the next roll. Made while riskd is stopped, the same edit
was taken as written at the next start (round 22, small22a): the day risk's store was on,
still in progress, got another end (a shorter day reset its realized PnL and lockouts "until
the roll" early). At the start the supervisor now compares them, before any worker starts:

- risk's store holds no day, or the day riskd was on has ended by the calendar it ran (the
  config it last ran, shared/config/lastrun.py): the file applies as written, as at any roll;
- the file keeps that day: nothing to do;
- the file moves it and roll_changed_after can keep it: the supervisor writes that line (a
  backup first, as `config set` does) and the edit applies from the next roll;
- it cannot be kept (the day in progress made a holiday): refused loudly, riskd runs the
  config it last ran (the stored day kept), as a refused reload keeps the running config.
Either is said in the log and in one alert.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Optional

import attrs

from shared import shards
from shared.config import rollmove
from shared.config.edit import edit_config
from shared.storedread import open_stored
from shared.tradingday import TradingCalendar

KIND = "trading_day_edited_while_stopped"


@attrs.frozen
class Verdict:
    kept: bool          # True: roll_changed_after `after` keeps the day; False: refused
    after: str          # the roll_changed_after line's value (kept)
    words: str          # what applies when (kept) or why it is refused


def stored_day(data_dir: str) -> Optional[str]:
    """The trading day risk's store was last on ('YYYY-MM-DD': the latest of its state files'
    meta 'day', every shard count kept), None with none readable."""
    days = []
    for files in shards.counts_kept(data_dir).values():
        for name in files:
            try:
                db = open_stored(os.path.join(data_dir, name))
                try:
                    row = db.execute("SELECT value FROM meta WHERE key = 'day'").fetchone()
                finally:
                    db.close()
            except sqlite3.Error:
                continue
            if row and row[0]:
                days.append(str(row[0]))
    return max(days) if days else None


def judge(file_calendar: TradingCalendar, ran: Optional[TradingCalendar], day: Optional[str],
          now: int, zone) -> Optional[Verdict]:
    """The verdict on the file's calendar against `ran` (the calendar of the config riskd last
    ran) and `day` (risk's stored day); None when the file applies as written."""
    if ran is None or day is None or ran.trading_day(now).isoformat() != day:
        return None
    if rollmove.day_moved_by(file_calendar, ran, now, zone) is None:
        return None
    try:
        kept = rollmove.kept_calendar(file_calendar, ran, now)
    except rollmove.DayMoved as exc:     # today made a holiday: nothing keeps the day
        return Verdict(False, "", f"the file's [trading_day], edited while riskd was stopped: "
                                  f"{exc} ({rollmove.HOW})")
    return Verdict(True, kept.changed_after(), rollmove.applies_words(ran, kept, now, zone))


def write_after(path: str, after: str, backup_dir: str) -> None:
    """Write `[trading_day] roll_changed_after = after` (EditError: nothing written)."""
    def change(doc) -> None:
        doc["trading_day"][rollmove.AFTER] = after
    edit_config(path, change, backup_dir)


def lines(verdict: Verdict, path: str) -> tuple[str, list[str]]:
    """(title, lines) of the alert and the log."""
    if verdict.kept:
        return ("⚠️ [trading_day] edited while riskd was stopped: it applies from the next roll",
                [f"the trading day in progress keeps its end; {verdict.words}",
                 f"riskd wrote roll_changed_after = \"{verdict.after}\" to [trading_day] in "
                 f"{path} (a backup was kept), as `riskctl config set trading_day.roll` does "
                 f"({rollmove.HOW})"])
    return ("🚨 [trading_day] edited while riskd was stopped: refused, riskd runs the config "
            "it last ran",
            [verdict.words,
             f"riskd keeps the trading day in progress and runs the config it last ran "
             f"(`riskctl config restore last-run` puts it back in {path}); the file's other "
             f"edits are not in force either until the file is fixed"])
