"""A person's unlock in riskd's records is replayed as the person asked it (trial22c section 3b).

The trial: riskd held a cooldown_after_loss lockout of Demo 2; the admin ran `riskctl unlock
1002` (every lockout of the account). The replay, under a config edited since (cooldown off),
held a trade_frequency_limit lockout instead; it took the unlock for one of cooldown_after_loss
only, lifted nothing, kept its own lockout and closed the trader's next buy, which the live
riskd had let stand; its note then told the reader to run `riskctl unlock 1002 --rule
trade_frequency_limit` (a live command, for a lockout that exists only in the replay).

The day here: the trader buys MNQ at 10:00:01 and sells at 10:00:03 at a 120.00 loss (live:
cooldown_after_loss's 5-minute cooldown, shipped tiers); the admin unlocks the account at
10:00:12; the trader buys at 10:00:20 and sells at 10:00:40. Live is risk's own engine on the
shipped config (its records written to its store as the risk worker does). The replay's config
has cooldown_after_loss off and trade_frequency_limit per_minute 2 (shipped 3), so the replay
holds a trade_frequency_limit cooldown from the 2nd trade instead, as in the trial."""
from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.riskdrecords import read_records
from cli.replay.runner import Runner
from services.risk import lockouts
from shared.messages.market import SIDE_SELL, STATUS_FILLED
from tests.support.replay_days import MNQ, Days
from tests.unit.replay.test_riskd_closes_recorded import (ACCOUNT, T0, Live, bought, order,
                                                          position)

pytestmark = pytest.mark.timeout(60)
NS = 1_000_000_000
REPLAYED = {"cooldown_after_loss": {"enabled": False},
            "trade_frequency_limit": {"per_minute": 2}}


