"""A roll time changed while riskd runs applies from the next roll (fresh-user trial 21b,
finding 1: `config set trading_day.roll 06:16` at 06:11 answered "applied live"; at 06:16 the
screen's header turned to the next trading day while risk kept the day, its PnL, its waiting
loosening and its lockout "until the roll" to 17:00, and the answers still named 17:00).

Now the day in progress keeps its roll (17:00): its realized PnL, lockouts until the roll and
loosenings waiting for the roll keep the end they were told; the next day runs from that roll
to the new time on its own date, every day after roll to roll at the new time. The edit writes
`roll_changed_after` with the roll, so every process (risk, supervisor, market, notify and the
screens, which read the file) builds the one calendar; risk also keeps the day in progress
when the file is edited by hand without it. Injected instants: Mon 2026-12-07, Chicago."""
from __future__ import annotations

import datetime as dt
import os

from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from shared.config import load_config, rollmove
from shared.messages.market import Fill
from shared.tradingday import TradingCalendar
from tests.support.env import make_config
from tests.unit.risk.desk import ACCOUNT, CHI, MNQ, D, chi, only

MON, TUE, WED = dt.date(2026, 12, 7), dt.date(2026, 12, 8), dt.date(2026, 12, 9)
EDITED = chi(2026, 12, 7, 6, 11, 45)           # the trial's edit, 4 minutes before 06:16
RUNNING = TradingCalendar.make()               # 17:00, as shipped


def test_a_roll_moved_earlier_mid_day_keeps_the_day_in_progress_to_its_roll():
    cal = rollmove.moved(RUNNING, "06:16", EDITED)
    assert cal.changed_after() == "2026-12-07 17:00"
    # at 06:16:12 (the trial's status) it is still Monday's trading day, rolling at 17:00
    assert cal.trading_day(chi(2026, 12, 7, 6, 16, 12)) == MON
    assert cal.next_roll(chi(2026, 12, 7, 6, 16, 12)) == chi(2026, 12, 7, 17)
    # the next day: Mon 17:00 to Tue 06:16 (shorter once), then roll to roll at 06:16
    assert cal.trading_day(chi(2026, 12, 7, 17, 0, 1)) == TUE
    assert cal.end_of(TUE) == chi(2026, 12, 8, 6, 16)
    assert cal.start_of(TUE) == chi(2026, 12, 7, 17)
    assert cal.trading_day(chi(2026, 12, 8, 6, 16)) == WED
    assert cal.end_of(WED) == chi(2026, 12, 9, 6, 16)
    assert cal.session_open(TUE) == chi(2026, 12, 7, 17)


def test_a_roll_moved_later_never_gives_a_day_back():
    cal = rollmove.moved(RUNNING, "18:00", chi(2026, 12, 7, 10))
    assert cal.trading_day(chi(2026, 12, 7, 16, 59)) == MON
    assert cal.trading_day(chi(2026, 12, 7, 17, 30)) == TUE      # not Monday again
    assert cal.end_of(TUE) == chi(2026, 12, 8, 18)
    assert cal.trading_day(chi(2026, 12, 8, 18)) == WED


def test_set_back_before_the_roll_nothing_is_pending():
    pending = rollmove.moved(RUNNING, "06:16", EDITED)
    back = rollmove.moved(pending, "17:00", EDITED + 60 * 10**9)
    assert back.changed_after() == "" and back == RUNNING


def test_the_answer_says_when_it_applies():
    words = rollmove.answer_of(RUNNING, "06:16", EDITED, CHI)()
    assert words == ("applies from the next roll: trading day 2026-12-07 still ends at Mon "
                     "17:00 CST (its realized PnL, lockouts until the roll and loosenings "
                     "waiting for the roll keep that roll); trading day 2026-12-08 ends at Tue "
                     "06:16 CST, every day after at 06:16")


def test_config_set_writes_the_one_fact_every_process_reads(tmp_path):
    path = make_config(tmp_path)
    rollmove.set_roll(path, "06:16", RUNNING, EDITED, str(tmp_path / "backups"))
    table = load_config(path).config.trading_day
    assert (table.roll, table.roll_changed_after) == ("06:16", "2026-12-07 17:00")
    cal = table.calendar(os.path.dirname(path))
    assert cal.trading_day(chi(2026, 12, 7, 6, 16, 12)) == MON       # the header's day
    assert cal.next_roll(chi(2026, 12, 7, 6, 16, 12)) == chi(2026, 12, 7, 17)
    # set back to 17:00 before the roll: the pending change is dropped from the file
    rollmove.set_roll(path, "17:00", cal, EDITED + 10**9, str(tmp_path / "backups"))
    table = load_config(path).config.trading_day
    assert (table.roll, table.roll_changed_after) == ("17:00", "")


