"""The hub connection state machine: backoff 1 s -> 60 s, deadlines, market closed."""
from services.market.connection import (CONNECTED, CONNECTING, DISCONNECTED, MARKET_CLOSED,
                                        RECONNECTING, HubLink)
from shared.clock import FakeClock


def make(clock, **kw):
    link = HubLink("user", clock, connect_timeout=5.0, stable_after=10.0, **kw)
    link.start()
    return link


def test_first_connect_then_a_drop_reconnects_after_one_second():
    clock = FakeClock()
    link = make(clock)
    assert link.state == DISCONNECTED and link.attempt_due()
    assert link.attempting().state == CONNECTING
    assert not link.attempt_due()                      # one attempt at a time
    assert link.opened().state == CONNECTED
    clock.advance(30)
    change = link.lost("the connection closed")
    assert (change.state, change.reason) == (RECONNECTING, "the connection closed")
    assert link.retry_in() == 1.0 and not link.attempt_due()
    clock.advance(1.0)
    assert link.attempt_due()
    assert link.attempting() is None                   # still "reconnecting": nothing new to say
    assert link.opened().state == CONNECTED


def test_failures_double_the_wait_up_to_sixty_seconds():
    clock = FakeClock()
    link = make(clock)
    waits = []
    for _ in range(9):
        link.attempting()
        link.lost("connection refused")
        waits.append(link.retry_in())
        clock.advance(link.retry_in())
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert link.state == CONNECTING and link.reason == "connection refused"


def test_a_connection_that_drops_at_once_does_not_reset_the_backoff():
    clock = FakeClock()
    link = make(clock)
    for expected in (1, 2, 4):
        link.attempting()
        link.opened()
        clock.advance(2)                                # up for less than stable_after
        link.lost("dropped")
        assert link.retry_in() == expected
        clock.advance(expected)
    link.attempting()
    link.opened()
    clock.advance(11)                                   # stable: the backoff starts over
    link.lost("dropped")
    assert link.retry_in() == 1


def test_an_attempt_without_a_handshake_times_out():
    clock = FakeClock()
    link = make(clock)
    link.attempting()
    clock.advance(4.9)
    assert link.check() is None
    clock.advance(0.2)
    reason = link.check()
    assert reason == "no answer from the user hub within 5 s"
    link.lost(reason)
    assert link.check() is None and link.retry_in() == 1


def test_outside_market_hours_it_says_market_closed_and_retries_slowly():
    clock = FakeClock()
    is_open = {"now": True}
    link = make(clock, market_open=lambda _ns: is_open["now"])
    link.attempting()
    link.opened()
    is_open["now"] = False
    change = link.lost("the connection closed")
    assert (change.state, change.reason) == (MARKET_CLOSED, "market closed")
    assert link.retry_in() == 60
    clock.advance(60)
    assert link.attempting() is None                    # still closed: no "reconnecting" noise
    assert link.lost("refused") is None and link.retry_in() == 60
    is_open["now"] = True
    clock.advance(60)
    link.attempting()
    assert link.opened().state == CONNECTED


def test_stop_means_no_more_attempts():
    clock = FakeClock()
    link = make(clock)
    link.attempting()
    link.opened()
    assert link.stop().state == DISCONNECTED
    assert link.lost("closed") is None and not link.attempt_due()


def test_a_silent_quote_feed_is_stale_after_fifteen_seconds_only_while_the_market_is_open():
    from services.market.connection import FeedWatch
    clock = FakeClock()
    is_open = {"now": True}
    watch = FeedWatch(clock, stale_after=15.0, market_open=lambda _ns: is_open["now"])
    clock.advance(100)
    assert watch.stale() is None                       # nothing subscribed: nothing to expect
    watch.watching(True)
    clock.advance(10)
    watch.quote()
    clock.advance(14.9)
    assert watch.stale() is None
    clock.advance(0.2)
    assert watch.stale() == ("no quote for 15 s during trading hours (stale feed; if it "
                             "stays quiet, the next reconnect after 30 s of silence)")
    assert watch.stale() is None                       # said once; the owner reconnects
    watch.watching(True)
    is_open["now"] = False
    clock.advance(600)
    assert watch.stale() is None                       # a closed market is quiet by nature
    watch.watching(False)
    is_open["now"] = True
    assert watch.stale() is None


def test_a_feed_still_quiet_after_its_reconnect_waits_longer_each_time_until_a_quote():
    """Round 7's trial: the sim paused (a thin contract overnight is the same), the market
    hub was reconnected every ~16 s, each time counted as unguarded time."""
    from services.market.connection import FeedWatch
    clock = FakeClock()
    watch = FeedWatch(clock, stale_after=15.0, most=60.0)
    silences = []
    for _ in range(5):                                 # reconnected, still quiet
        watch.watching(True)
        waited = 0.0
        while watch.stale() is None:
            clock.advance(1.0)
            waited += 1.0
        silences.append(waited)
    assert silences == [15.0, 30.0, 60.0, 60.0, 60.0]  # doubled, up to `most`
    watch.watching(True)
    watch.quote()                                      # traffic: alive, back to 15 s
    clock.advance(15.0)
    assert watch.stale() is not None


