"""Extending a lockout keeps the reason it started with (fresh-user trial: a trader's "on tilt"
self-lockout, extended with `riskctl lockout --until 4h` and no --reason, was shown as
"self-lockout by ana": the CLI's default replaced the trader's own words)."""
from __future__ import annotations

from services.notify.templates import Context, build
from services.risk.lockouts import extended_reason
from tests.unit.risk.desk import CHI, NS, Desk


def lock(desk, hours, reason):
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + hours * 3600 * NS,
                                         reason=reason)
    assert refusal == ""
    return out


def test_an_extension_keeps_the_traders_reason_and_shows_the_new_one_beside_it():
    desk = Desk()
    lock(desk, 1, "on tilt")
    out = lock(desk, 4, "self-lockout by ana")          # riskctl lockout's default reason
    [change] = out.lockouts
    assert change.change == "extended"
    assert change.reason == change.lockout.reason == "on tilt; extended: self-lockout by ana"
    [held] = desk.engine.lockouts.all(1001)
    assert held.reason == "on tilt; extended: self-lockout by ana"
    alert = build(change, Context(tz=CHI, accounts={1001: "SIM-1"}))
    assert "on tilt; extended: self-lockout by ana" in alert.lines, alert.lines
    lock(desk, 5, "still tilted")                       # only the latest extension is kept
    [held] = desk.engine.lockouts.all(1001)
    assert held.reason == "on tilt; extended: still tilted"


def test_the_same_reason_or_none_keeps_the_original_as_it_is():
    assert extended_reason("on tilt", "on tilt") == "on tilt"
    assert extended_reason("on tilt", "") == "on tilt"
    assert extended_reason("on tilt; extended: x", "x") == "on tilt; extended: x"
    assert extended_reason("on tilt; extended: x", "on tilt") == "on tilt; extended: x"
    assert extended_reason("", "why") == "why"