def unlocked_day(config: str, rule=None) -> Days:
    """The day above, live; the admin's unlock asks for every lockout (rule None) or one
    rule's (`riskctl unlock 1001 --rule RULE`)."""
    d = Days(ACCOUNT, "SIM-DEMO-1")
    d.bars(MNQ, T0, [21000])
    live = Live(config)
    bought(d, live, T0 + NS, 1, 9001)
    at = T0 + 3 * NS
    f = d.trade(at, MNQ, "sell", 1, 20940, order_id=9002)
    live.step(order(d, 9002, SIDE_SELL, 1, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(0, 0, at), at)
    assert [lk.rule for lk in live.engine.lockouts.all(ACCOUNT)] == ["cooldown_after_loss"]
    out, refusal = live.engine.unlock(ACCOUNT, None, "admin:root", "test", T0 + 12 * NS,
                                      rule=rule)
    assert not refusal, refusal
    live._commit(out)
    bought(d, live, T0 + 20 * NS, 1, 9003)
    at = T0 + 40 * NS
    f = d.trade(at, MNQ, "sell", 1, 21000, order_id=9004)
    live.step(order(d, 9004, SIDE_SELL, 1, at, at, STATUS_FILLED), at)
    live.step(f, at)
    live.step(position(0, 0, at), at)
    assert not [c for c in live.commands if c.rule == "lockout"]    # live let the buy stand
    live.store.close()
    return d


def replayed(config: str, d: Days):
    h = d.history()
    records = read_records(config, {ACCOUNT: (h.fills[0].ts_ns, h.fills[-1].ts_ns)})
    return Runner(build_engine(load(config), REPLAYED), h, records[ACCOUNT]).run()


def test_an_unlock_of_every_lockout_lifts_every_one_of_the_replays(config):
    r = replayed(config, unlocked_day(config))
    [day] = r.days.values()
    assert day.blocked == 0 and day.dropped == 0 and day.guarded == day.actual, (day, r.notes)
    assert not [x for x in r.decisions if x.rule == "lockout"], r.decisions
    [said] = [n for n in r.notes if "lifted" in n]
    assert said.startswith(
        "riskd's cooldown_after_loss lockout was lifted at Wed 2026-11-25 10:00:12 CST by "
        "admin:root (riskd's records, an unlock of every lockout of the account); the replay "
        "held no cooldown_after_loss lockout then: as asked, it lifts its other lockouts "
        "(trade_frequency_limit set to end "), said
    assert not [n for n in r.notes if "riskctl" in n], r.notes


def test_an_unlock_of_one_rule_keeps_the_replays_other_lockouts_and_says_so(config):
    r = replayed(config, unlocked_day(config, rule="cooldown_after_loss"))
    [day] = r.days.values()
    assert day.blocked == 1, (day, r.notes)       # the buy of 10:00:20, under its own lockout
    [said] = [n for n in r.notes if "lifted" in n]
    assert said.startswith(
        "riskd's cooldown_after_loss lockout was lifted at Wed 2026-11-25 10:00:12 CST by "
        "admin:root (riskd's records, an unlock of cooldown_after_loss's lockouts only); the "
        "replay lifted nothing then (it held no such lockout then; its own: "
        "trade_frequency_limit until "), said
    # a read-only report of a past day: never a live command for the replay's own lockout
    assert not [n for n in r.notes if "riskctl" in n], r.notes


def old_records_day(config: str, monkeypatch) -> Days:
    """The day, its unlock row written as a riskd before unlock_of was kept wrote it."""
    monkeypatch.setattr(lockouts, "unlock_scope", lambda rule, symbol: "")
    d = unlocked_day(config)
    monkeypatch.undo()
    return d


def test_records_that_do_not_say_the_scope_are_said_so(config, monkeypatch):
    """riskd's records written before riskd kept what an unlock asked for, and no audit line
    of it: the replay lifts that rule's lockout as before, and says it cannot tell whether
    every lockout was asked."""
    r = replayed(config, old_records_day(config, monkeypatch))
    [said] = [n for n in r.notes if "lifted" in n]
    assert "(riskd's records); the replay lifted nothing then (it held no such lockout then; " \
           "its own: trade_frequency_limit until " in said, said
    assert said.endswith("riskd's records (written before riskd kept what an unlock asked "
                         "for) do not say whether every lockout of the account was asked to "
                         "end, so the replay kept them"), said
    assert not [n for n in r.notes if "riskctl" in n], r.notes


@pytest.mark.parametrize("rule", [None, "cooldown_after_loss"])
def test_older_records_take_what_was_asked_from_the_audit_trail(config, monkeypatch, rule):
    """The trial's own records were written so: the audit trail's line of the unlock (as the
    supervisor writes it, 0.3 s after risk cleared the lockout) says what was asked."""
    d = old_records_day(config, monkeypatch)
    logs = os.path.join(load(config).data_dir, "logs")
    os.makedirs(logs, exist_ok=True)
    at = dt.datetime.fromtimestamp((T0 + 12_300_000_000) / 1e9, dt.timezone.utc)
    with open(os.path.join(logs, "audit.log"), "w", encoding="utf-8") as fh:
        for account, who in (("1002", "admin:root"), ("SIM-DEMO-1", "admin:other"),
                             ("SIM-DEMO-1", "admin:root")):
            fh.write(json.dumps({"action": "unlock", "account": account, "rule": rule,
                                 "symbol": None, "who": who, "outcome": "ok: 1 lockout ended",
                                 "time": at.isoformat().replace("+00:00", "Z")}) + "\n")
    r = replayed(config, d)
    [said] = [n for n in r.notes if "lifted" in n]
    if rule is None:
        assert "(riskd's records, an unlock of every lockout of the account); the replay " \
               "held no cooldown_after_loss lockout then: as asked, it lifts its other " \
               "lockouts (trade_frequency_limit" in said, said
        assert [x.blocked for x in r.days.values()] == [0], r.days
    else:
        assert "(riskd's records, an unlock of cooldown_after_loss's lockouts only); the " \
               "replay lifted nothing then" in said, said
        assert [x.blocked for x in r.days.values()] == [1], r.days
