"""What a trader reads in a replay's text, JSON and HTML: the figures add up across tables,
the range is told the same way in all three, the day table fits 80 columns and the chart
says which trading day is where (found by a fresh-clone user trial)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest

from cli.replay import report as rep
from cli.replay.html import render_html
from cli.replay.runner import ids, replay_account
from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from shared.tradingday import TradingCalendar
from tests.support.replay_days import ES, MNQ, BrokerOfDays, Days, chi
from tests.unit.replay.test_command import Run, two_days
from tests.unit.risk.desk import only

pytestmark = pytest.mark.timeout(60)
CHI = dt.timezone(dt.timedelta(hours=-6))


def session_day() -> rep.Report:
    """A big ES loss held into 15:00 (closed by session_block_outside, its exit dropped), a
    blocked 20-lot re-entry and its exit; the next day an MNQ round trip."""
    d = Days(1001, "SIM-DEMO-1")
    t0 = chi(2026, 11, 25, 14, 50)
    d.bars(ES, t0, [5000] * 9 + [(5000, 5002, 5000, 5002)] + [4995] * 11)
    d.trade(t0, ES, "buy", 20, 5000)
    d.trade(chi(2026, 11, 25, 15, 10), ES, "sell", 20, 4890)         # -110,000
    d.bars(ES, chi(2026, 11, 25, 15, 20), [4990] * 10 + [4995])
    d.trade(chi(2026, 11, 25, 15, 20), ES, "buy", 20, 4990)
    d.trade(chi(2026, 11, 25, 15, 30), ES, "sell", 20, 4995)         # +5,000
    d.bars(MNQ, chi(2026, 11, 26, 9, 0), [20000] * 6)
    d.trade(chi(2026, 11, 26, 9, 0), MNQ, "buy", 1, 20000)
    d.trade(chi(2026, 11, 26, 9, 5), MNQ, "sell", 1, 20010)
    cal = TradingCalendar.make()
    engine = Engine(cal, FixedRules(only(session_block_outside={},
                                         daily_unrealized_loss={"limit": 200,
                                                                "scope": "position"})),
                    ids=ids())
    r = replay_account(engine, d.history())
    days = [dt.date(2026, 11, 24), dt.date(2026, 11, 25), dt.date(2026, 11, 26)]
    return rep.build("riskd.toml", [r], cal.trading_day, days)


def test_per_rule_blocked_and_dropped_add_up_to_the_day_totals():
    """The trial: the rule table's BLOCKED summed to 29, the day table's to 73 (the day
    counted exits that followed from a close or a block, the rule only blocked entries)."""
    report = session_day()
    assert (report.blocked, report.dropped) == (1, 2)
    assert sum(r.blocked for r in report.rules) == report.blocked
    assert sum(r.dropped for r in report.rules) == report.dropped
    assert sum((r.changed for r in report.rules), rep.ZERO) == report.guarded - report.actual
    lines = rep.render(report, CHI).splitlines()
    day_total, rule_total = [x for x in lines if x.startswith("total")]
    assert day_total.split()[-2:] == rule_total.split()[-3:-1] == ["1", "2"]
    assert any(x.startswith("blocked:") for x in lines) and any(
        x.startswith("dropped:") for x in lines)
    # the rule table says what its CLOSED counts: contracts, not closes (trial24b F3)
    assert "closed: contracts the rule's closes took out" in lines[lines.index(rule_total) + 1]
    doc = rep.to_json(report)
    assert sum(r["blocked"] for r in doc["rules"]) == doc["totals"]["blocked"] == 1
    assert sum(r["dropped"] for r in doc["rules"]) == doc["totals"]["dropped"] == 2


def test_the_text_tables_fit_80_columns():
    report = session_day()
    text = rep.render(report, CHI)
    assert "first breach Wed 15:00:00 UTC-06:00 session_block_outside flatten" in text
    assert "-105,080.00" in text                                  # big money, still inside 80
    too_wide = [x for x in text.splitlines() if len(x) > 80]
    assert too_wide == []
    other = session_day()
    other.label = "a-much-longer-config-name.toml daily_realized_loss.limit=300"
    assert [x for x in rep.compare_table(report, other).splitlines() if len(x) > 80] == []


def test_the_range_is_the_same_in_text_json_and_html(config, tmp_path, capsys):
    """The trial: text said '20 trading days 2026-11-06 to 2026-12-03', HTML 'Trading days
    2026-11-27 to 2026-12-03'. Now all three give the range asked and the days with trades."""
    replay = Run(config, BrokerOfDays(two_days().history()))
    page = tmp_path / "r.html"
    assert replay("--from", "2026-11-20", "--to", "2026-11-25", "--html", str(page)) == 0
    out = capsys.readouterr().out
    assert "trading days asked: 2026-11-20 to 2026-11-25 (4)" in out
    assert "days with trades:   2026-11-24 to 2026-11-25 (2)" in out
    html = page.read_text()
    assert ("trading days asked: 2026-11-20 to 2026-11-25 (4); days with trades: 2026-11-24 "
            "to 2026-11-25 (2)") in html
    assert replay("--from", "2026-11-20", "--to", "2026-11-25", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["range"] == {"from": "2026-11-20", "to": "2026-11-25", "trading_days": 4,
                            "days_with_trades": 2, "first_with_trades": "2026-11-24",
                            "last_with_trades": "2026-11-25",
                            # what it can and cannot show (cli/replay/scope.py): the config
                            # file was written by the fixture, after the range started
                            "running_day": None, "replayed_until_ns": None,
                            "config": {"file": config,
                                       "changed_ns": os.stat(config).st_mtime_ns,
                                       "judged_before_change": True}}


def test_the_html_chart_marks_each_trading_day():
    page = render_html(session_day(), CHI)
    svg = page[page.index("<svg"):page.index("</svg>")]
    labels = re.findall(r'text-anchor="middle">([^<]+)<', svg)
    assert labels == ["11-25", "11-26"]
    assert "trading day" in svg



def test_the_terminal_chart_marks_each_trading_day_within_its_width():
    from cli.replay.chart import chart_lines, day_axis
    report = session_day()
    points = rep.equity_curve(report)
    axis = day_axis(points, 40, report.day_of)
    assert "|11-25" in axis and "|11-26" in axis
    assert len(axis) <= 11 + 40 == len(chart_lines(points, 40)[0])
    assert axis.index("|11-25") == 11                         # the first point is its start


def test_json_money_has_cents_and_first_breaches_their_local_time(config, capsys):
    """The trial's JSON had a rule's changed PnL as "0" beside "-99.00", and a first breach
    only as nanoseconds."""
    replay = Run(config, BrokerOfDays(two_days().history()))
    assert replay("--from", "2026-11-24", "--to", "2026-11-25", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["rule"]: r["changed"] for r in doc["rules"]}["cooldown_after_loss"] == "0.00"
    assert doc["days"][0]["first_breach"]["time"] == "2026-11-24T09:05:00-06:00"
    assert rep.amount(rep.Decimal("0.125")) == "0.125"       # exact, never rounded
