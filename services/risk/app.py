"""The risk worker process: wires market's events through the engine, the store and its PUB.

Sockets
- SUB to market's PUB (everything, so sequence gaps are real; a shard: see below): fill, position, order,
  account, quote.<id>, contract, conn. On start (once market's stream is heard: its first
  message, a heartbeat at the latest), on a gap and on a new epoch of market, risk
  asks market's control socket for a MarketSnapshot (an async REQ with a deadline, retried,
  then backed off) and rebuilds; updates that arrive meanwhile are buffered (services.risk.clone).
  A snapshot market marks incomplete (it has not read the broker since it started) is applied
  additively and asked for again after INCOMPLETE_RETRY s, doubling up to INCOMPLETE_RETRY_MAX,
  until a complete one arrives: only a complete one may close what it does not list.
  RiskStatusReply.market_synced says which.
- SUB to enforcement's PUB: CommandResult on 'result' clears the outbox; a new epoch of
  enforcement (it restarted) makes every pending command due again. Waiting results are always
  read before market's events (an admin flatten's result says whose its fills are).
- PUB (its own; an XPUB): 'decision', 'warning', 'lockout', 'status.<account id>' (5 times a
  second while something changes, and every few seconds anyway, while somebody subscribes to
  them: riskctl watch; none is made for nobody), 'cmd' (enforcement
  commands; see shared/messages/enforce.py for the protocol), 'notify' (state-file alerts,
  the daily summary at the roll). An XPUB delivers exactly as a PUB does; risk also reads
  the subscriptions that reach it: a new one to 'cmd' (enforcement's SUB (re)connecting after
  either side started) makes every pending command due at once (on_subscribed). Like
  every worker's PUB, it sends what it published in the last seconds on the kept topics
  (decisions, warnings, lockouts, notify) again to a subscriber that joins
  (shared/bus/publisher.py): a breach decided as risk starts, or while notify restarts,
  reaches notify.
- Control (REP): RiskStatusRequest, LockoutsRequest, UnlockRequest, SelfLockRequest,
  HistoryRequest, RulesRequest,
  RulesPreviewRequest (what a candidate config would do now: services/risk/preview.py).

Every engine step is committed to the SQLite store before anything of it is published.

Shards ([supervisor] risk_shards = N > 1, docs/scaling.md): this process is shard k (the
supervisor sets RISKD_RISK_SHARD), named risk-k, on its own PUB, control socket and state
file (shared/shards.py). It owns the accounts whose id % N == k: market's user events and
snapshot entries of other accounts are dropped before the engine, quotes, contracts and
connection states are taken whole. It subscribes only to market's main stream (quotes,
contracts, connections, heartbeats) and to its own accounts' user-event stream, each numbered
on its own, so the sequence and epoch checks hold per stream (shared/shards.py). State kept
for another N makes it refuse to start.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import sys
from typing import Optional

import attrs

import zmq

from services.risk.ahead import WINDOW_NS
from services.risk.asker import SnapshotAsk
from services.risk.clone import SYNCED, Clone
from services.risk.countdowns import Countdowns
from services.risk.daytally import DayTally, tally
from services.risk import disabled, lastedit, loosening, rejudge
from services.risk.engine import Engine
from shared.currentends import current_ends
from services.risk.outcome import Outcome, merge
from services.risk.preview import Previews
from services.risk.quietfeed import Holding, QuietFeed
from services.risk.unjudgedalert import UnjudgedAlerts
from services.risk.quoterun import QUOTE_TYPE, QuoteRun
from services.risk.requests import Requests
from services.risk.settings import RuleSettings
from services.risk.store import Store
from services.risk.views import account_status
from services.risk.words import log_line
from shared import codec, quietprice, shards, showtime, topics
from shared.accountname import account_name
from shared.bus.subscriber import Subscriber
from shared.config.trading_day import read_holidays_file
from shared.crashpoint import crash_point
from shared.messages.enforce import CommandResult
from shared.messages.market import (AccountUpdate, BrokerConnection, ContractInfo, Fill,
                                    MarketSnapshot, OrderUpdate, PositionUpdate, Quote)
from shared.messages.notify import AccountDay, DailySummary, NotifyEvent
from shared.exitwords import EXIT_SHARD_STATE
from shared.worker import EXIT_CONFIG, Worker

log = logging.getLogger(__name__)

MARKET_EVENTS = (Fill, PositionUpdate, OrderUpdate, AccountUpdate, Quote, ContractInfo,
                 BrokerConnection)
USER_EVENTS = (Fill, PositionUpdate, OrderUpdate, AccountUpdate)   # one account's: one shard's
TICK = 0.1                 # s: timers, lockout expiry, clock rules
STATUS_EVERY = 0.2         # s: status of changed accounts (5 a second)
STATUS_ALL_EVERY = 5.0     # s: status of every account, changed or not
STATUS_PREFIX = topics.status("")    # "status.": what riskctl watch subscribes to
STATUS_SLICE_S = 0.002     # s: statuses published at most this long before the market is read
DRAIN_LIMIT = 2000         # messages read from market before the loop's timers run
QUOTE_PREFIX = topics.quote("").encode()     # b"quote.": a quote's topic frame
JUDGE_SLICE_S = 0.001      # s: moved prices' rules judged this long before the market is read
JUDGE_TURN_S = 0.05        # s: ... this long a loop turn; then new quotes wait (events first)
NOTIFY_TOPIC = "notify"
INCOMPLETE_RETRY = 0.5     # s: ask again after a snapshot market marked incomplete ...
INCOMPLETE_RETRY_MAX = 4.0  # ... doubling each time up to this while market has not read the
                           # broker (each ask is a full snapshot: twice a second through a
                           # broker outage was all of them); back to INCOMPLETE_RETRY once a
                           # complete one is in
FRESH_RETRY = 1.0          # s: ask again after a snapshot from a broker read older than the
                           # one risk wants (Engine.read_after: fills and Position disagree)
FRESH_RETRY_MAX = 30.0     # ... doubling each time up to this while market's reads fail (each
                           # ask is a full snapshot, and market's read costs broker calls);
                           # back to FRESH_RETRY once a read as fresh as wanted is in
QUIET_CHECK = 1.0          # s: held prices gone stale, or flowing again (services/risk/quietfeed.py)
MARKET_SILENT_S = 2.5      # s with nothing from market (it sends a heartbeat every second):
                           # market is stopped or down, and no quote is due (quietfeed.py)
FIRST_ASK_WAIT = 2.0       # s: the first snapshot is asked once market's stream is heard (a
                           # heartbeat every second), at the latest this long after the start


# how a rule change made while riskd was stopped is said at the next start (_say_restart_changes)
WHILE_DOWN = "changed while riskd was stopped"

class RiskWorker(Worker):
    """Risk worker: account state, the rules, lockouts, timers, the trading day."""

    name = shards.RISK

    def __init__(self, loaded, **kwargs):
        super().__init__(loaded, **kwargs)
        self.shards = loaded.config.supervisor.risk_shards
        self.shard = shard_index(self.shards)
        self.name = shards.name_of(self.shard, self.shards)

    @classmethod
    def process_name(cls, loaded) -> str:
        return shards.name_of(shard_index(loaded.config.supervisor.risk_shards),
                              loaded.config.supervisor.risk_shards)

    def owns(self, account_id: int) -> bool:
        return self.shards == 1 or shards.shard_of(account_id, self.shards) == self.shard

    # -- set-up ---------------------------------------------------------------------------
    def setup(self) -> None:
        bus = self.config.bus
        now = self.clock.now_ns()
        self._held: Optional[Outcome] = None     # market steps not committed yet (_step)
        foreign = shards.foreign_state_files(self.loaded.data_dir, self.shard, self.shards)
        if foreign:
            log.critical("%s", shards.refusal(self.loaded.data_dir, self.shards, foreign))
            sys.exit(EXIT_SHARD_STATE)     # the config is valid: its own words (trial 16c)
        calendar = self.config.trading_day.calendar(os.path.dirname(self.loaded.path))
        self.settings = RuleSettings(self.config)
        self.engine = Engine(calendar, self.settings, allow_unlock=self.config.admin.allow_unlock)
        self.engine.holiday_files = holiday_files(self.config, self.loaded.path)
        self.engine.zone = showtime.zone_of(self.config)     # the times its alerts name
        # a held price with no quote for the stale-feed wait during trading hours: the status
        # line and the phone say so (shared/quietprice.py, services/risk/quietfeed.py)
        self.engine.quiet = QuietFeed(quietprice.stale_after(self.config.broker),
                                      quietprice.market_hours(self.config.broker,
                                                              self.config.trading_day,
                                                              calendar.holidays))
        self._stale: frozenset = frozenset()     # held contracts whose price is stale
        # accounts whose positions wait: told once each way (kept in the state file with the
        # doubt itself: a restart mid-doubt keeps its start and who was told)
        self.unjudged = self.engine.unjudged_alerts = UnjudgedAlerts()
        self._market_heard = self.clock.monotonic()   # market's last message (its heartbeat
                                                      # at least, every second)
        # ... and its wall time, for the screens while market is not running: the positions,
        # orders and trade counts they show are as of then (shared/notlive.py; trial24b F2)
        self.market_heard_ns = 0
        self.store, problem = Store.open(self.loaded.data_dir, now,
                                         shards.state_file(self.shard, self.shards))
        self.store.load(self.engine, now)
        self.engine.start(now)
        # lockouts whose time ran out while risk was down end before anything is sent: what
        # the outbox holds for them is withdrawn, not re-sent (services/risk/withdraw.py)
        ended = Outcome()
        self.engine.end_due(now, ended)
        if problem:
            self._notify("state_file_corrupt", "critical", "risk state file was corrupt",
                         [problem])
        self.clone = Clone()
        self.market_complete = False   # the last snapshot held the broker's state
        self.incomplete_seen = False   # ... or it did not (logged once, not every retry)
        self.resync_at = 0.0           # monotonic: ask again (the last snapshot was incomplete,
                                       # or from a broker read older than risk wants)
        self.fresh_asked = 0           # the Engine.read_after a snapshot was last asked for
        self.fresh_wait = FRESH_RETRY  # s before the next ask for a fresher read (doubles)
        self.incomplete_wait = INCOMPLETE_RETRY    # s before asking again for a complete one
        self.market = Subscriber(self.socket(zmq.SUB, connect=bus.market_pub))
        self._run = QuoteRun()         # quotes merged per contract (services/risk/quoterun.py)
        self._run_due = False          # a held run is to be taken at the next loop round
        self._holding = False          # the run's quotes wait, events overtake them (_on_market)
        for topic in (shards.market_topics(self.shard) if self.shards > 1 else [""]):
            self.market.subscribe(topic)
        self.add_reader(self.market.sock, self._on_market)
        self.results = Subscriber(self.socket(zmq.SUB, connect=bus.enforcement_pub))
        self.results.subscribe("")
        self.add_reader(self.results.sock, self._on_results)
        self.ask = SnapshotAsk(self, bus.market_control)
        self._status_dirty: set[int] = set(self.engine.accounts)
        self.countdowns = Countdowns()      # grace rows counting seconds: published as they move
        self._unjudged_seen: set[int] = set()
        self._status_round: list[int] = []      # being published, in slices (_status_slice)
        self.disabling = disabled.Armed(self.clock)
        self.requests = Requests(self)
        self.previews = Previews(self)      # RulesPreviewRequest: a rule edit asked first
        self.every(TICK, self._tick)
        self.every(STATUS_EVERY, self._publish_status)
        self.every(STATUS_ALL_EVERY, self._publish_all_status)
        self.every(1.0, self._flush_marks)
        self.every(QUIET_CHECK, self._check_quiet)
        # the first snapshot only once market's stream is heard (what the SUB misses before
        # it joined is then before the snapshot). A loaded start re-synced from a second
        # snapshot in 8 of 20 starts ("market stream gap (expected 8, got 10)" just after the
        # first one, round 17): on_snapshot set the stream's mark back to the snapshot's seq,
        # behind the messages read (buffered, replayed) while the answer was on its way; the
        # mark now follows them (StreamTracker.synced, tests/unit/risk/test_snapshot_marks.py).
        # Trades made during a re-sync reach risk as its snapshot, the position before
        # its fills (a burst of buys made while locked:
        # tests/integration/test_bought_while_locked_in_a_reduce.py)
        self._first_ask_at = self.clock.monotonic() + FIRST_ASK_WAIT
        if ended.durable:
            self.apply(ended)
        pending = len(self.engine.outbox)
        log.info("%s started: %d accounts, %d lockouts, %d pending commands restored",
                 self.name, len(self.engine.accounts), len(self.engine.lockouts.all()), pending)

    def teardown(self) -> None:
        self.ask._close()
        try:
            self._flush_marks()
        finally:
            self.store.close()

    def bad_frames(self) -> int:
        return self.market.bad_frames + self.results.bad_frames

    def on_config(self, old, new) -> None:
        waited = self.settings.what_waits()
        accounts = list(self.engine.accounts.values())
        before = self.settings.rules_of(accounts)
        waiting = self.settings.update(new, accounts)
        # what applies at once (a tightening) reaches the trader as a loosening does
        live = loosening.changed_now(before, self.settings.rules_of(accounts))
        said = lastedit.Words(self.engine, self.settings, before, new)
        if live:        # who changed it, when the edit says (an admin's rules set: its note)
            note = getattr(self, "config_note", "")
            self._notify("rules_in_force_now", "info", loosening.NOW_TITLE,
                         *loosening.now_lines_of(said.of_changes(live),
                                                 self.engine.account_name,
                                                 f" ({note})" if note else ""))
        self.engine.allow_unlock = new.admin.allow_unlock
        self.engine.holiday_files = holiday_files(new, self.loaded.path)
        self.engine.moved_calendar(new.trading_day.calendar(os.path.dirname(self.loaded.path)),
                                   self.clock.now_ns())
        self.engine.zone = showtime.zone_of(new)
        now = self.clock.now_ns()
        # `accounts disable ACCOUNT --now` armed before its edit: applied now, said once
        fresh = loosening.new_waits(waited, self.settings.what_waits())
        for aid in self.disabling.due(fresh, now):
            fresh.pop(aid, None)
            waiting = [w for w in waiting if not w.startswith(f"{aid}: ")]
            by, reason = self.disabling.take(aid)
            self.requests.disable_now(aid, by, reason)
            before[aid] = None          # its change is said and kept (who, why) already
        guard = self.engine.guarding_changed(before, now, "")
        for aid in guard.dirty:
            if before.get(aid) is None and aid in self.engine.accounts \
                    and self.settings.for_account(self.engine.accounts[aid]) is not None:
                lines = disabled.again_lines(self.engine, aid, guard, now,
                                             getattr(self, "config_note", ""))
                self._notify("account_guarded_again", "info", disabled.AGAIN_TITLE, lines,
                             line_accounts=[aid] * len(lines))      # its chats only
        if guard.durable or guard.dirty:
            self.apply(guard)
        now = self.clock.now_ns()
        roll = showtime.at(self.engine.calendar.next_roll(now), showtime.zone_of(new), now)
        # what this reload did, per account, for the edit's answer (the same changes the
        # alerts say; services/risk/lastedit.py), with the digest of the file it read
        guarded = {aid for aid, rules in self.settings.rules_of(accounts).items()
                   if rules is not None}
        done = lastedit.record(live, waited, self.settings.what_waits(), said.text, guarded)
        if done or getattr(self, "last_edit", ("",))[0] != self.loaded.digest:
            # (the same file read again changes nothing: its edit's record is kept)
            self.last_edit = (self.loaded.digest, done)
        if waiting and fresh:     # said once per change, and only what this change made wait
            self._notify("rules_loosen_at_roll", "info", loosening.TITLE,
                         *loosening.loosen_lines_of(said.of_waits(fresh),
                                                    self.engine.account_name, roll))
        dropped = lastedit.dropped(waited, self.settings.what_waits(), live, guarded)
        # ... or replaced by a value in force now (trial21c finding 6: never said either)
        for aid, rules in lastedit.replaced(waited, self.settings.what_waits(), live,
                                            guarded).items():
            for rule, params in rules.items():
                dropped.setdefault(aid, {}).setdefault(rule, {}).update(params)
        if dropped:     # a waiting loosening taken back (trial 21a section 2: never said)
            note = getattr(self, "config_note", "")
            self._notify("rules_loosen_withdrawn", "info", loosening.DROPPED_TITLE,
                         *loosening.dropped_lines_of(said.of_changes(dropped),
                                                     self.engine.account_name, roll,
                                                     f" ({note})" if note else ""))
        self._status_dirty.update(self.engine.accounts)
        now = self.clock.now_ns()
        out = self.engine.recheck(now)     # e.g. a newly blocked symbol
        # a tightening is instant: the changed rules judge what is held now, not at the next
        # fill (services/risk/rejudge.py)
        merge(out, self.engine.rejudge(rejudge.changed_rules(live), now))
        if out.durable or out.dirty:
            self.apply(out)

    # -- the one path of every step: commit, then publish -------------------------------------
    def apply(self, out: Outcome) -> None:
        # steps held together (_step) name a lockout's end as it is after all of them
        out.decisions = current_ends(out.decisions, out.lockouts)
        # each record carries the broker's name: alerts and history name an account the
        # config does not name by it (shared/accountname.named)
        out.decisions = [d if d.account_name else
                         attrs.evolve(d, account_name=self.engine.broker_name(d.account_id))
                         for d in out.decisions]
        out.warnings = [w if w.account_name else
                        attrs.evolve(w, account_name=self.engine.broker_name(w.account_id))
                        for w in out.warnings]
        try:
            self.store.commit(out, self.engine)
        except sqlite3.Error as exc:
            # acting matters more than remembering: publish anyway, and say so loudly
            log.critical("risk could not save its state (%s); publishing the step unsaved", exc)
            self._notify("state_not_saved", "critical", "risk could not save its state",
                         [str(exc)])
        if out.decisions:
            crash_point("risk.decision_committed")       # tests only: shared/crashpoint.py
        if out.withdraws:
            crash_point("risk.withdraw_committed")       # tests only: shared/crashpoint.py
        # the commands first: enforcement acts on them, the rest is what screens, history and
        # the phone say about it (each subscriber still gets one topic's messages in order)
        self._send_due()
        pub = self.pub
        for w in out.withdraws:        # services/risk/withdraw.py
            pub.publish(topics.COMMAND, w)
            log.warning("withdrawn command %s on account %s: %s", w.command_id, w.account_id,
                        w.reason, extra={"kind": "withdraw", "account": w.account_id,
                                         "command_id": w.command_id})
        for c in out.lockouts:
            pub.publish(topics.LOCKOUT, c)
        for d in out.decisions:
            pub.publish(topics.DECISION, d)
            log.warning("%s", log_line(d),
                        extra={"kind": "decision", "account": d.account_id, "rule": d.rule})
        for w in out.warnings:
            pub.publish(topics.WARNING, w)
            log.warning("warning for account %s: %s", w.account_id, w.reason,
                        extra={"kind": "warning", "account": w.account_id})
        for n in out.notices:          # a failed action, its retries (services/risk/retries.py)
            self._tell(n)
        self._status_dirty |= out.dirty
        if out.rolled:
            self._daily_summary()

    def _send_due(self) -> None:
        for cmd in self.engine.outbox.due(self.clock.now_ns()):
            # a command taken back: its withdraw is sent again, never the command
            self.pub.publish(topics.COMMAND, self.engine.withdrawing.get(cmd.id) or cmd)

    # -- inputs --------------------------------------------------------------------------------
    def _on_market(self) -> None:
        # enforcement's results first: an admin flatten's "accepted" (sent before any broker
        # call) tells risk its closing fills are riskd's; when it waits beside those fills in
        # the same poll round, the fills must not be taken first as the trader's trades
        self._on_results()
        turn_end = self.clock.monotonic() + JUDGE_TURN_S
        try:
            while True:
                self._drain_market(take=not self._holding)
                # the accounts whose prices moved, judged in slices while nothing waits: a
                # fill that comes meanwhile is read (and its account judged) before the rest
                if self._judge_moved(True):
                    break
                if not self._holding and self.clock.monotonic() >= turn_end:
                    # the turn's time is up: the quotes read from now on wait in the run
                    # (taken at the next turn) and an account's event no longer takes them
                    # first, so no price moves and the round under way ends (moves.py); its
                    # events are still read between the slices, and go first
                    self._holding = True
        finally:
            self._holding = False
            if self.engine.pending:           # the loop never leaves a price unjudged (an
                self._judge_moved(False)      # error above): the rest at once
            self._flush_held()
            if self._run and not self._run_due:
                # quotes held in the run: taken at the next loop round (after the timers),
                # or sooner by the next message from market
                self._run_due = True
                self.after(0, self._take_held_run)

    def _take_held_run(self) -> None:
        self._run_due = False
        if self._run:
            self._on_market()

    def _drain_market(self, take: bool = True) -> None:
        """What waits from market, at most DRAIN_LIMIT messages. A quote (when risk follows
        the stream) is unpacked and merged into the run (services/risk/quoterun.py), not
        decoded; an event ends the run: its prices are taken first (their rules judged later,
        services/risk/moves.py), then the event. take=False: the run left at the end stays
        (held, _on_market), its prices not taken yet."""
        sub, run = self.market, self._run
        sock, tracker = sub.sock, sub.tracker
        for _ in range(DRAIN_LIMIT):
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                break
            if len(frames) == 2 and frames[0].startswith(QUOTE_PREFIX) \
                    and self.clone.state == SYNCED:
                try:
                    publisher, epoch, seq, ts_ns, name, fields, sender = codec.head(
                        frames[1], sub.instance)
                except (codec.DecodeError, codec.ForeignFrame):
                    publisher = None            # sub.decode says what it is (and drops it)
                if publisher is not None and name == QUOTE_TYPE \
                        and isinstance(fields.get("contract_id"), str):
                    env = codec.Envelope(publisher, epoch, seq, ts_ns, None, sender)
                    cont = tracker.observe(env)
                    if cont is None:
                        run.add(fields)
                        continue
                    try:
                        msg = codec.structure(name, fields)
                    except codec.DecodeError as exc:
                        sub._bad(frames, str(exc))
                        continue
                    self._take(cont, attrs.evolve(env, msg=msg))
                    continue
            received = sub.decode(frames)
            if received is not None:
                self._take(received.continuity, received.envelope)
        if take:
            self._quotes()
        sub.bad_frames += run.bad
        run.bad = 0

    def _take(self, cont, env) -> None:
        """One message of market's stream, in its order."""
        self._market_heard = self.clock.monotonic()      # its heartbeats come this way
        self.market_heard_ns = self.clock.now_ns()
        if self._first_ask_at:
            self._ask_first()
        if cont is not None and cont.kind == "epoch":
            # a new market (started, or restarted by the supervisor faster than risk calls
            # it silent): no quote was due before its first message (quietfeed.py)
            self.engine.quiet.market_back(self.clock.now_ns())
        if cont is not None and cont.kind == "gap" and cont.got < cont.expected:
            return      # not newer than the snapshot risk took (read after it): it is in it
        if cont is not None and cont.kind in ("gap", "epoch"):
            log.warning("market stream %s (expected %s, got %s): re-syncing from its snapshot",
                        cont.kind, cont.expected, cont.got)
            if self.clone.lost(cont.kind):
                self.ask.attempts = 0
                self.ask.send()
        msg = env.msg
        if not isinstance(msg, MARKET_EVENTS) or (self.shards > 1 and not self._mine(msg)):
            return
        ready = self.clone.update(env.epoch, env.seq, msg, env.publisher)
        if ready is None:
            return
        if isinstance(ready, Quote):
            self._run.add(codec.to_fields(ready))
            return
        if not (self._holding and isinstance(ready, USER_EVENTS)):
            self._quotes()
        # else: an account's event overtakes the held quotes (_on_market), as it overtakes
        # the quotes market holds at its pace (services/market/inbox.py)
        self._event(ready)              # its account's prices are judged first (engine)

    def _quotes(self) -> None:
        """The run of quotes so far: its prices taken now, their rules judged later."""
        if not self._run:
            return
        quotes = self._run.take()
        try:
            out = self.engine.take_quotes(quotes, self.clock.now_ns())
        except Exception:
            log.exception("risk could not apply %d quotes", len(quotes))
            out = None
        if out is not None and (out.durable or out.dirty):
            self._step(out)

    def _judge_moved(self, yielding: bool) -> bool:
        """Judge the accounts whose prices moved (services/risk/moves.py). yielding: stop
        after a slice of JUDGE_SLICE_S when a market message waits (False: it waits). True
        when every account is judged."""
        clock, sock = self.clock, self.market.sock
        end = clock.monotonic() + JUDGE_SLICE_S

        def stop() -> bool:
            nonlocal end
            if not yielding or clock.monotonic() < end:
                return False
            if sock.poll(0):
                return True
            end = clock.monotonic() + JUDGE_SLICE_S
            return False
        out = Outcome()
        try:
            done = self.engine.judge_moved(self.clock.now_ns(), out, stop)
        except Exception:
            log.exception("risk could not judge the moved prices")
            self.engine.pending.clear()
            done = True
        if out.durable or out.dirty:
            self._step(out)
        return done

    def _event(self, msg) -> None:
        try:
            out = self.engine.on_event(msg, self.clock.now_ns())
        except Exception:
            log.exception("risk could not apply %s", type(msg).__name__)
            return
        if out.durable or out.dirty:
            self._step(out)

    def _step(self, out: Outcome) -> None:
        """A market step's outcome. One that acts or tells (a decision, a command, a lockout, a
        warning) is committed and published at once, together with the steps held before it;
        any other is held until the end of the drain (_flush_held). The broker's order, fill
        and position events of one trade arrive together: held, they cost one commit before
        the decision is published, not one each (measured: the order event's commit delayed
        half of the fills by ~0.2 ms). Commit before publish holds for every step; a crash
        before the flush loses only steps nothing was published from, which the restart
        rebuilds from market's snapshot like any step not yet taken.
        A step with nothing to commit (a price step that only changed what the status shows)
        is not held: its accounts' statuses are marked, nothing else. Held, it made the next
        decision's commit write the marks of every account judged since the last flush (at
        1,000 accounts hundreds, before the decision was published: round 16); its marks are
        saved by _flush_marks within the second, as they were when no decision followed."""
        if not out.durable:
            self._status_dirty |= out.dirty
            return
        if self._held is None:
            self._held = out
        else:
            merge(self._held, out)
        if out.decisions or out.commands or out.lockouts or out.warnings:
            self._flush_held()

    def _flush_held(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self.apply(held)

    def _mine(self, msg) -> bool:
        """An event of an account of this shard, or one every shard takes (quotes, contracts)."""
        aid = getattr(msg, "account_id", None) if isinstance(msg, USER_EVENTS) else None
        return aid is None or self.owns(aid)

    def on_snapshot(self, snap: MarketSnapshot) -> None:
        if self.shards > 1:
            snap = own_part(snap, self.owns)
        self._quotes()          # a held run (_on_market) is older than the snapshot: first
        now = self.clock.now_ns()
        self.market_heard_ns = now      # market's answer: its book is as of now
        # the stream's marks follow what risk read already (buffered, replayed below), and
        # say whether a message after the snapshot's position was lost (shared/bus/subscriber.py)
        tracker = self.market.tracker
        whole = [tracker.synced(stream, snap.epoch, seq)      # risk shards' user-event streams
                 for stream, seq in [("market", snap.seq), *snap.streams.items()]]
        replay, again = self.clone.snapshot(snap.epoch, snap.seq, snap.streams, all(whole))
        if not all(whole):
            log.warning("market stream gap after its snapshot at seq %d: re-syncing from "
                        "another snapshot", snap.seq)
        repeat = not (snap.complete or self.market_complete) and self.incomplete_seen
        self.market_complete, self.incomplete_seen = snap.complete, not snap.complete
        if snap.complete:
            self.incomplete_wait = INCOMPLETE_RETRY
        out = self.engine.apply_snapshot(snap, now)
        if not snap.complete:
            self.resync_at = self.clock.monotonic() + self.incomplete_wait
            self.incomplete_wait = min(self.incomplete_wait * 2, INCOMPLETE_RETRY_MAX)
        elif self.engine.read_after() > snap.read_ns:
            # market has not read the broker since risk's fills and a Position began to
            # disagree past the window: it reads again (SnapshotRequest.read_after_ns). One
            # ask for every account in doubt (it carries the latest time wanted), paced 1, 2,
            # 4 ... 30 s while market's reads fail
            self.resync_at = self.clock.monotonic() + self.fresh_wait
            self.fresh_wait = min(self.fresh_wait * 2, FRESH_RETRY_MAX)
        else:
            self.resync_at = 0.0
            self.fresh_wait = FRESH_RETRY
        merge(out, self.engine.recheck(now))          # listed symbols of new accounts
        self.apply(out)
        log.log(logging.DEBUG if repeat else logging.INFO,   # not twice a second while REST is down
                "synced with market's %ssnapshot at seq %d: %d accounts, %d positions, "
                "%d orders, %d trades; %d buffered updates replayed",
                "" if snap.complete else "incomplete ", snap.seq, len(snap.accounts),
                len(snap.positions), len(snap.orders), len(snap.fills), len(replay))
        try:
            for msg in replay:
                self._event(msg)
        finally:
            self._flush_held()
        if again:
            self.ask.send()

    def _on_results(self) -> None:
        for received in drain(self.results, 2000):
            cont = received.continuity
            if cont is not None and cont.kind == "epoch":
                log.info("enforcement restarted: re-sending %d pending commands",
                         len(self.engine.outbox))
                self.engine.outbox.resend_all(self.clock.now_ns())
            if isinstance(received.msg, CommandResult):
                out = self.engine.on_result(received.msg, self.clock.now_ns())
                if out.durable:
                    self.apply(out)

    def on_subscribed(self, prefixes: list[str]) -> None:
        """A subscription reached risk's PUB. One that takes commands (enforcement's SUB,
        (re)connected after risk or enforcement started) gets every pending command at once:
        ZeroMQ dropped what risk published before it arrived (the slow joiner), and the
        outbox's re-send would come only ~2 s later. A copy enforcement has already is
        answered from its journal by command id, never carried out twice."""
        if any(t.startswith(STATUS_PREFIX) or STATUS_PREFIX.startswith(t) for t in prefixes):
            # a watch screen joined: every account's status at the next tick (none is made
            # while nobody subscribes to them, _publish_status)
            self._status_dirty.update(self.engine.accounts)
        if not any(topics.COMMAND.startswith(t) for t in prefixes):
            return
        pending = len(self.engine.outbox)
        if pending:
            log.info("a subscriber of commands joined: re-sending %d pending commands", pending)
            self.engine.outbox.resend_all(self.clock.now_ns())
            self._send_due()

    # -- timers ----------------------------------------------------------------------------------
    @property
    def market_synced(self) -> bool:
        """Following market's stream from a snapshot that held the broker's state."""
        return self.clone.state == SYNCED and self.market_complete

    def _ask_first(self) -> None:
        """The first snapshot request: market's stream is heard (or FIRST_ASK_WAIT is up)."""
        self._first_ask_at = 0.0
        self.ask.send()

    def _tick(self) -> None:
        if self._first_ask_at and self.clock.monotonic() >= self._first_ask_at:
            self._ask_first()
        if self.resync_at and self.clock.monotonic() >= self.resync_at:
            self.resync_at = 0.0
            self._resync("incomplete" if not self.market_complete else "stale")
        self.ask.check()
        off = set(self.engine.off)
        now = self.clock.now_ns()
        out = self.engine.tick(now)
        self._ask_fresh()
        # a grace row's second moved: its status at the next round (services/risk/countdowns.py)
        self._status_dirty |= self.countdowns.moved(self.engine, now)
        self._check_unjudged(now)
        if out.durable or out.dirty:
            self.apply(out)
        else:
            self._send_due()
        for aid in sorted(set(self.engine.off) - off):   # a waiting disable the roll landed
            self.requests.off_alert(aid)
        self._say_restart_changes()

    def _resync(self, reason: str) -> None:
        """Ask market for a snapshot again, buffering its stream from now on, as after a gap."""
        if self.clone.lost(reason):
            self.ask.attempts = 0
            self.ask.send()

    def _ask_fresh(self) -> None:
        """Fills and a Position have disagreed past the window (Engine.read_after): risk asks
        market for a snapshot from a broker read begun after that (the request carries it,
        SnapshotRequest.read_after_ns) and reads those accounts by their fills until it
        lands (services/risk/state.py stale_since). Once per new such time; a snapshot from an
        older read asks again (on_snapshot: FRESH_RETRY)."""
        want = self.engine.read_after()
        if want > self.fresh_asked and not self.resync_at:
            self.fresh_asked = want
            log.warning("fills and the broker's position or balance have disagreed for %g s "
                        "(%s): asking market to read the broker again", WINDOW_NS / 1e9,
                        "; ".join(self.engine.stale_words(self.clock.now_ns())))
            self._resync("stale")

    def _say_restart_changes(self) -> None:
        """What the config changed while risk was down (`rules set --offline`, a hand edit),
        as a live edit says it: a tightening "in force now", a loosening "waits for the roll"
        (trial17a section 6: both reached no phone at the next start, only the audit row)."""
        restart_changes = getattr(self.settings, "restart_changes", None)
        if restart_changes is None:
            return
        live, fresh, gone = restart_changes()
        name_of = self.engine.account_name
        if live:
            self._notify("rules_in_force_now", "info", loosening.NOW_TITLE,
                         *loosening.now_lines_of(live, name_of, f" ({WHILE_DOWN})"))
        if not (fresh or gone):
            return
        now = self.clock.now_ns()
        roll = showtime.at(self.engine.calendar.next_roll(now),
                           showtime.zone_of(self.config), now)
        if fresh:
            lines, accounts = loosening.loosen_lines_of(fresh, name_of, roll)
            self._notify("rules_loosen_at_roll", "info", loosening.TITLE,
                         [f"{line} ({WHILE_DOWN})" for line in lines], accounts)
        if gone:        # a waiting loosening set back or replaced while riskd was stopped
            self._notify("rules_loosen_withdrawn", "info", loosening.DROPPED_TITLE,
                         *loosening.dropped_lines_of(gone, name_of, roll, f" ({WHILE_DOWN})"))

    def _publish_status(self) -> None:
        """The STATUS_EVERY tick: the accounts changed since the last round are published in
        slices of at most STATUS_SLICE_S, the loop reading the market between them; a round
        still under way takes the new ones at its end (at the next tick)."""
        if self._status_round:
            return
        dirty, self._status_dirty = self._status_dirty, set()
        readers = self.pub.read_by(STATUS_PREFIX)
        if not readers:
            return          # nobody watches (riskctl watch subscribes): none is made
        self._status_round = sorted((aid for aid in dirty
                                     if any(topics.status(aid).startswith(p) for p in readers)),
                                    reverse=True)
        self._status_slice()

    def _status_slice(self) -> None:
        """Publish statuses of the round until the slice's time is up; the rest after the
        market has been read (after(0): the next loop round). The scale bench found it: one
        round of 100 accounts' statuses in a storm held the loop ~50 ms while a fill waited
        (risk's lag p99 19 ms at 100 accounts, 850 ms at 500)."""
        end = self.clock.monotonic() + STATUS_SLICE_S
        now = self.clock.now_ns()
        while self._status_round:
            aid = self._status_round.pop()
            status = account_status(self.engine, aid, now)
            if status is not None:
                self.pub.publish(topics.status(aid), status)
            if self._status_round and self.clock.monotonic() >= end:
                self.after(0, self._status_slice)
                return

    def _check_unjudged(self, now: int) -> None:
        """Accounts whose positions are not judged (Engine.unjudged): their statuses when that
        begins or ends, an alert past 30 s and one when it ends (unjudgedalert.py)."""
        unsure = set(self.engine.unsure_since)
        self._status_dirty |= unsure ^ self._unjudged_seen
        self._unjudged_seen = unsure
        due = self.unjudged.due(self.engine, now, self.engine.zone)
        try:                # kept before it is said: a restart keeps the alert's promise
            self.store.save_doubt(self.engine)
        except sqlite3.Error:
            log.exception("risk could not save the positions in doubt")
        for kind, severity, title, lines, accounts in due:
            self._notify(kind, severity, title, lines, accounts)

    def _check_quiet(self) -> None:
        """Held prices gone stale or flowing again: one alert each way (quietfeed.py), and the
        statuses of the accounts holding them at once (their line on the watch screen)."""
        now = self.clock.now_ns()
        engine = self.engine
        # who holds it now: a position riskd's close was answered done for is no longer
        # held, its Position and fills still on the way (live_size; trial19b finding 3: the
        # sim stopped mid close, "No price for MNQ ... MNQ long 1" came 5 s after "✅ Done
        # ... MNQ closed", the book still showing the position the broker had closed)
        booked = [(aid, acct, p) for aid, acct in engine.accounts.items()
                  for p in acct.positions.values()]
        holdings = [Holding(aid, acct.name, p.contract_id, p.side_word, size)
                    for aid, acct, p in booked if (size := acct.live_size(p)) > 0]
        try:
            # market silent (stopped or down): its own alert says no prices or fills reach
            # risk; a stale-price alert saying "fills are still watched" would be untrue then
            # (trial16a finding 5), so no quote is due until market's stream is back
            fed = self.clock.monotonic() - self._market_heard < MARKET_SILENT_S
            notices = engine.quiet.check(now, holdings, engine.market.quoted_ns,
                                         engine.market.price, engine.account_name,
                                         whole=not engine.carried, fed=fed)
        except Exception:                  # an alert is never worth a crash
            log.exception("risk could not check the held prices")
            return
        try:                # kept before it is said: a restart keeps the alert's promise
            self.store.save_quiet(engine)
        except Exception:
            log.exception("risk could not save the held prices' silences")
        stale = engine.quiet.silent()
        changed, self._stale = stale ^ self._stale, stale
        self._status_dirty.update(aid for aid, _acct, p in booked if p.contract_id in changed)
        for n in notices:
            self._tell(n, logging.INFO if n.severity == "info" else logging.WARNING)

    def _tell(self, n, level: int = logging.WARNING) -> None:
        """A notice of risk's own to the phone (notify), and to the log."""
        self.pub.publish(NOTIFY_TOPIC, n)
        log.log(level, "%s", n.title, extra={"kind": "notify", "account": n.account_id})

    def _publish_all_status(self) -> None:
        self._status_dirty.update(self.engine.accounts)

    def _flush_marks(self) -> None:
        self.store.save_marks(self.engine)

    # -- outputs besides decisions ---------------------------------------------------------------
    def _notify(self, kind: str, severity: str, title: str, lines: list[str],
                line_accounts: Optional[list] = None) -> None:
        """line_accounts: the account each line is about, so a chat that sees only some
        accounts gets only their lines (docs/alerts.md)."""
        self.pub.publish(NOTIFY_TOPIC, NotifyEvent(kind=kind, severity=severity, title=title,
                                                   lines=lines, ts_ns=self.clock.now_ns(),
                                                   line_accounts=list(line_accounts or [])))

    def _daily_summary(self) -> None:
        """The day that just ended, per account, for the notify worker."""
        calendar = self.engine.calendar
        day = calendar.prev_trading_date(self.engine.day)
        ended = day.isoformat()
        # its breaches, actions and lockouts, from its history (trial24a F6: "0 breaches")
        tallies = tally(self.store.day_rows(calendar.start_of(day), calendar.end_of(day)))
        days = []
        for aid, acct in sorted(self.engine.accounts.items()):
            for when, realized, fees, trades in self.store.daily(aid):
                if when == ended:
                    t = tallies.get(aid) or DayTally()
                    # named as alerts name it (the broker's name for an account not configured)
                    days.append(AccountDay(account=account_name(self.config.accounts, aid,
                                                                acct.name),
                                           pnl=realized - fees, trades=trades, account_id=aid,
                                           breaches=sum(t.breaches.values()),
                                           rules=dict(t.breaches.most_common()),
                                           actions=dict(t.actions.most_common()),
                                           lockouts=t.lockouts))
        if days:
            self.pub.publish(NOTIFY_TOPIC, DailySummary(trading_day=ended, accounts=days))


def drain(sub: Subscriber, limit: int):
    """What is waiting on a subscriber, at most `limit` messages (then the loop's timers run);
    undecodable frames are counted by the subscriber and skipped."""
    for _ in range(limit):
        received = sub.recv()
        if received is None:
            if not sub.sock.poll(0):
                return
            continue
        yield received


def shard_index(n: int) -> int:
    """This process's shard from RISKD_RISK_SHARD (0 when unset); exit 78 if it is not one of n."""
    text = os.environ.get(shards.SHARD_ENV, "0")
    if not text.isdigit() or int(text) >= n:
        print(f"risk: {shards.SHARD_ENV}={text!r} is not a shard of [supervisor] risk_shards = "
              f"{n} (expected 0 to {n - 1})", file=sys.stderr)
        sys.exit(EXIT_CONFIG)
    return int(text)


def own_part(snap: MarketSnapshot, owns) -> MarketSnapshot:
    """The snapshot with only the accounts (and their positions, orders, trades) `owns` takes."""
    def kept(items):
        return [x for x in items if owns(x.account_id)]
    return attrs.evolve(snap, accounts=kept(snap.accounts), positions=kept(snap.positions),
                        orders=kept(snap.orders), fills=kept(snap.fills))


def holiday_files(config, config_path: str) -> dict[str, frozenset]:
    """session_block_outside holidays files named anywhere in the config, read once."""
    names = {p.rules.session_block_outside.holidays_file for p in config.profiles.values()}
    names |= {str(a.rules.get("session_block_outside", {}).get("holidays_file", ""))
              for a in config.accounts}
    out = {}
    for name in sorted(n for n in names if n):
        try:
            out[name] = frozenset(read_holidays_file(name, os.path.dirname(config_path)))
        except (OSError, ValueError) as exc:
            log.error("session_block_outside holidays_file %s cannot be read (%s): the "
                      "[trading_day] holidays are used instead", name, exc)
    return out
