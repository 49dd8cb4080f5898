"""An extended lockout's alert says it extends the one in force, from when to when (fresh-user
trial 17g section 7: `riskctl lockout 1001 --session --reason "tilt test"`, then `--until 48h
--reason longer` alerted "🔒 Demo 1 (id 1001) locked until Tue 18:42:27 CST (self_lockout) /
self-lockout by the trader / ... / reason: longer", word for word a new lockout, with neither
the lockout it extended nor that one's end). Risk's own engine makes the step (tests/unit/risk/
desk.py), notify's step_alert words it, as the phone gets it."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from services.notify.steps import step_alert
from services.notify.templates import Context, lockout_alert
from tests.unit.risk.desk import NS, SIDE_SELL, Desk

CHI = ZoneInfo("America/Chicago")
CTX = Context(tz=CHI, accounts={1001: "Demo 1"})


def alert(out) -> str:
    return step_alert([*out.lockouts, *out.decisions], CTX).text


def test_a_longer_self_lockout_says_it_extends_the_one_in_force():
    desk = Desk()                                   # Wed 09:00 CST
    first, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 1800 * NS,
                                     reason="tilt test")
    assert "extend" not in alert(first).lower(), alert(first)
    desk.now += 5 * NS
    longer, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 7200 * NS,
                                      reason="longer")
    text = alert(longer)
    title, *lines = text.splitlines()
    assert title == "🔒 Lockout extended: Demo 1 (id 1001) locked until Wed 11:00:05 CST " \
                    "(self_lockout)", text
    assert lines[0] == ("extends the lockout in force since Wed 09:00:00 CST (tilt test) from "
                        "Wed 09:30 CST to Wed 11:00:05 CST"), text
    [change] = longer.lockouts
    # the lockout change alone (its step's other messages came apart) says it too
    single = lockout_alert(change, CTX)
    assert single.title.startswith("🔒 Lockout extended: Demo 1 (id 1001) until Wed 11:00:05"), \
        single.title
    assert single.lines[0] == lines[0], single.lines


def test_a_rules_longer_lockout_over_another_rules_shorter_one_names_whose_it_was():
    desk = Desk(cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 60}], "flatten": False},
                trade_frequency_limit={"per_minute": 3, "per_hour": 100, "per_session": 1000,
                                       "per_minute_cooldown": 1800})
    desk.trade("-150", side=SIDE_SELL)              # a loss: a 60 s cooldown
    desk.now += NS
    desk.trade()
    desk.now += NS
    out = desk.trade()          # the 3rd trade in a minute: 30 minutes, the same timer row
    assert [(c.change, c.was.rule) for c in out.lockouts] == [
        ("extended", "cooldown_after_loss")], out.lockouts
    text = alert(out)
    assert text.startswith("🔒 Lockout extended: Demo 1 (id 1001) locked until Wed 09:30:02 CST "
                           "(trade_frequency_limit)"), text
    assert ("extends cooldown_after_loss's lockout in force since Wed 09:00:00 CST (closing "
            "fill lost 150.00 (tier 100.00): cooldown 1m00s) from Wed 09:01 CST to Wed "
            "09:30:02 CST") in text.splitlines(), text
