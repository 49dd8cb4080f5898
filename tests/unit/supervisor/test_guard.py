"""Protection gaps, told as a trader would: 'how long was my account unguarded today?'"""
from services.supervisor.guard import Gap, GuardTracker

S = 1_000_000_000


def all_up(t: GuardTracker, now: int) -> None:
    for w in ("market", "risk", "enforcement"):
        t.worker(w, True, now)
    t.hub("user", "connected", now)
    t.hub("market", "connected", now)


def test_starting_up_counts_until_every_guard_is_running_and_the_feed_connected():
    t = GuardTracker()
    t.worker("risk", True, 0)
    assert t.open_gap.start_ns == 0
    all_up(t, 3 * S)
    assert t.open_gap is None
    assert t.unguarded_s(0, 100 * S, 50 * S) == 3.0


def test_risk_down_for_two_seconds_and_a_feed_drop_of_five_add_up_with_reasons():
    t = GuardTracker()
    all_up(t, 0)
    t.worker("risk", False, 10 * S)
    assert t.open_gap.reasons == ("risk not running",)
    closed = t.worker("risk", True, 12 * S)
    assert closed == Gap(10 * S, 12 * S, ("risk not running",))
    t.hub("user", "reconnecting", 20 * S)
    assert t.open_gap.reasons == ("broker user hub reconnecting",)
    t.hub("user", "connected", 25 * S)
    assert t.unguarded_s(0, 100 * S, 100 * S) == 7.0


def test_an_open_gap_counts_up_to_now_and_only_inside_the_trading_day():
    t = GuardTracker()
    all_up(t, 0)
    t.worker("enforcement", False, 90 * S)
    assert t.unguarded_s(0, 100 * S, 95 * S) == 5.0
    assert t.unguarded_s(0, 100 * S, 130 * S) == 10.0     # the day ended at 100 s
    assert t.unguarded_s(100 * S, 200 * S, 130 * S) == 30.0


def test_a_closed_market_is_not_a_gap():
    t = GuardTracker()
    all_up(t, 0)
    t.hub("market", "market_closed", 5 * S)
    t.hub("user", "market_closed", 5 * S)
    assert t.open_gap is None


def test_after_riskd_was_killed_its_open_gap_ends_at_the_restart_and_a_new_one_opens():
    stored = [Gap(0, 4 * S, ("risk not running",)), Gap(50 * S, None, ("market not running",))]
    t = GuardTracker.resumed(stored, 80 * S)
    assert t.closed[1] == Gap(50 * S, 80 * S, ("market not running", "riskd restarted"))
    assert t.open_gap.start_ns == 80 * S          # nothing is running yet in the new life
    all_up(t, 82 * S)
    assert t.unguarded_s(0, 1000 * S, 1000 * S) == 4 + 30 + 2


def test_the_time_riskd_itself_was_down_is_a_gap_when_it_starts_again():
    """Trial finding 5: a clean stop (or a kill while guarded) leaves no gap open, yet nothing
    was guarded until riskd ran again: from its last alive time to now is a gap."""
    stored = [Gap(0, 4 * S, ("risk not running",))]
    t = GuardTracker.resumed(stored, 80 * S, last_alive_ns=50 * S)
    assert t.closed[1] == Gap(50 * S, 80 * S, ("riskd not running",))
    assert t.open_gap.start_ns == 80 * S
    all_up(t, 82 * S)
    assert t.unguarded_s(0, 1000 * S, 1000 * S) == 4 + 30 + 2


def test_a_gap_left_open_already_covers_the_down_time_and_is_not_counted_twice():
    stored = [Gap(50 * S, None, ("market not running",))]
    t = GuardTracker.resumed(stored, 80 * S, last_alive_ns=60 * S)
    assert len(t.closed) == 1 and t.closed[0].end_ns == 80 * S
    all_up(t, 82 * S)
    assert t.unguarded_s(0, 1000 * S, 1000 * S) == 30 + 2


def test_a_hub_down_now_says_why_on_the_screens_while_the_gap_keeps_the_short_form():
    t = GuardTracker()
    all_up(t, 0)
    refused = "broker refused riskd's login: check [broker] user_name and api_key"
    t.hub("user", "reconnecting", 10 * S, "the connection closed")
    t.hub("user", "reconnecting", 11 * S, refused)
    assert t.open_gap.reasons == ("broker user hub reconnecting",)
    assert t.explained(t.open_gap.reasons) == [f"broker user hub reconnecting: {refused}"]
    t.hub("user", "connected", 12 * S)
    t.worker("risk", False, 13 * S)
    assert t.explained(t.open_gap.reasons) == ["risk not running"]


def test_a_stale_feed_reconnect_of_the_market_hub_alone_is_not_unguarded_time():
    """Round 10's trial: the sim paused, every worker healthy, `riskctl status` counted each
    of market's stale-feed reconnects (the precaution against a silently dead feed) and said
    "NOT GUARDED now: broker market hub reconnecting". The user hub kept carrying the fills;
    the price rules had no prices before the reconnect either."""
    t = GuardTracker()
    all_up(t, 0)
    t.hub("market", "reconnecting", 10 * S, "no quote for 15 s (stale feed ...)",
          precaution=True)
    assert t.reasons() == () and t.open_gap is None
    t.hub("market", "connected", 12 * S)
    assert t.unguarded_s(0, 100 * S, 100 * S) == 0.0
    # the precaution while the fills do not flow either: counted
    t.hub("user", "reconnecting", 20 * S, "the connection closed")
    t.hub("market", "reconnecting", 20 * S, "no quote for 30 s (stale feed ...)",
          precaution=True)
    assert t.reasons() == ("broker user hub reconnecting", "broker market hub reconnecting")
    t.hub("user", "connected", 22 * S)
    assert t.reasons() == ()
    # its attempt failed: the feed is down, not quiet: counted
    t.hub("market", "reconnecting", 23 * S, "cannot connect: refused")
    assert t.reasons() == ("broker market hub reconnecting",)
    t.hub("market", "connected", 25 * S)
    assert t.unguarded_s(0, 100 * S, 100 * S) == 4.0


def test_the_reasons_now_are_the_true_ones_while_the_gap_keeps_every_reason_it_had():
    """Trial 16c: risk shards that could not start, market and enforcement running and both
    hubs connected, and status said "NOT GUARDED now: market not running; ... enforcement not
    running; broker user hub disconnected; ... broker user hub connecting" for 60 s."""
    t = GuardTracker(watched_workers=("market", "risk-0", "risk-1", "enforcement"))
    t.worker("market", True, 0)
    for hub in ("user", "market"):
        t.hub(hub, "disconnected", 1 * S)
        t.hub(hub, "connecting", 2 * S)
        t.hub(hub, "connected", 3 * S)
    t.worker("enforcement", True, 3 * S)
    assert t.now() == ("risk-0 not running", "risk-1 not running")
    assert "broker user hub connecting" in t.open_gap.reasons     # the gap's own record
    all_up(t, 5 * S)
    t.worker("risk-0", True, 5 * S)
    t.worker("risk-1", True, 5 * S)
    assert t.now() == () and t.open_gap is None
