"""riskctl lockout --until / history --since: the times people type."""
import pytest

from cli.commands._risk_view import parse_when
from cli.errors import CliError
from tests.unit.risk.desk import chi

NS = 1_000_000_000


def test_durations_clock_times_and_iso():
    now = chi(2026, 11, 25, 10)
    assert parse_when("30m", now) == now + 1800 * NS
    assert parse_when("+2h", now) == now + 7200 * NS
    assert parse_when("2h", now, future=False) == now - 7200 * NS
    assert parse_when("2026-11-25T15:30:00-06:00", now) == chi(2026, 11, 25, 15, 30)
    later = parse_when("23:59", now)
    assert now < later <= now + 86400 * NS


def test_a_since_clock_time_is_the_last_one_not_a_future_one():
    # trial 2026-12-05: 'history --since 09:30' at 01:07 asked for times after today's 09:30
    # (still ahead) and printed "nothing recorded"
    night = chi(2026, 12, 5, 1, 7)
    assert parse_when("09:30", night, future=False) == chi(2026, 12, 4, 9, 30)
    assert parse_when("01:05", night, future=False) == chi(2026, 12, 5, 1, 5)
    assert parse_when("09:30", night) == chi(2026, 12, 5, 9, 30)        # --until: the next one


def test_nonsense_is_refused_with_examples():
    with pytest.raises(CliError, match="expected a time like 30m"):
        parse_when("soon")
