"""An unlock of a symbol symbol_blocks still lists warns that its next trade is closed and
the symbol locked again, and says how to take it off the list (fresh-user trial 15b, finding 8:
`rules set 1002 symbol_blocks symbols '["CL"]'`, a CL buy closed and CL locked, then `unlock
1002 --symbol CL` answered "1 lockout ended" without a word; the next CL buy was closed and
locked again).

The shipped rules (etc/riskd.toml: symbol_blocks on, nothing listed) with MNQ and ES listed,
as an admin's `rules set` leaves them."""
from __future__ import annotations

from services.notify.templates import LOG_ONLY, Context, lockout_alert
from shared.messages.risk import LISTED_AGAIN
from shared.pastwords import past_words
from tests.unit.risk.desk import CHI
from tests.unit.risk.test_withdraw import DEMO1, Run
from tests.unit.risk.test_withdraw_lockout_end import Listed

REMOVE = ("MNQ is still listed in symbol_blocks: MNQ is locked again at its next trade "
          "(closed), at the next config reload (any edit, or `riskctl config reload`) and "
          "whenever riskd resyncs with the broker (a restart, a reconnect); remove it with "
          "`riskctl rules set 1001 symbol_blocks symbols '[\"ES\"]'` (a loosening: it waits "
          "for the roll unless overridden")


def test_unlock_of_a_listed_symbol_warns_it_is_locked_again_and_how_to_unlist_it():
    run = Run()
    run.long_mnq(DEMO1, 1)
    run.engine.settings = Listed(run.engine.settings, ["MNQ", "ES"])
    run.engine.recheck(run.now)
    # every listed symbol is locked
    assert sorted((lk.symbol, lk.rule) for lk in run.engine.lockouts.all(DEMO1)) == [
        ("ES", "symbol_blocks"), ("MNQ", "symbol_blocks")]
    out, refusal = run.engine.unlock(DEMO1, "MNQ", "admin:root", "allow it today", run.now)
    assert refusal == ""
    [ended] = out.lockouts
    assert [past_words(p, "") for p in ended.still_past] == [REMOVE + ": riskctl rules "
                                                            "override)"]
    alert = lockout_alert(ended, Context(tz=CHI, accounts={DEMO1: "Demo 1"}))
    assert alert.severity == "warning" and any(REMOVE in line for line in alert.lines), alert
    assert alert.title.endswith(": ⚠️ MNQ still listed in symbol_blocks"), alert.title


def test_unlock_of_a_symbol_no_longer_listed_warns_nothing():
    run = Run()
    run.long_mnq(DEMO1, 1)
    shipped = run.engine.settings
    run.engine.settings = Listed(shipped, ["MNQ"])
    run.engine.recheck(run.now)
    # the list is emptied but the lockout is still there (risk has not rechecked yet)
    run.engine.settings = Listed(shipped, [])
    out, _ = run.engine.unlock(DEMO1, "MNQ", "admin:root", "x", run.now)
    assert [c.still_past for c in out.lockouts] == [[]]