def _engine_with_a_loss() -> Engine:
    engine = Engine(RUNNING, FixedRules(only(daily_realized_loss={"limit": 500})),
                    ids=iter(f"id{n}" for n in range(1, 10**6)).__next__)
    engine.start(EDITED)
    engine.on_event(Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=EDITED,
                         price=D("21000"), pnl=D("-110"), fees=D("0"), side=1, size=1), EDITED)
    return engine


def test_risk_keeps_the_days_pnl_to_the_roll_it_was_told_then_rolls_at_the_new_time():
    engine = _engine_with_a_loss()
    # a hand edit of the file (no roll_changed_after): risk still never rolls early
    engine.moved_calendar(TradingCalendar.make("06:16"), EDITED)
    engine.tick(chi(2026, 12, 7, 6, 16, 12))
    assert engine.day == MON
    assert engine.accounts[ACCOUNT].realized() == D("-110")
    engine.tick(chi(2026, 12, 7, 17, 0, 1))            # the roll it was told: Mon 17:00
    assert engine.day == TUE and engine.accounts[ACCOUNT].realized() == 0
    engine.tick(chi(2026, 12, 8, 6, 16, 1))             # then at the new time
    assert engine.day == WED


def test_config_set_offline_keeps_the_day_in_progress_too(tmp_path, capsys):
    """`config set trading_day.roll --offline` (riskd stopped): the file is written as a
    running riskd writes it, the day in progress (by the wall clock) kept to its roll."""
    import time
    from cli.main import main
    path = make_config(tmp_path)
    before = time.time_ns()
    assert main(["--config", path, "config", "set", "trading_day.roll", "06:16",
                 "--offline"]) == 0
    day = RUNNING.trading_day(before)
    table = load_config(path).config.trading_day
    assert table.roll_changed_after == f"{day.isoformat()} 17:00"
    assert table.calendar().end_of(day) == RUNNING.end_of(day)


def test_an_older_day_keeps_the_roll_in_force_on_it_after_a_second_change(tmp_path):
    """17:00 to 16:00 on Fri 2026-11-20, then 16:00 to 06:16 on Mon 2026-12-07: every change
    is kept in the file, so a day before the first keeps 17:00, one between them 16:00 (a
    replay of past days cuts each at its own roll). Old code: only the latest change was kept
    ('2026-12-07 16:00'), and Wed 2026-11-18 rolled at 16:00, its 16:30 trades counted on
    Thursday's day."""
    path = make_config(tmp_path)
    backups = str(tmp_path / "backups")
    rollmove.set_roll(path, "16:00", RUNNING, chi(2026, 11, 20, 10), backups)
    first = load_config(path).config.trading_day.calendar(os.path.dirname(path))
    rollmove.set_roll(path, "06:16", first, EDITED, backups)
    table = load_config(path).config.trading_day
    assert table.roll_changed_after == "2026-11-20 17:00, 2026-12-07 16:00"
    cal = table.calendar(os.path.dirname(path))
    wed = dt.date(2026, 11, 18)
    assert cal.end_of(wed) == chi(2026, 11, 18, 17)
    assert cal.trading_day(chi(2026, 11, 18, 16, 30)) == wed
    assert cal.end_of(dt.date(2026, 11, 23)) == chi(2026, 11, 23, 16)     # between the two
    assert cal.trading_day(chi(2026, 11, 20, 17, 30)) == dt.date(2026, 11, 23)
    assert cal.end_of(MON) == chi(2026, 12, 7, 16)                       # the day in progress
    assert cal.end_of(TUE) == chi(2026, 12, 8, 6, 16)
    # the roll set back before the latest change's roll: only that change is dropped
    rollmove.set_roll(path, "16:00", cal, EDITED + 10**9, backups)
    assert load_config(path).config.trading_day.roll_changed_after == "2026-11-20 17:00"


# -- round 22: time zone and holidays edits, and hand edits (roll21 left) ----------------------

