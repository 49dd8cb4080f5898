"""The store: a restart brings back lockouts, cooldowns, PnL, marks and pending commands; a
commit is all-or-nothing even under kill -9; a corrupt file is moved aside and reported."""
import os
import subprocess
import sys
import textwrap

from services.risk.store import Store
from shared.messages.enforce import CommandResult
from tests.support import env as support_env
from tests.unit.risk.desk import ACCOUNT, MNQ, Desk, chi

NS = 1_000_000_000
RULES = dict(daily_realized_loss={"limit": 500},
             cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 600}], "flatten": False},
             daily_unrealized_loss={"limit": 100})


def run(desk, store, step):
    """Apply one step the way the worker does: engine, then commit."""
    out = step()
    store.commit(out, desk.engine)
    return out


def restart(tmp_path, now):
    desk = Desk(start=now, **RULES)
    store, report = Store.open(str(tmp_path))
    assert report == ""
    store.load(desk.engine, now)
    return desk, store


def test_a_restart_keeps_the_lockout_the_remaining_cooldown_pnl_and_pending_commands(tmp_path):
    desk = Desk(start=chi(2026, 11, 25, 10), **RULES)
    store, _ = Store.open(str(tmp_path))
    run(desk, store, lambda: desk.trade(pnl="-150"))                    # 10 min cooldown
    desk.now += 120 * NS
    opened = desk.now
    [close] = run(desk, store, lambda: desk.long(1, MNQ, 21000)).commands  # opened while locked
    assert (close.rule, close.action) == ("lockout", "close_position")
    run(desk, store, lambda: desk.trade(pnl="-400"))        # daily loss: flatten; cooldown again
    cooldown_end = {lk.kind: lk for lk in desk.engine.lockouts.all()}["timer"].until_ns
    assert cooldown_end == desk.now + 600 * NS
    store.close()

    later = desk.now + 60 * NS
    desk2, store2 = restart(tmp_path, later)
    locks = {lk.kind: lk for lk in desk2.engine.lockouts.all()}
    assert set(locks) == {"timer", "until_reset"}
    assert locks["timer"].until_ns == cooldown_end                       # 9 minutes left
    assert desk2.account.realized() == -550 and desk2.account.trades_today == 2
    assert [c.action for c in store2.pending_commands()] == ["close_position", "flatten"]
    # market's snapshot still shows the position (the close is on its way): nothing twice
    # (the broker's opening time of the position is the one it had before the restart)
    desk2.long(1, MNQ, 21000, created_ns=opened)
    desk2.price(MNQ, 20890)
    assert desk2.decisions() == []
    # a duplicate of an old trade changes nothing
    assert desk2.trade(pnl="-150", trade_id=1).decisions == []
    # results clear the outbox
    for cmd in store2.pending_commands():
        out = desk2.engine.on_result(CommandResult(command_id=cmd.id, account_id=ACCOUNT,
                                                   status="done"), later)
        store2.commit(out, desk2.engine)
    assert store2.pending_commands() == []
    # history has every decision and lockout change, oldest first
    hist = store2.history(account_id=ACCOUNT)
    assert [(d.rule, bool(d.suppressed)) for d in hist.decisions] == [
        ("cooldown_after_loss", False), ("lockout", False), ("daily_realized_loss", False),
        ("cooldown_after_loss", True)]                   # the longer cooldown: recorded only
    assert [c.change for c in hist.lockouts] == ["added", "added", "extended"]


