"""A held contract's price gone stale, said to the phone once, and once when prices flow again.

A fresh-user trial (2026-12-06): the sim's quotes silenced with a position held; `riskctl
status` said "guarded now", no phone alert came, and a price past the loss line was acted on
only when a stale-feed reconnect happened to bring a quote (up to 4 minutes apart with the
backoff). The price rules judge the last price risk has; a price the broker stops sending
cannot be judged.

QuietFeed.check (pure: every call carries risk's `now`), about once a second, looks at each
contract an account holds: stale means no quote for the stale-feed wait while the market is
open (shared/quietprice.py: the one decision, as market's stale-feed watch makes it). A gap of
that wait between two quotes counts too, when the checks fell between: market reconnects a
stale feed after the same wait, and the reconnect often brings a quote within the second
(with the sim's quotes silenced and its prices walking on, every ~16 s). The silence lasts
until quotes have kept coming for the wait; the screens say it meanwhile (silent_since:
risk's status, PositionView.price_stale_since). It returns the alerts due:

- "🟠 No price for MNQ for 15s: riskd judges the last price" (warning) when a held contract's
  price goes stale, one line per account holding it ("Demo 1 (id 1001): MNQ long 1: open PnL
  as of 20660.00; price rules run on that price"). Contracts gone stale in the same check are
  one alert; an account that opens a position in a contract already stale gets its own.
- "🟢 MNQ: prices flowing again after 1m42s without steady prices" (info) to the accounts
  told, once quotes have kept coming for the stale-feed wait: a lone quote (a reconnect's)
  followed by silence again is no news, neither alert is sent again for it. The 1m42s is
  quietprice.silence_s, as the screens count it (from the last quote before the silence to
  the first quote of the flow): while prices flow again the screens say "no steady prices
  for 1m42s, quotes again for 8s" (flowing_since), and the alert that follows says 1m42s too.
  An account told that holds no position in it any more reads "no position held in it now".
- "🟢 MNQ: no position held in it now, after 22s without steady prices" (info) to the accounts
  told, at the first check that finds no account holding it: the alert pair is closed all the
  same. riskd gets quotes only of contracts held or with working orders (market unsubscribes
  the others), so it could not tell that prices flow again. Fresh-user trial 2026-12-06: the
  quote that ended the silence closed the position (a rule acted), and the promised "prices
  flowing again" never came: the phone's last word on MNQ stayed "No price".

A closed market raises nothing: no quote is due (an alerted silence is carried over the close
and ends when quotes flow after the open, or when no account holds the contract any more).
Nor does market's worker stopped or down (nothing from it reaches risk, its heartbeats
included): its own alert says the accounts are not guarded ("⛔ Worker market stopped by
...", or the crash's), and this alert's "fills are still watched" would be untrue then (trial16a finding 5: it came during
`riskctl stop market`). The wait starts again when market's stream is back: at the first check
that hears market again, and at the first message of a new market (market_back: its new epoch
on the bus, so a market killed and restarted by the supervisor within risk's 2.5 s of silence
counts too), both on risk's clock. The last quote before a close, a stop or a restart begins no
silence with the first quote after it: the gap between two quotes counts from the open at the
earliest (round 16: "No price for MNQ for 15s" 1 s after `riskctl start market`: the first
check after market was back kept the quote from before the stop, and the new market's first
quote, a check later, made a gap of the whole stop).

The alerted silences survive a restart of risk or of riskd, kill -9 included (to_json /
load_json: risk's store writes them before the alert is published, services/risk/store.py):
the "No price" alert promises one more, and a new risk keeps that promise (trial13a: a
restart during the silence forgot it, and the 🟢 alert never came). Until risk's book holds
the broker's positions again (market's complete snapshot: `whole`), no contract is taken as
no longer held: a fresh risk's empty book would end every silence with "no position held".
"""
from __future__ import annotations

import json
from typing import Callable, Iterable, NamedTuple, Optional

import attrs

from shared import quietprice
from shared.accountname import called
from shared.clock import NS_PER_S
from shared.messages.notify import NotifyEvent
from shared.showprice import fmt_price
from shared.symbols import ticker_of
from shared.when import duration

DOC = "docs/operations.md, A quiet quote feed"
NOT_HELD = "no position held in it now"


class Holding(NamedTuple):
    """One account's position in a contract (name: the broker's; the alert's: name_of)."""
    account_id: int
    name: str
    contract_id: str
    side: str            # long | short
    size: int


@attrs.define
class _Silence:
    since_ns: int                                  # the last quote before it (risk's clock)
    told: dict = attrs.Factory(dict)               # account id -> its name, alerted
    flowing_ns: Optional[int] = None               # quotes again since (told after the wait)