def test_a_reload_locks_an_unlocked_listed_symbol_again_and_the_words_say_so():
    """Trial 15c, finding 2: after `unlock 1001 --symbol MES` a bare `riskctl config reload`
    locked MES again with no trade (the lockout lasts as long as the symbol is listed,
    docs/rules.md symbol_blocks), while the warning spoke only of its next trade; the alert
    of the re-lock said "action: lock the account (positions stay)" with only MES locked, and
    `unlock --rule` listed it "until the broker clears symbol_blocks". Trial25a N6: that
    re-lock was then alerted as a breach of symbol_blocks at every later edit."""
    run = Run()
    run.long_mnq(DEMO1, 1)
    run.engine.settings = Listed(run.engine.settings, ["MNQ", "ES"])
    run.engine.recheck(run.now)
    run.engine.unlock(DEMO1, "ES", "admin:root", "try", run.now)
    assert [lk.symbol for lk in run.engine.lockouts.all(DEMO1)] == ["MNQ"]
    relocked = run.engine.recheck(run.now)          # what a config reload runs, no trade
    assert sorted(lk.symbol for lk in run.engine.lockouts.all(DEMO1)) == ["ES", "MNQ"]
    # the same list taking ES again is no breach and no new record (trial25a N6): its lockout,
    # marked so, is logged only (the unlock's alert said it would come)
    assert not [d for d in relocked.decisions if d.lock is not None and d.lock.symbol == "ES"]
    [es] = [c for c in relocked.lockouts if c.lockout.symbol == "ES"]
    assert es.listed == LISTED_AGAIN
    alert = lockout_alert(es, Context(tz=CHI, accounts={DEMO1: "Demo 1"}))
    assert alert.kind in LOG_ONLY, alert
    assert alert.title == ("🚫 ES is blocked on Demo 1 (id 1001) by the config: a trade in ES "
                           "is closed"), alert.title
    assert not any("lock the account" in line for line in alert.lines), alert.lines
    # the refusal of an unlock of a rule that holds none lists it as `lockouts` does
    out, refusal = run.engine.unlock(DEMO1, None, "admin:root", "x", run.now,
                                     rule="daily_realized_loss")
    assert out.lockouts == []
    assert "broker" not in refusal, refusal
    assert "rule symbol_blocks (manual) on ES while ES is listed in symbol_blocks" in refusal, refusal


class Waiting(Listed):
    """symbol_blocks listing `symbols` in force while the config's list, `waiting`, is a
    loosening that waits for the roll (as `rules set ... symbols` of a shorter list leaves it:
    Settings.waiting, what `rules list` and the screens read)."""

    def __init__(self, settings, symbols, waiting):
        super().__init__(settings, symbols)
        self.waiting_symbols = list(waiting)

    def waiting(self, account_id):
        return {"symbol_blocks": {"symbols": (self.symbols, self.waiting_symbols)}}


def test_unlock_of_a_symbol_whose_removal_waits_for_the_roll_does_not_ask_to_remove_it():
    """Trial25b F8: after `rules set 1001 symbol_blocks symbols '[]'` (waiting for the roll)
    `unlock 1001` said "remove it with `riskctl rules set 1001 symbol_blocks symbols '[]'`":
    what the admin had just done. The words say the removal waits, and the override that
    applies it now; a symbol the waiting list still keeps is warned of as before."""
    run = Run()
    run.long_mnq(DEMO1, 1)
    shipped = run.engine.settings
    run.engine.settings = Listed(shipped, ["MNQ", "ES"])
    run.engine.recheck(run.now)
    run.engine.settings = Waiting(shipped, ["MNQ", "ES"], ["MNQ"])
    out, refusal = run.engine.unlock(DEMO1, None, "admin:root", "allow it today", run.now,
                                     rule="symbol_blocks")
    assert refusal == ""
    said = {p.symbol: past_words(p, "") for c in out.lockouts for p in c.still_past}
    assert said["ES"] == (
        "ES is still listed in symbol_blocks until the trading-day roll: its removal is saved "
        "and waits for the roll (a loosening); until then ES is locked again at its next trade "
        "(closed), at the next config reload (any edit, or `riskctl config reload`) and "
        "whenever riskd resyncs with the broker (a restart, a reconnect); `riskctl rules "
        "override --account 1001 --rule symbol_blocks --reason TEXT` takes it off now")
    assert "remove it with" not in said["ES"]
    assert said["MNQ"].startswith(
        "MNQ is still listed in symbol_blocks: MNQ is locked again at its next trade"), said
    # what it would take off is the file's list less MNQ (ES already off), not the list in force
    assert "remove it with `riskctl rules set 1001 symbol_blocks symbols '[]'`" \
        in said["MNQ"], said