def test_the_quote_a_hub_repeats_to_a_new_subscriber_does_not_undo_the_backoff():
    """Round 10's trial: the sim paused, a position held; market reconnected the market hub
    every ~17 s, 42 times in 12 minutes, because the full quote the hub sends on every
    subscribe counted as traffic and put the wait back to 15 s. Documented: 15, 30, 60, 120,
    240 s, then every 240 s, back to 15 s only when a quote actually arrives."""
    from services.market.connection import FeedWatch
    clock = FakeClock()
    watch = FeedWatch(clock)                           # what market runs: 15 s, at most 240 s
    silences, loud, summaries = [], [], []
    for _ in range(7):                                 # reconnected, still quiet
        watch.watching(True)
        assert watch.quote(live=False) is None         # the subscriber's repeated full quote
        waited = 0.0
        while watch.stale() is None:
            clock.advance(1.0)
            waited += 1.0
        silences.append(waited)
        loud.append(watch.loud())
        summaries.append(watch.summary())
    assert silences == [15.0, 30.0, 60.0, 120.0, 240.0, 240.0, 240.0]
    assert loud == [True] + [False] * 6                # WARNING for the first only
    assert summaries[:3] == [None] * 3 and summaries[4:] == [None] * 3   # once, at WARNING
    assert summaries[3] == ("the quote feed stays quiet: 4 stale-feed reconnects in 225 s; "
                            "one every 240 s of silence while it does (logged at INFO)")
    watch.watching(True)
    clock.advance(3.0)
    assert watch.quote(live=True) == ("quotes again after 948 s of silence (7 stale-feed "
                                      "reconnects meanwhile); stale after 15 s again")
    assert watch.quote(live=True) is None              # said once
    clock.advance(14.9)
    assert watch.stale() is None
    clock.advance(0.2)
    assert watch.stale().startswith("no quote for 15 s during trading hours")
    assert watch.loud()                                # a new silence: WARNING again


def test_the_sim_is_watched_at_all_hours_and_the_log_line_does_not_claim_a_market():
    from services.market.connection import FeedWatch
    clock = FakeClock()
    watch = FeedWatch(clock, hours="")
    watch.watching(True)
    clock.advance(15.0)
    assert watch.stale() == ("no quote for 15 s (stale feed; if it stays quiet, the next "
                             "reconnect after 30 s of silence)")


def test_a_stale_feed_reconnect_says_it_is_the_precaution_until_it_opens_or_fails():
    clock = FakeClock()
    link = HubLink("market", clock, connect_timeout=5.0, stable_after=10.0)
    link.start()
    link.attempting()
    link.opened()
    clock.advance(60)
    change = link.lost("no quote for 15 s (stale feed ...)", precaution=True)
    assert (change.state, change.precaution) == (RECONNECTING, True)
    clock.advance(1.0)
    assert link.attempt_due() and link.attempting() is None     # still the precaution
    assert link.opened() == link.view() and not link.precaution
    clock.advance(60)
    link.lost("no quote for 30 s (stale feed ...)", precaution=True)
    clock.advance(1.0)
    link.attempting()
    failed = link.lost("cannot connect: refused")              # the feed is down now
    assert (failed.state, failed.precaution) == (RECONNECTING, False)
    assert link.lost("x", precaution=True).precaution is False  # only a connected hub's


def test_a_refused_token_is_retried_at_once_with_a_fresh_login_and_only_once():
    clock = FakeClock()
    link = make(clock)
    link.attempting()
    link.opened()
    clock.advance(30)
    link.lost("the connection closed")                  # the gateway restarted
    clock.advance(link.retry_in())
    link.attempting()
    assert not link.relogging                           # the token held: the broker refuses it
    change = link.token_refused("broker refused riskd's session token")
    assert (change.state, change.reason) == (RECONNECTING, "broker refused riskd's session token")
    assert link.retry_in() == 0 and link.attempt_due() and link.relogin_due
    link.attempting()
    assert link.relogging and not link.relogin_due      # this attempt carries a fresh login
    link.token_refused("refused again")                 # the fresh token refused too: back off
    assert link.retry_in() == 2 and link.relogin_due
    clock.advance(2)
    link.attempting()
    assert link.opened().state == CONNECTED
    assert not (link.relogging or link.relogin_due)


def test_a_refused_token_does_not_step_the_backoff_up():
    clock = FakeClock()
    link = make(clock)
    for _ in range(3):
        link.attempting()
        link.token_refused("refused")
        assert link.retry_in() == 0
        link.attempting()
        link.opened()
        clock.advance(2)
        link.lost("dropped")
    assert link.retry_in() == 4                          # 1, 2, 4: the drops alone count


def test_a_refused_login_waits_as_long_as_it_is_told():
    clock = FakeClock()
    link = make(clock)
    link.attempting()
    change = link.lost("broker refused riskd's login: check [broker] user_name and api_key",
                       wait=60.0)
    assert change.state == CONNECTING and "check [broker]" in change.reason
    assert link.retry_in() == 60.0