class QuietFeed:
    def __init__(self, after_s: float = quietprice.STALE_AFTER_S,
                 market_open: Callable[[int], bool] = quietprice.always_open):
        self.after_s = after_s
        self.market_open = market_open
        self._silent: dict[str, _Silence] = {}     # contract id -> its silence
        self._seen: dict[str, Optional[int]] = {}  # held contract -> its quote at the last check
        self._closed = False                       # the last check found the market closed
        self._open_ns = 0                          # ... and the first since, the open: no quote
                                                   # was due before it

    def market_back(self, now_ns: int) -> None:
        """A new market's stream reaches risk (its first message, now_ns on risk's clock): no
        quote was due before it, the wait counts from here."""
        self._open_ns = max(self._open_ns, now_ns)

    def stale_for(self, quoted_ns: Optional[int], now_ns: int) -> Optional[float]:
        """Seconds without a quote when the price is stale, else None (shared/quietprice.py)."""
        return quietprice.stale_for(quoted_ns, now_ns, self.after_s, self.market_open)

    def silent_since(self, contract_id: str, now_ns: int) -> Optional[int]:
        """When the silence of a held contract began (risk's clock at its last quote before it)
        while prices do not flow again and the market is open, else None: what the screens say
        (a lone quote inside it, a stale-feed reconnect's, does not end it)."""
        silence = self._silent.get(contract_id)
        if silence is None or not self.market_open(now_ns):
            return None
        return silence.since_ns

    def flowing_since(self, contract_id: str, now_ns: int) -> Optional[int]:
        """When quotes began to flow again in a silence of a held contract (the first quote of
        that flow, risk's clock at the check that saw it), while the stale-feed wait has not
        yet passed to call them steady; None otherwise (the screens: 'quotes again for 8s')."""
        silence = self._silent.get(contract_id)
        if silence is None or not self.market_open(now_ns):
            return None
        return silence.flowing_ns

    def silent(self) -> frozenset:
        """The contracts in a silence (told, and not yet that prices flow again)."""
        return frozenset(self._silent)

    def to_json(self) -> str:
        """The silences alerted (what a restart must keep: the promise of one more alert)."""
        return json.dumps({cid: {"since_ns": s.since_ns, "flowing_ns": s.flowing_ns,
                                 "told": {str(aid): name for aid, name in s.told.items()}}
                           for cid, s in sorted(self._silent.items())}, sort_keys=True)

    def load_json(self, body: str) -> None:
        """The silences a previous risk alerted (to_json), kept until prices flow again or
        no account holds the contract; a record that cannot be read is left out."""
        try:
            saved = json.loads(body or "{}")
            for cid, s in saved.items():
                self._silent[cid] = _Silence(
                    since_ns=int(s["since_ns"]),
                    told={int(aid): name for aid, name in s.get("told", {}).items()},
                    flowing_ns=None)        # a new run of quotes is counted from its start
        except (ValueError, TypeError, KeyError, AttributeError):
            return

    def check(self, now_ns: int, holdings: Iterable[Holding], quoted_ns: dict,
              price_of: Callable[[str], object],
              name_of: Callable[[int, str], str] = lambda aid, name: called(name, aid),
              whole: bool = True, fed: bool = True) -> list[NotifyEvent]:
        """The alerts due at now_ns. name_of(account id, Holding.name): how alerts name an
        account ('Demo 1 (id 1001)': shared/accountname.called, the engine's account_name),
        asked only for the accounts an alert names (every second for every account was
        O(accounts^2): the names are looked up in the config's account list). whole: risk's
        book holds every position the broker has (False after a restart until market's
        complete snapshot: a contract missing from it may still be held). fed: market's
        stream reaches risk (False while market is stopped or down: no quote is due, as while
        the market is closed, and the wait starts again when it is back; the worker's own
        alert says the accounts are not guarded meanwhile)."""
        held: dict[str, list[Holding]] = {}
        for h in holdings:
            held.setdefault(h.contract_id, []).append(h)
        out = []
        # nobody holds it: the accounts told hear that the silence is over for them
        gone = [(cid, quietprice.silence_s(s.since_ns, now_ns, s.flowing_ns), s.told)
                for cid, s in sorted(self._silent.items()) if cid not in held and whole]
        for cid, _s, _t in gone:
            del self._silent[cid]
        if gone:
            out.append(not_held_alert(gone, now_ns))
        for cid in [c for c in self._seen if c not in held]:
            del self._seen[cid]
        if not fed or not self.market_open(now_ns):
            self._seen.clear()                     # a silence over the close is no news
            self._closed = True
            return out                             # no quote is due: nothing starts or ends
        if self._closed:
            self._closed, self._open_ns = False, now_ns
        started: list[tuple[str, float, list[Holding]]] = []
        back: list[tuple[str, float, dict]] = []
        for cid, holders in sorted(held.items()):
            quoted = quoted_ns.get(cid)
            before, self._seen[cid] = self._seen.get(cid), quoted
            silent = self.stale_for(None if quoted is None else max(quoted, self._open_ns),
                                    now_ns)
            after = None                           # the quote that ended a silence, if one did
            gap = None if quoted is None or before is None \
                else (quoted - max(before, self._open_ns)) / NS_PER_S
            if silent is None and gap is not None and gap >= self.after_s:
                # a silence the checks fell between: a stale-feed reconnect brought a quote
                # within a second of the wait (market reconnects after the same wait); counted
                # from the open at the earliest (a close, market stopped or restarted)
                silent, after = gap, quoted
            silence = self._silent.get(cid)
            if silent is not None:
                if silence is None:
                    since = before if after is not None else quoted
                    silence = self._silent[cid] = _Silence(since_ns=since)
                silence.flowing_ns = after         # a lone quote is no news: count again
                new = [h._replace(name=name_of(h.account_id, h.name)) for h in holders
                       if h.account_id not in silence.told]
                if new:
                    silence.told.update((h.account_id, h.name) for h in new)
                    started.append((cid, silent, new))
            elif silence is not None and quoted is not None and quoted > silence.since_ns \
                    and quoted >= self._open_ns:
                # (a quote from before market's restart or the open is no flow: trial25c F3,
                # market killed with the broker stopped, its restart made the last quote, 31 s
                # old, "prices flowing again" 5 s after the NOT GUARDED alerts)
                paused = before is not None and quoted != before \
                    and (quoted - before) / NS_PER_S >= quietprice.FLOW_GAP_S
                if silence.flowing_ns is None or paused:
                    # the first quote of a run (a quote after a pause starts a new one: a
                    # reconnect's lone quote is not where prices began to flow again)
                    silence.flowing_ns = quoted
                elif (quoted - silence.flowing_ns) / NS_PER_S >= self.after_s:
                    # quotes have kept coming for the wait (not: the wait has passed since
                    # one quote)
                    del self._silent[cid]
                    back.append((cid, quietprice.silence_s(silence.since_ns, now_ns,
                                                           silence.flowing_ns),
                                 silence.told, {h.account_id for h in holders}))
        if started:
            out.append(stale_alert(started, price_of, now_ns))
        if back:
            out.append(flowing_alert(back, now_ns))
        return out


