"""The market worker process: owns the broker connection and publishes what the broker says.

Threads: signalrcore's hub threads and one REST thread hand their results to
the worker loop through the Inbox (quotes conflated there); the loop alone
owns the state, the publisher and the hubs' subscriptions.

Flow: accounts over REST -> both hubs connect (HubLink backoff 1 s -> 60 s,
BrokerConnection published on every change; a connect refused with HTTP 401 logs in again and
reconnects at once, a refused login waits LOGIN_RETRY: shared/tokenwords.py) -> on every open the user hub
subscribes once and a REST reconcile (accounts, open positions, open orders,
today's trades) publishes the differences; the market hub subscribes quotes
for every contract with a position or a working order, and unsubscribes when
flat. Every fill, position, order and account update is deduplicated
(MarketState) and published with the publisher's sequence number; a
SnapshotRequest on the control socket answers with everything, valid at that
sequence number (the Clone pattern); until the first reconcile since start has finished the
snapshot says it is not complete (it holds only what the hubs sent since: fills, positions and
orders made while no market worker ran are not in it yet). A SnapshotRequest with read_after_ns
(risk's fills and a Position have disagreed past its window) starts a reconcile unless the last
one began at or after that time; the snapshot's read_ns says when the last finished one began.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Iterable, Optional

import attrs

from services.market import translate
from services.market.brokerio import RestDone, RestThread, read_broker
from services.market.connection import FeedWatch, HubLink
from services.market.guardednew import guarded_event
from services.market.inbox import Inbox
from services.market.quotes import LastQuotes
from services.market.reconcile import diff
from services.market.state import MarketState, key_of
from services.market.views import register_views
from shared import quietprice, shards, tokenwords, topics
from shared.bus.publisher import Publisher
from shared.crashpoint import crash_point
from shared.messages.market import (AccountUpdate, BrokerConnection, ContractInfo, Fill,
                                    OrderUpdate, PositionUpdate, Quote, SnapshotRequest)
from shared.messages.system import Reply, ok
from shared.projectx.errors import AuthError
from shared.projectx.models import Account, Order, Position, Trade
from shared.projectx.realtime import (EV_ACCOUNT, EV_ORDER, EV_POSITION, EV_TRADE, MARKET_HUB,
                                      USER_HUB, HubAck, HubClient, HubClosed, HubEvent,
                                      HubFailed, HubOpened, quote_subscription,
                                      user_payloads, user_subscriptions)
from shared.projectx.ratebudget import RateBudget
from shared.projectx.rest import ProjectXRest
from shared.worker import Worker
from shared.plural import plural

log = logging.getLogger(__name__)

TICK = 0.2                  # s: connection deadlines and due attempts are checked this often
ACCOUNTS_RETRY = 5.0        # s: until the first account list arrives
LOGIN_RETRY = 60.0          # s: after the broker refused the login (bad key, no API access)
TOKEN_CHECK = 30.0          # s: renew the token when it is due (no HTTP otherwise)
UNSETTLED_REREADS = 3       # reconciles in a row read again for a hub event REST disagrees with
STALE_AFTER = quietprice.STALE_AFTER_S   # s without any quote on a watched contract: reconnect
                                         # (the default of [broker] stale_after)
SUBSCRIBE_CONFIRM_TIMEOUT = 5.0   # s: reconcile anyway if the hub never confirms
# s: how often market asks the broker for its accounts again, to watch one added while riskd
# runs (every reconnect's reconcile asks too): trial17a section 5, a sim account added by
# `config set broker.sim.accounts` + `riskctl restart simbroker` went unguarded until
# `riskctl restart market`
ACCOUNTS_EVERY = 60.0
QUOTE_PACE = 0.005          # s: after publishing quotes, the next ones wait this long at most,
                            # merged per contract (DESIGN: the latest price per contract wins);
                            # the first quote after a quiet spell goes at once, events never wait

USER_EVENTS = (Fill, PositionUpdate, OrderUpdate, AccountUpdate)   # risk shards: per shard
TOPIC_OF = {Fill: topics.FILL, PositionUpdate: topics.POSITION, OrderUpdate: topics.ORDER,
            AccountUpdate: topics.ACCOUNT, ContractInfo: topics.CONTRACT,
            BrokerConnection: topics.CONNECTION}
USER_PARSERS = {EV_ACCOUNT: Account.parse, EV_ORDER: Order.parse,
                EV_POSITION: Position.parse, EV_TRADE: Trade.parse}


class MarketWorker(Worker):
    """Market worker: the broker's realtime hubs, REST snapshots, contract cache, quote conflation."""

    name = "market"
    threaded = True      # the hub threads parse thousands of quotes a second holding the GIL:
                         # the loop must not wait 5 ms for every drain
    quote_pace = QUOTE_PACE      # 0: quotes published on every drain (tests, the CPU bench)
    _quotes_due = 0.0            # monotonic: quotes are held until then (_drain)
    _quote_timer = False         # the timer that takes the held quotes is pending

    # -- set-up ---------------------------------------------------------------------------
    def setup(self) -> None:
        broker = self.config.broker
        rest_url, user_url, market_url = broker.endpoints()
        self.state = MarketState()
        self.book = LastQuotes()
        self._subs_due = False           # user events changed what to subscribe: see _drain
        self.calendar = self.config.trading_day.calendar(os.path.dirname(self.loaded.path))
        self.day = self.calendar.trading_day(self.clock.now_ns())
        self.inbox = Inbox(self.ctx)
        self.add_reader(self.inbox.reader, self._drain)
        self.rest = RestThread(lambda: ProjectXRest(
            rest_url, broker.user_name, broker.api_key, timeout=broker.timeout,
            clock=self.clock, ca_bundle=broker.ca_bundle,
            budget=RateBudget(broker.rate_limit, broker.rate_window, clock=self.clock)),
            self.inbox.put)
        self.hubs = {hub: HubClient(hub, url, self.inbox.put, keepalive=broker.keepalive,
                                    ca_bundle=broker.ca_bundle, quotes=self.inbox.put_quotes)
                     for hub, url in ((USER_HUB, user_url), (MARKET_HUB, market_url))}
        # the broker's trading hours, as risk judges a held price stale (shared/quietprice.py)
        market_open = quietprice.market_hours(broker, self.config.trading_day,
                                              self.calendar.holidays)
        self.links = {hub: HubLink(hub, self.clock, market_open=market_open)
                      for hub in self.hubs}
        self.gens = {hub: 0 for hub in self.hubs}
        self.hub_tokens: dict[str, str] = {}    # the token each hub's last connect carried
        # a sim without a random walk is quiet on purpose; only a live-looking feed is watched
        self.feed = FeedWatch(self.clock, quietprice.stale_after(broker),
                              market_open, hours="" if broker.kind == "sim"
                              else "during trading hours")
        self.account_ids: list[int] = []
        self.quote_subs: set[str] = set()
        self.contracts_asked: set[str] = set()
        self.reconciling = False
        self.reconcile_again = False
        self.subs_unconfirmed = 0
        self.reconciled_gen = -1
        self.reconciled = False      # the broker's state was read over REST since start
        self.reading_ns = 0          # when the reconcile under way began (market's clock)
        self.read_ns = 0             # ... and the latest one that finished: MarketSnapshot.read_ns
        self.retry_due = False       # a failed reconcile's retry is scheduled (later())
        # the keys of hub events that arrived while a reconcile read REST, each with when its
        # newest one arrived (services/market/reconcile.py diff)
        self.touched: dict = {}
        self.unsettled_rereads = 0   # reconciles read again in a row for unsettled keys
        self.parse_errors = 0
        self.published = {"quotes": 0, "events": 0}
        n = self.config.supervisor.risk_shards   # risk shards: a user-event stream for each
        self.user_pubs = [Publisher(self.pub.sock, shards.user_stream(k), self.clock,
                                    epoch=self.pub.epoch) for k in range(n)] if n > 1 else []
        self._later: list = []
        for link in self.links.values():
            self._publish(link.view())
        self.handle(SnapshotRequest, self._on_snapshot)
        register_views(self)
        self.rest.start()
        self._ask_accounts()
        self.every(TICK, self._tick)
        self.every(TOKEN_CHECK, self._check_token)
        self.every(ACCOUNTS_EVERY, self._check_accounts)

    def teardown(self) -> None:
        for hub in self.hubs.values():
            hub.close()
        self.rest.stop()
        self.inbox.close()

    def select_accounts(self, accounts: Iterable[Account]) -> list[Account]:
        """THE place that decides which of the login's accounts riskd watches (today: every
        active one the broker lists; later the config's [[accounts]] filters here)."""
        return [a for a in accounts]

    # -- publishing -----------------------------------------------------------------------
    def _publish(self, msg: Any) -> bool:
        """Fold msg into the state and publish it if it is news."""
        if msg is None or not self.state.apply(msg):
            return False
        if isinstance(msg, Quote):
            self.pub.publish(topics.quote(msg.contract_id), msg)
            self.published["quotes"] += 1
        elif self.user_pubs and isinstance(msg, USER_EVENTS):
            k = shards.shard_of(msg.account_id, len(self.user_pubs))
            self.user_pubs[k].publish(shards.user_topic(TOPIC_OF[type(msg)], k), msg)
            self.published["events"] += 1
        else:
            self.pub.publish(TOPIC_OF[type(msg)], msg)
            self.published["events"] += 1
        return True

    def _on_snapshot(self, req: SnapshotRequest) -> Reply:
        if req.read_after_ns and self.read_ns < req.read_after_ns:
            self._read_again(req.read_after_ns)
        snap = self.state.snapshot(self.pub.seq, self.pub.epoch, complete=self.reconciled)
        snap = attrs.evolve(snap, read_ns=self.read_ns)
        if self.user_pubs:
            snap = attrs.evolve(snap, streams={p.name: p.seq for p in self.user_pubs})
        return ok(snap)

    # -- the loop's inputs ------------------------------------------------------------------
    def _drain(self) -> None:
        """Events at once, in order; quotes at most every quote_pace. In a storm market
        published every drain's quotes (~20,000 a second arrive), and each one cost market's
        loop, the bus and risk a wake and a message while a fill waited for a core (round 14,
        docs/performance.md): now after publishing quotes the inbox holds the next ones (merged
        per contract, no wake) until a timer takes them quote_pace later."""
        self._drain_now(force=False)

    def _drain_now(self, force: bool) -> None:
        pace = self.quote_pace
        take = force or not pace or self.clock.monotonic() >= self._quotes_due
        events, quotes = self.inbox.drain() if take else self.inbox.drain(quotes=False)
        self._drain_events(events)
        if quotes:
            self._publish_quotes(quotes)
            if pace:                 # while held, a timer is always pending: no quote is left
                self._quotes_due = self.clock.monotonic() + pace
                self.inbox.hold_quotes()
                if not self._quote_timer:
                    self._quote_timer = True
                    self.after(pace, self._quotes_timer)

    def _quotes_timer(self) -> None:
        """The held quotes' time: take them (and whatever events came with them)."""
        self._quote_timer = False
        self._drain_now(force=True)

    def _drain_events(self, events: list) -> None:
        for item in events:
            try:
                self._dispatch_item(item)
            except Exception:
                log.exception("market: cannot handle %s", type(item).__name__)
        if self._subs_due:
            # once per drain, after every event of it is published: a fill that opens a
            # position does not wait behind the quote subscription it causes
            self._subs_due = False
            self._after_change()

    def _publish_quotes(self, quotes: dict[str, dict]) -> None:
        now = self.clock.now_ns()
        book, publish, arrived = self.book, self._publish, self.state.arrived_ns
        if quotes and self.feed.reconnects:
            # after a stale reconnect only a quote whose time moved on proves the feed alive,
            # not the full quote the hub repeats to every new subscriber (FeedWatch)
            before = {contract_id: book.time_of(contract_id) for contract_id in quotes}
            for contract_id, fields in quotes.items():
                if publish(book.apply(contract_id, fields, now)):
                    arrived[contract_id] = now
            back = self.feed.quote(live=any(
                _moved_on(before[contract_id], book.time_of(contract_id))
                for contract_id in quotes))
            if back:
                log.warning("market hub: %s", back)
            return
        self.feed.quote()
        for contract_id, fields in quotes.items():
            if publish(book.apply(contract_id, fields, now)):
                arrived[contract_id] = now

    def _dispatch_item(self, item: Any) -> None:
        if isinstance(item, RestDone):
            self.rest.pending -= 1
            handler = getattr(self, f"_done_{item.job}")
            handler(item)
            return
        hub = getattr(item, "hub", None)
        if hub not in self.hubs or item.gen != self.gens[hub]:
            return                   # a signal from a connection we dropped
        if isinstance(item, HubEvent):
            if hub == USER_HUB:
                self._user_event(item)
        elif isinstance(item, HubOpened):
            self._hub_opened(hub)
        elif isinstance(item, HubClosed):
            if item.token_refused:
                self._token_refused(hub, item.reason)
            else:
                self._hub_lost(hub, item.reason)
        elif isinstance(item, HubAck):
            if hub == USER_HUB:
                self.subs_unconfirmed -= 1
                if self.subs_unconfirmed == 0:
                    self._subscribed(item.gen)
        elif isinstance(item, HubFailed):
            log.warning("%s hub: %s", hub, item.reason)
            if hub == USER_HUB and self.subs_unconfirmed > 0:
                self.subs_unconfirmed -= 1       # refused: do not wait for it
                if self.subs_unconfirmed == 0:
                    self._subscribed(item.gen)

    def _bad_payload(self, what: str, exc: Exception) -> None:
        self.parse_errors += 1
        log.warning("market: dropped an unreadable %s payload: %s", what, exc)

    def _user_event(self, event: HubEvent) -> None:
        parse = USER_PARSERS.get(event.name)
        if parse is None:
            return
        try:
            payloads = user_payloads(event.args)
        except ValueError as exc:
            self._bad_payload(event.name, exc)
            return
        now = self.clock.now_ns()
        for payload in payloads:
            try:
                msg = self._translate(parse(payload), now)
            except ValueError as exc:
                self._bad_payload(event.name, exc)
                continue
            if msg is None:
                continue
            if self.reconciling:
                self.touched[key_of(msg)] = now
            if isinstance(msg, Fill):
                crash_point("market.fill_received")      # tests only: shared/crashpoint.py
            self._publish(msg)
        self._subs_due = True            # subscriptions follow at the end of the drain

    def _translate(self, model: Any, now: int) -> Optional[Any]:
        if isinstance(model, Account):
            return translate.account(model) if model.id in self.account_ids else None
        if model.account_id not in self.account_ids:
            return None
        if isinstance(model, Position):
            return translate.position(model, now)
        if isinstance(model, Order):
            return translate.order(model, now)
        return translate.fill(model)

    def _after_change(self) -> None:
        """Keep quote subscriptions and the contract cache in step with the state."""
        for contract_id in self.state.contract_ids() - self.contracts_asked:
            self.contracts_asked.add(contract_id)
            self.rest.submit("contract", lambda c, cid=contract_id: c.contract_by_id(cid),
                             tag=contract_id)
        if self.links[MARKET_HUB].state != "connected":
            return
        want = self.state.interest()
        gen = self.gens[MARKET_HUB]
        for contract_id in sorted(want - self.quote_subs):
            self.hubs[MARKET_HUB].invoke(gen, *quote_subscription(contract_id))
        for contract_id in sorted(self.quote_subs - want):
            self.hubs[MARKET_HUB].invoke(gen, *quote_subscription(contract_id, False))
            self.book.forget(contract_id)
        self.quote_subs = want
        if want:
            self.feed.watching(True)
        else:       # nothing to watch: its silence ends (FeedWatch.nothing_subscribed)
            ended = self.feed.nothing_subscribed()
            if ended:
                log.info("market hub: %s", ended)

    def on_config(self, old, new) -> None:
        """A roll time edit applies from the next roll (shared/tradingday.py, "A moved roll")."""
        if old.trading_day != new.trading_day:
            self.calendar = new.trading_day.calendar(os.path.dirname(self.loaded.path)) \
                .keeping(self.calendar, self.clock.now_ns())

    # -- connections ----------------------------------------------------------------------
    def _tick(self) -> None:
        self._run_later()
        day = self.calendar.trading_day(self.clock.now_ns())
        if day != self.day:
            self.day = day
            self.state.roll_day(self.calendar.start_of(day))
        stale = self.feed.stale()
        if stale and self.links[MARKET_HUB].state == "connected":
            self._drop(MARKET_HUB)
            loud = self.feed.loud()
            self._hub_lost(MARKET_HUB, stale, precaution=True,
                           level=logging.WARNING if loud else logging.INFO)
            summary = self.feed.summary()
            if summary:
                log.warning("market hub: %s", summary)
        for hub, link in self.links.items():
            timeout = link.check()
            if timeout:
                self._drop(hub)
                self._hub_lost(hub, timeout)
            if link.attempt_due():
                self._publish(link.attempting())
                if link.relogging:       # the broker refused the last token: a fresh login
                    old = self.hub_tokens.get(hub)
                    self.rest.submit("token", lambda c, old=old: c.replace_token(old), tag=hub)
                else:
                    self.rest.submit("token", lambda c: c.ensure_token(), tag=hub)

    def _done_token(self, done: RestDone) -> None:
        hub = done.tag
        if done.error:
            if tokenwords.login_refused(done.exception):
                # the key or the user is wrong: retrying soon cannot help, say what to check
                reason = tokenwords.login_refused_words(done.exception)
                self.links[hub].relogin_due = True
                self._hub_lost(hub, reason, wait=LOGIN_RETRY)
            elif self.links[hub].relogging:
                self.links[hub].relogin_due = True
                self._hub_lost(hub, tokenwords.relogin_failed_words(done.error))
            else:
                self._hub_lost(hub, f"no session token: {done.error}")
            return
        self.hub_tokens[hub] = done.result
        self.gens[hub] = self.hubs[hub].connect(done.result)

    def _token_refused(self, hub: str, reason: str) -> None:
        """HTTP 401 on connect: the broker no longer takes riskd's token (it expired, the login
        was used elsewhere, the gateway restarted). Log in again and reconnect at once,
        without the backoff (docs/operations.md, When the broker refuses riskd's token)."""
        link = self.links[hub]
        again = link.relogging              # the fresh token was refused too: back off
        words = tokenwords.FRESH_TOKEN_REFUSED if again else tokenwords.TOKEN_REFUSED
        self._publish(link.token_refused(words))
        retry = link.retry_in()
        log.warning("%s hub: %s [%s]; next attempt in %.1f s", hub, words, reason, retry or 0.0)
        if hub == MARKET_HUB:
            self.quote_subs = set()
            self.feed.watching(False)

    def _hub_opened(self, hub: str) -> None:
        self._publish(self.links[hub].opened())
        gen = self.gens[hub]
        if hub == USER_HUB:
            # Reconcile only once the server confirmed every subscription: a REST read made
            # before they are in place could miss a trade that the hub would not send either.
            calls = user_subscriptions(self.account_ids)
            self.subs_unconfirmed = len(calls)
            for method, args in calls:
                self.hubs[hub].invoke(gen, method, args)
            self.later(SUBSCRIBE_CONFIRM_TIMEOUT, lambda g=gen: self._subscribed(g, timed_out=True))
        else:
            self.quote_subs = set()
            self._after_change()

    def _subscribed(self, gen: int, timed_out: bool = False) -> None:
        """The user hub's subscriptions are in place (or we stopped waiting): reconcile once."""
        if gen != self.gens[USER_HUB] or self.reconciled_gen == gen:
            return
        if timed_out:
            log.warning("user hub: %s unconfirmed after %g s; reconciling anyway",
                        plural(self.subs_unconfirmed, "subscription"), SUBSCRIBE_CONFIRM_TIMEOUT)
        self.reconciled_gen = gen
        self._reconcile()

    def _drop(self, hub: str) -> None:
        """Close the hub's connection ourselves: nothing it still says is news. (Its 'the
        connection closed' used to arrive under the generation market still held: a second
        lost() that doubled the backoff, logged again and replaced the reason.)"""
        self.hubs[hub].drop(self.gens[hub])
        self.gens[hub] = -1

    def _hub_lost(self, hub: str, reason: str, wait: Optional[float] = None,
                  precaution: bool = False, level: int = logging.WARNING) -> None:
        change = self.links[hub].lost(reason, wait, precaution)
        self._publish(change)
        retry = self.links[hub].retry_in()
        log.log(level, "%s hub lost (%s); next attempt in %.1f s", hub, reason, retry or 0.0)
        if hub == MARKET_HUB:
            self.quote_subs = set()
            self.feed.watching(False)

    def _check_token(self) -> None:
        # no token (the broker refused the login): the hubs' attempts log in, not this timer
        self.rest.submit("token_check", lambda c: c.ensure_token() if c.token else None)

    def _done_token_check(self, done: RestDone) -> None:
        if done.error:
            log.warning("market: token renewal failed: %s", done.error)

    # -- REST: accounts, reconcile, contracts --------------------------------------------------
    def _ask_accounts(self) -> None:
        self.rest.submit("accounts", lambda c: c.search_accounts(only_active=True))

    def _done_accounts(self, done: RestDone) -> None:
        if done.error:
            refused = isinstance(done.exception, AuthError)
            retry = LOGIN_RETRY if refused else ACCOUNTS_RETRY
            reason = (tokenwords.login_refused_words(done.exception)
                      if tokenwords.login_refused(done.exception)
                      else f"cannot log in: {done.exception.message}" if refused
                      else f"cannot list the accounts: {done.error}")
            log.warning("market: %s (again in %g s)", reason, retry)
            for link in self.links.values():
                self._publish(link.waiting(reason))
            self.later(retry, self._ask_accounts)
            return
        accounts = self.select_accounts(done.result)
        self.account_ids = sorted(a.id for a in accounts)
        log.info("market: watching accounts %s", self.account_ids)
        for a in accounts:
            self._publish(translate.account(a))
        for link in self.links.values():
            link.start()

    def _check_accounts(self) -> None:
        """Every ACCOUNTS_EVERY: the broker's accounts again (once the first list arrived).
        Not without a token (the broker refused the login): as for _check_token, the hubs'
        attempts log in, once a minute (docs/operations.md); this check logged in with the
        refused key besides them (test_token_refused: 3 logins where the hubs made 2)."""
        if self.account_ids or self.reconciled:
            self.rest.submit("accounts_check",
                             lambda c: c.search_accounts(only_active=True) if c.token else None)

    def _done_accounts_check(self, done: RestDone) -> None:
        if done.error:      # the hubs and their reconcile say a broker that does not answer
            log.info("market: the account check failed: %s (again in %g s)", done.error,
                     ACCOUNTS_EVERY)
            return
        if done.result is not None:         # None: no token, no check (_check_accounts)
            self._adopt_accounts(done.result)

    def _adopt_accounts(self, listed: Iterable[Account]) -> None:
        """Accounts the broker lists that market does not watch yet (added at the broker while
        riskd runs): published (risk guards each from its first update), subscribed on the user
        hub when it is open (else at its next open, with the rest), and read by a reconcile once
        those subscriptions are in place, as at a connect."""
        watched = set(self.account_ids)
        new = [a for a in self.select_accounts(listed) if a.id not in watched]
        if not new:
            return
        ids = sorted(a.id for a in new)
        self.account_ids = sorted(watched | set(ids))
        log.warning("market: the broker lists %s not watched before: %s; watching them now",
                    plural(len(ids), "account"), ids)
        for a in new:
            self._publish(translate.account(a))
            # the phone hears it once (never for the accounts listed at market's start)
            told = guarded_event(self.config.accounts, a.id, a.name or "",
                                 self.clock.now_ns(), ACCOUNTS_EVERY)
            if told is not None:
                self.pub.publish(topics.NOTIFY, told)
        gen = self.gens[USER_HUB]
        if gen < 0 or self.links[USER_HUB].state != "connected":
            return
        calls = [c for c in user_subscriptions(ids) if c[1]]     # SubscribeAccounts is on
        self.subs_unconfirmed += len(calls)
        self.reconciled_gen = -1            # _subscribed reconciles again when they are in
        for method, args in calls:
            self.hubs[USER_HUB].invoke(gen, method, args)
        self.later(SUBSCRIBE_CONFIRM_TIMEOUT, lambda g=gen: self._subscribed(g, timed_out=True))

    def _read_again(self, after_ns: int) -> None:
        """Risk wants the broker read by a reconcile begun at or after after_ns (its fills and
        market's Position have disagreed past its window: services/risk/state.py
        stale_since). One reconcile at a time, none before the first (the hubs' subscriptions
        start it) nor ahead of a failed one's retry (its pace stands)."""
        if not self.reconciled or self.retry_due:
            return
        if self.reconciling:
            if self.reading_ns < after_ns:
                self.reconcile_again = True
            return
        log.info("market: risk's fills and a position have disagreed for a while: reading "
                 "the broker again")
        self._reconcile()

    def _reconcile(self) -> None:
        if self.reconciling:          # one at a time; the newest connection wins
            self.reconcile_again = True
            return
        self.reconciling = True
        self.reconcile_again = False
        self.retry_due = False
        self.reading_ns = self.clock.now_ns()
        self.touched = {}
        accounts = list(self.account_ids)
        known_working = self.state.working_order_ids()
        day_start = self.calendar.start_of(self.day)
        self.rest.submit("reconcile", lambda c: read_broker(
            c, accounts, known_working, day_start, self.clock.now_ns(), self.clock.now_ns))

    def _done_reconcile(self, done: RestDone) -> None:
        touched, self.touched = self.touched, {}
        self.reconciling = False
        if done.error:
            refused = tokenwords.login_refused(done.exception)   # its 401's login: no storm
            retry = LOGIN_RETRY if refused else ACCOUNTS_RETRY
            why = tokenwords.login_refused_words(done.exception) if refused else done.error
            log.warning("market: reconcile failed: %s (again in %g s)", why, retry)
            self.retry_due = True
            self.later(retry, self._reconcile)
        else:
            unsettled: list = []
            published = sum(self._publish(m) for m in diff(self.state, done.result, touched,
                                                            unsettled))
            self.reconciled = True
            self.read_ns = self.reading_ns
            log.info("market: reconciled with the broker, %s published", plural(published, "change"))
            if unsettled and self.unsettled_rereads < UNSETTLED_REREADS:
                # a hub event and REST's read of the same thing disagree, and either may be
                # the newer: the broker is read again (a hub that dropped right after it would
                # leave market holding the older one until the next reconnect)
                self.unsettled_rereads += 1
                self.reconcile_again = True
                log.info("market: %s that arrived during the reconcile %s from REST's answer, "
                         "either may be the newer: reading the broker again",
                         plural(len(unsettled), "hub update"),
                         "differs" if len(unsettled) == 1 else "differ")
            else:
                self.unsettled_rereads = 0
            self._after_change()
            self._adopt_accounts(done.result.accounts)     # the same list, read just now
        if self.reconcile_again:
            self._reconcile()

    def _done_contract(self, done: RestDone) -> None:
        if done.error:
            log.warning("market: no contract data for %s: %s", done.tag, done.error)
            self.contracts_asked.discard(done.tag)   # asked again on the next change
            return
        self._publish(translate.contract(done.result))

    def later(self, delay: float, callback) -> None:
        """Run callback once, about `delay` seconds from now (checked by the tick)."""
        self._later.append((self.clock.monotonic() + delay, callback))

    def _run_later(self) -> None:
        now = self.clock.monotonic()
        due = [cb for at, cb in self._later if at <= now]
        self._later = [(at, cb) for at, cb in self._later if at > now]
        for callback in due:
            callback()


def _moved_on(before: Optional[int], after: Optional[int]) -> bool:
    """A contract's quote time moved on: a live quote, not one repeated to a new subscriber
    (a broker that sends no times at all: every quote counts)."""
    return after is None or (before is not None and after > before)