def test_commit_is_all_or_nothing_under_kill_9(tmp_path):
    """A child commits one step and is killed -9 at once; a second child is killed in the
    middle of a transaction. The first step is there in full, the second not at all."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {support_env.REPO!r})
        from services.risk.store import Store
        from tests.unit.risk.desk import Desk, chi
        desk = Desk(start=chi(2026, 11, 25, 10), daily_realized_loss={{"limit": 500}})
        store, _ = Store.open({str(tmp_path)!r})
        if sys.argv[1] == "after":
            store.commit(desk.trade(pnl="-600", trade_id=1), desk.engine)
        else:
            out = desk.trade(pnl="-10", trade_id=2)
            store.db.execute("BEGIN IMMEDIATE")
            store.db.execute("INSERT INTO trades VALUES (1001, 2, 0, x'00')")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    for phase in ("after", "during"):
        proc = subprocess.run([sys.executable, "-c", script, phase], env=support_env.test_env(),
                              capture_output=True, timeout=60)
        assert proc.returncode == -9, proc.stderr.decode()
    desk, store = restart(tmp_path, chi(2026, 11, 25, 10, 1))
    assert desk.account.realized() == -600
    assert [lk.kind for lk in desk.engine.lockouts.all()] == ["until_reset"]
    assert [c.action for c in store.pending_commands()] == ["flatten"]
    assert store.db.execute("SELECT count(*) FROM trades").fetchone()[0] == 1


def test_a_corrupt_state_file_is_moved_aside_reported_and_replaced(tmp_path):
    path = tmp_path / "risk.sqlite"
    path.write_bytes(b"this is not a database" * 500)
    store, report = Store.open(str(tmp_path), now_ns=chi(2026, 11, 25, 10))
    assert "integrity check" in report and "moved aside" in report
    aside = [n for n in os.listdir(tmp_path) if ".corrupt-" in n]
    assert aside == ["risk.sqlite.corrupt-20261125T160000Z"]
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.pending_commands() == []


def test_a_damaged_page_inside_a_real_database_is_detected(tmp_path):
    desk = Desk(start=chi(2026, 11, 25, 10), **RULES)
    store, _ = Store.open(str(tmp_path))
    for i in range(300):
        store.commit(desk.trade(pnl="1", trade_id=1000 + i), desk.engine)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = tmp_path / "risk.sqlite"
    data = bytearray(path.read_bytes())
    page = 4096
    for at in range(2 * page, min(len(data), 6 * page)):
        data[at] = 0xA5
    path.write_bytes(bytes(data))
    _, report = Store.open(str(tmp_path))
    assert "moved aside" in report


def test_each_step_commits_its_new_warnings_and_a_restart_has_them_all(tmp_path):
    """A commit writes only the warnings not written yet (not every one again: that cost
    grew with the accounts on the breach path), and none is ever skipped."""
    start = chi(2026, 11, 25, 10)
    desk = Desk(start=start, **RULES)
    store, _ = Store.open(str(tmp_path))
    day = desk.engine.day
    desk.engine.warned.add((ACCOUNT, "daily_realized_loss", day))
    run(desk, store, lambda: desk.trade(pnl="-50"))
    desk.engine.warned.add((ACCOUNT, "daily_unrealized_loss", day))
    run(desk, store, lambda: desk.trade(pnl="-10"))
    store.close()
    desk2, _store2 = restart(tmp_path, start + 60 * NS)
    assert desk2.engine.warned >= {(ACCOUNT, "daily_realized_loss", day),
                                   (ACCOUNT, "daily_unrealized_loss", day)}


def test_the_exposure_record_follows_every_change_and_skips_unchanged_accounts(tmp_path,
                                                                              monkeypatch):
    """Scale bench, 2026-12-06: each commit wrote every account's exposure record through
    json.dumps (~30 % of risk's time in a storm at 500 accounts). An account whose positions
    (side, size) and working order ids did not change is now skipped (carried.exposure_key);
    one whose streams disagree (a fill ahead of its Position) is always written anew. The
    record stays exactly exposure_json's after every step. Put back (no key check): the
    second save serialises both accounts again: fails."""
    import services.risk.store as store_module
    from decimal import Decimal
    from services.risk.carried import exposure_json
    from shared.messages.market import AccountUpdate
    desk = Desk(start=chi(2026, 11, 25, 10), **RULES)
    desk.feed(AccountUpdate(account_id=ACCOUNT + 1, name="SIM-2", balance=Decimal(50_000),
                            can_trade=True))
    store, _ = Store.open(str(tmp_path))
    made: list[int] = []
    monkeypatch.setattr(store_module, "exposure_json",
                        lambda acct: made.append(acct.account_id) or exposure_json(acct))

    def saved() -> list[int]:
        """Save, check every record is exposure_json's, say which accounts were serialised."""
        made.clear()
        store.save_marks(desk.engine)
        rows = dict(store.db.execute("SELECT * FROM exposure"))
        for aid, acct in desk.engine.accounts.items():
            assert rows[aid] == exposure_json(acct), aid
        return sorted(made)

    assert saved() == [ACCOUNT, ACCOUNT + 1]
    assert saved() == []                                   # nothing changed: nothing made
    desk.filled(1, MNQ, 21000)                             # its Trade, then its Position
    assert not desk.account.ahead
    assert saved() == [ACCOUNT]
    desk.order(7)
    assert saved() == [ACCOUNT]
    desk.price(MNQ, 20990)
    assert saved() == []                                   # a price is no exposure
    desk.trade(contract=MNQ, size=1, price="20990")        # a fill ahead of its Position
    assert desk.account.ahead
    assert saved() == [ACCOUNT] and saved() == [ACCOUNT]   # always anew while ahead
    desk.position(MNQ, "long", 2, 20995)
    desk.cancelled(7)
    assert not desk.account.ahead
    assert saved() == [ACCOUNT] and saved() == []
    desk.trade(contract=MNQ, side=1, size=2, price="21000", pnl="0")
    desk.flat(MNQ)
    saved()
    assert saved() == []
    assert dict(store.db.execute("SELECT * FROM exposure"))[ACCOUNT] == \
        '{"positions": {}, "opened": {}, "orders": [], "uncovered": {}}'
    store.close()


def test_the_marks_row_follows_every_mark(tmp_path):
    """A commit skips an account whose marks did not change (their values compared before the
    row's json.dumps, store._marks); each mark that changes is written: the high-water mark,
    a day's trailing high, the day's starting balance. Put back a key that leaves one out (the
    trailing highs): the second row check fails."""
    from decimal import Decimal
    desk = Desk(start=chi(2026, 11, 25, 10), **RULES)
    store, _ = Store.open(str(tmp_path))
    acct = desk.account

    def row():
        store.save_marks(desk.engine)
        return store.db.execute("SELECT hwm, day_highs, day_start_balance FROM marks WHERE "
                                "account_id = ?", (ACCOUNT,)).fetchone()

    first = row()
    acct.hwm = Decimal("50100")
    assert row()[0] == "50100"
    acct.bump_high("net_loss.realized.True", Decimal("75"))
    assert row()[1] == '{"net_loss.realized.True": "75"}'
    acct.bump_high("net_loss.realized.True", Decimal("80"))
    assert row()[1] == '{"net_loss.realized.True": "80"}'
    acct.day_start_balance = Decimal("49000")
    assert row()[2] == "49000"
    assert row() != first
    store.close()