def _tickers(cids: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(ticker_of(c) for c in cids))


def stale_alert(started, price_of, now_ns: int) -> NotifyEvent:
    """started: (contract id, seconds without a quote, the holdings to tell), per contract."""
    longest = max(s for _c, s, _h in started)
    lines: list[str] = []
    line_accounts: list[Optional[int]] = []
    for cid, _silent, holders in started:
        for h in holders:
            lines.append(f"{h.name}: {ticker_of(cid)} {h.side} {h.size}: "
                         f"open PnL as of {fmt_price(price_of(cid))}; price rules run on that "
                         f"price")
            line_accounts.append(h.account_id)
    lines.append("fills are still watched; a loss past a line is seen at the next quote; check "
                 f"the firm's platform. One more alert when prices flow again, or once no "
                 f"account holds a position in it ({DOC})")
    line_accounts.append(None)
    return _event("prices_stale", "warning",
                  f"🟠 No price for {_tickers(c for c, _s, _h in started)} for "
                  f"{duration(longest)}: riskd judges the last price",
                  lines, line_accounts, now_ns)


def flowing_alert(back, now_ns: int) -> NotifyEvent:
    """back: (contract id, seconds it was without a quote, {account id: name} told, the ids of
    the accounts holding it now), per contract."""
    longest = max(s for _c, s, _t, _h in back)
    lines: list[str] = []
    line_accounts: list[Optional[int]] = []
    for cid, _silent, told, holding in back:
        for aid, name in sorted(told.items()):
            lines.append(f"{name}: {ticker_of(cid)}: " + (
                "price rules judge live prices again" if aid in holding else NOT_HELD))
            line_accounts.append(aid)
    return _event("prices_flowing", "info",
                  f"🟢 {_tickers(c for c, _s, _t, _h in back)}: prices flowing again after "
                  f"{duration(longest)} without steady prices",
                  lines, line_accounts, now_ns)


def not_held_alert(gone, now_ns: int) -> NotifyEvent:
    """gone: (contract id, seconds without steady prices so far, {account id: name} told), per
    contract no account holds any more: the end of the silence for the accounts told."""
    longest = max(s for _c, s, _t in gone)
    lines: list[str] = []
    line_accounts: list[Optional[int]] = []
    for cid, _silent, told in gone:
        for aid, name in sorted(told.items()):
            lines.append(f"{name}: {ticker_of(cid)}: {NOT_HELD}: no price rule waits on its "
                         f"price")
            line_accounts.append(aid)
    tickers = _tickers(c for c, _s, _t in gone)
    lines.append(f"riskd gets quotes only of contracts held or with working orders: the last "
                 f"alert of this silence ({DOC})")
    line_accounts.append(None)
    held = NOT_HELD if len(gone) == 1 else NOT_HELD.replace(" it ", " them ")
    return _event("prices_flowing", "info",
                  f"🟢 {tickers}: {held}, after {duration(longest)} without steady prices",
                  lines, line_accounts, now_ns)


def _event(kind: str, severity: str, title: str, lines: list[str],
           line_accounts: list[Optional[int]], now_ns: int) -> NotifyEvent:
    """The alert, addressed to its one account when every line is of the same one."""
    accounts = {a for a in line_accounts if a is not None}
    return NotifyEvent(kind=kind, severity=severity, title=title, lines=lines,
                       line_accounts=line_accounts, ts_ns=now_ns,
                       account_id=next(iter(accounts)) if len(accounts) == 1 else None)