def test_config_set_of_the_time_zone_applies_from_the_next_roll(tmp_path):
    """The day in progress keeps its end (Mon 17:00 CST = 18:00 in New York), said in the new
    zone's words: roll_changed_after "2026-12-07 18:00"; every day after rolls at 17:00 New
    York. Before, the time zone was written alone: the screens (reading the file) ended the
    day an hour early while riskd kept it in memory."""
    path = make_config(tmp_path)
    rollmove.set_roll(path, "America/New_York", RUNNING, EDITED, str(tmp_path / "backups"),
                      key="trading_day.timezone")
    table = load_config(path).config.trading_day
    assert (table.timezone, table.roll_changed_after) == ("America/New_York", "2026-12-07 18:00")
    cal = table.calendar(os.path.dirname(path))
    assert cal.end_of(MON) == RUNNING.end_of(MON)
    assert cal.end_of(TUE) == chi(2026, 12, 8, 16)           # 17:00 New York


def test_a_holiday_of_the_day_in_progress_is_refused_and_nothing_written(tmp_path):
    import pytest
    from shared.config.edit import EditError
    path = make_config(tmp_path)
    before = open(path).read()
    with pytest.raises(EditError) as refused:
        rollmove.set_roll(path, '["2026-12-07"]', RUNNING, EDITED, str(tmp_path / "backups"),
                          key="trading_day.holidays")
    assert "trading_day.holidays: not saved: it would change the trading day in progress " \
           "(2026-12-07" in str(refused.value), refused.value
    assert open(path).read() == before
    # a later holiday does not move the day in progress: saved, nothing pending
    rollmove.set_roll(path, '["2026-12-24"]', RUNNING, EDITED, str(tmp_path / "backups"),
                      key="trading_day.holidays")
    assert load_config(path).config.trading_day.roll_changed_after == ""


def test_a_hand_edit_that_moves_the_day_in_progress_is_refused_by_the_reload(tmp_path):
    """The supervisor's reload refuses a file whose [trading_day] moves the day in progress
    (roll or time zone edited by hand, no roll_changed_after), naming the line that applies it
    from the next roll, so riskd keeps the running config and every process one calendar."""
    import pytest
    from services.supervisor.app import Supervisor
    from shared.clock import FakeClock
    from shared.config import ConfigError

    class Running:
        calendar = RUNNING
        clock = FakeClock(EDITED)

    path = make_config(tmp_path)      # the shipped [trading_day] (17:00 Chicago), written out
    text = open(path).read() + '\n[trading_day]\nroll = "17:00"\n'
    open(path, "w").write(text)
    Supervisor._refuse_moved_day(Running(), load_config(path))      # as it runs: taken
    text = text.replace('roll = "17:00"', "")
    for hand, line in (('roll = "06:16"', "2026-12-07 17:00"),
                       ('timezone = "America/New_York"', "2026-12-07 18:00")):
        open(path, "w").write(text.replace("[trading_day]", f"[trading_day]\n{hand}", 1))
        with pytest.raises(ConfigError) as refused:
            Supervisor._refuse_moved_day(Running(), load_config(path))
        words = refused.value.render()
        assert f'add roll_changed_after = "{line}" to [trading_day]' in words, words
        assert "`riskctl config set trading_day.KEY VALUE`" in words, words
        # with the line the edit applies from the next roll: taken
        open(path, "w").write(text.replace(
            "[trading_day]", f'[trading_day]\n{hand}\nroll_changed_after = "{line}"', 1))
        Supervisor._refuse_moved_day(Running(), load_config(path))
    # a holiday after the day in progress moves nothing: taken as written
    open(path, "w").write(text.replace("[trading_day]", '[trading_day]\nholidays = '
                                       '["2026-12-24"]', 1))
    Supervisor._refuse_moved_day(Running(), load_config(path))
    # today made a holiday by hand (round 22: taken, as keeping() leaves such a file as it is,
    # while `config set` refuses it): refused, the running config kept, with or without a
    # roll_changed_after line, as no line keeps a day that is a holiday
    for after in ("", '\nroll_changed_after = "2026-12-07 17:00"'):
        open(path, "w").write(text.replace("[trading_day]", '[trading_day]\nholidays = '
                                           f'["2026-12-07"]{after}', 1))
        with pytest.raises(ConfigError) as refused:
            Supervisor._refuse_moved_day(Running(), load_config(path))
        words = refused.value.render()
        assert "it would change the trading day in progress (2026-12-07, which ends at its " \
               "roll as riskd runs it): make it after that roll" in words, words
