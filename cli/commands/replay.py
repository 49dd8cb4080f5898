"""What riskd would have done on your own past trading days (read-only; needs no running riskd).

  riskctl replay [ACCOUNT...] [--from DATE] [--to DATE] [--set RULE.PARAM=VALUE]...
                 [--config FILE] [--compare FILE] [--html FILE] [--bars 1m|1s] [--refresh]
                 [--json]

Fetches the accounts' trades, orders and price bars from the broker (read endpoints only,
cached on disk: a second replay of the same days makes no broker call; a day without trades
is asked again every time, and --refresh asks again for every day), rebuilds the days in
time order and runs riskd's own rule engine over them. Per day: the PnL the broker booked,
the PnL with riskd guarding (its closes at that moment's price, the trades its lockouts would
have blocked removed), the first breach, the entries blocked and the exits dropped with
them; then totals and per-rule figures that add up to them. riskd's own closes on days it
guarded stay riskd's, never the trader's trades, as riskd's records in its data folder have
them; fills those records do not reach are said in the notes. Default: every configured
account, the last 20 trading days. Guide: docs/replay.md.
"""
from __future__ import annotations

import datetime as dt
import os
import sys

from cli import configfile
from cli.errors import EXIT_USAGE, CliError
from cli.replay import report as rep
from cli.replay.cache import Cache, broker_slug
from cli.replay.engine import build_engine, calendar_of
from cli.replay.fetch import FetchError, Fetcher
from cli.replay.model import BAR_UNITS
from cli.replay.overrides import OverrideError, check_sets
from cli.replay.progress import Progress
from cli.replay.leftout import left_out
from cli.replay.leftout import notes as left_out_notes
from cli.replay.runner import replay_account
from cli.replay.scope import scope_of, wrapped
from shared.accountname import called, labels, named
from shared.clock import SYSTEM_CLOCK
from shared.config import effective_rules
from shared.config.errors import ConfigError
from shared.config.load import load_config
from shared.projectx.errors import ProjectXError
from shared.projectx.ratebudget import RateBudget
from shared.projectx.rest import ProjectXRest
from shared.plural import plural

NAME = "replay"
READ = True
DEFAULT_DAYS = 20


def add_arguments(parser) -> None:
    parser.add_argument("accounts", nargs="*", metavar="ACCOUNT",
                        help="account id, name or display name (default: every configured one)")
    parser.add_argument("--account", dest="account_options", action="append", default=[],
                        metavar="ACCOUNT", help="the same as ACCOUNT (repeatable)")
    parser.add_argument("--from", dest="start", metavar="DATE",
                        help="first trading day, YYYY-MM-DD (default: 20 trading days back)")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help="last trading day, YYYY-MM-DD (default: the last one that ended)")
    parser.add_argument("--config", dest="replay_config", metavar="FILE",
                        help="replay under this config (default: the one riskd runs)")
    parser.add_argument("--set", dest="sets", action="append", default=[],
                        metavar="RULE.PARAM=VALUE", help="try a rule change (repeatable)")
    parser.add_argument("--compare", metavar="FILE",
                        help="also replay under this config and show both side by side")
    parser.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    parser.add_argument("--bars", choices=sorted(BAR_UNITS), default="1m",
                        help="bar size for prices (default 1m: a breach a bar's price sets off "
                             "is timed by its bar, marked *; 1s where the broker has them)")
    parser.add_argument("--decisions", action="store_true", help="list every decision")
    parser.add_argument("--cache", metavar="DIR",
                        help="cache folder (default: <data_dir>/replay/<broker>)")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the broker again for every day, not the cache, and rewrite "
                             "the cache (docs/replay.md, Data, fetched once)")


def usage(message: str) -> CliError:
    return CliError(message, EXIT_USAGE)


def parse_day(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise usage(f"{flag}: expected a date like 2026-11-03, got {text!r}") from None


def load(path: str):
    try:
        return load_config(path)
    except ConfigError as exc:
        raise CliError(exc.render()) from None


def trading_days(calendar, start: dt.date | None, end: dt.date | None, now_ns: int
                 ) -> list[dt.date]:
    """The trading days of the range; default: the last 20 that have ended."""
    if end is None:
        end = calendar.prev_trading_date(calendar.trading_day(now_ns))
    elif not calendar.is_trading_date(end):
        end = calendar.prev_trading_date(end)
    days: list[dt.date] = []
    day = end
    while True:
        if start is None and len(days) == DEFAULT_DAYS:
            break
        if start is not None and day < start:
            break
        days.append(day)
        day = calendar.prev_trading_date(day)
    return sorted(days)


def running_left_out(calendar, now_ns: int) -> str:
    """What a range without --to leaves out, said where it matters (an error finding nothing):
    the trading day still running, and how to include it (trial 20a: "no trades from
    2026-11-09 to 2026-12-04" on a day whose trades were all today's)."""
    today = calendar.trading_day(now_ns)
    if not calendar.is_trading_date(today):
        return ""
    return (f"; without --to the range ends with the last trading day that ended, leaving out "
            f"the one still running, {today}: --from {today} --to {today} replays it up to now")


def pick_accounts(wanted: list[str], config, broker_accounts) -> list:
    """The broker accounts to replay (one-line error naming what exists, as every screen names
    an account: trial16c saw "SIM-DEMO-1 (id 1001)" where screens say "Ana main (id 1001)")."""
    known = {a.account_id: a for a in broker_accounts}
    name_of = namer(config)
    if not wanted:
        listed = [a.id for a in config.accounts if a.enabled]
        chosen = [known[i] for i in listed if i in known] if listed else list(known.values())
        if not chosen:
            raise usage("no configured account is known to the broker; expected one of: "
                        + ", ".join(name_of(a.account_id, a.name) for a in broker_accounts))
        return chosen
    chosen = []
    for ref in wanted:
        cfg = next((a for a in config.accounts if ref in (str(a.id), a.name, a.display_name)),
                   None)
        match = [a for a in broker_accounts if ref in (str(a.account_id), a.name)
                 or (cfg is not None and a.account_id == cfg.id)]
        if not match:
            raise usage(f"unknown account {ref!r}; expected an id, name or display name of: "
                        + ", ".join(name_of(a.account_id, a.name) for a in broker_accounts))
        chosen.append(match[0])
    return chosen


def client_for(broker) -> ProjectXRest:
    rest_url = broker.endpoints()[0]
    return ProjectXRest(rest_url, broker.user_name, broker.api_key, timeout=broker.timeout,
                        budget=RateBudget(broker.rate_limit, broker.rate_window),
                        budget_wait=broker.rate_window * 2)


def run(args, ctx, *, client=None, clock=SYSTEM_CLOCK, sleep=None) -> int:
    loaded = load(args.replay_config or ctx.config_path)
    other = load(args.compare) if args.compare else None
    try:
        sets = check_sets(args.sets, [effective_rules(loaded.config, acct) for acct in
                                      loaded.config.accounts or [0]])
    except OverrideError as exc:
        raise usage(str(exc)) from None
    start = parse_day(args.start, "--from") if args.start else None
    end = parse_day(args.end, "--to") if args.end else None
    if start and end and start > end:
        raise usage(f"--from {start} is after --to {end}: expected --from <= --to")
    calendar = calendar_of(loaded)
    days = trading_days(calendar, start, end, clock.now_ns())
    left_out_today = "" if end is not None else running_left_out(calendar, clock.now_ns())
    if not days:
        raise usage(f"no trading day between {start} and "
                    f"{end or calendar.prev_trading_date(calendar.trading_day(clock.now_ns()))}"
                    f": expected a range holding at least one trading day{left_out_today}")
    broker = loaded.config.broker
    wanted = list(args.accounts) + list(getattr(args, "account_options", []))
    root = args.cache or os.path.join(loaded.data_dir, "replay",
                                      broker_slug(broker.endpoints()[0], broker.user_name))
    progress = Progress(None if ctx.json else sys.stderr)
    own_client = client is None
    client = client or client_for(broker)
    fetcher = Fetcher(client, Cache(root), calendar, unit=args.bars, clock=clock,
                      progress=progress, refresh=args.refresh,
                      **({"sleep": sleep} if sleep else {}))
    try:
        try:
            accounts = pick_accounts(wanted, loaded.config, fetcher.accounts())
        except CliError:        # the cached list may predate the account: ask the broker once
            accounts = pick_accounts(wanted, loaded.config, fetcher.accounts(True))
        histories = [fetcher.history(a, days) for a in accounts]
    except FetchError as exc:
        progress.finish()
        raise CliError(str(exc) + ("; retried: " + "; ".join(fetcher.retried)
                                   if fetcher.retried else "")) from None
    except ProjectXError as exc:
        progress.finish()
        raise CliError(f"the broker refused {exc.endpoint}: {exc.message or exc.code}") from None
    finally:
        if own_client:
            client.close()
    progress.finish()
    if not any(h.fills for h in histories):
        # asked of the broker now, never read from the cache: a day without trades is not
        # kept (cli/replay/fetch.py, Fetcher._day)
        raise usage(f"the broker reports no trades from {days[0]} to {days[-1]} on "
                    + ", ".join(namer(loaded.config)(h.account_id, h.name) for h in histories)
                    + ": expected a range with trades (--from/--to, or other accounts)"
                    + left_out_today)
    label = os.path.basename(loaded.path) + (" " + " ".join(args.sets) if args.sets else "")
    name_of = namer(loaded.config)
    records = riskd_records(ctx.config_path, histories)
    # the display zone, as on every other screen (docs/operations.md, Times and time zones):
    # trial 2026-12-06, with notify.timezone America/New_York every screen showed EST and
    # replay "first breach Mon 09:55:20 CST" (the trading day's zone); the notes too (trial
    # 20b: "09:09:02Z" beside a table in CST)
    tz = configfile.display_zone(ctx.config_path)
    base = replay_all(loaded, sets, histories, days, label, fetcher.retried, name_of, records,
                      tz)
    # what it can and cannot show: the running day, the config as it is now (scope.py)
    base.scope = scope_of(loaded.path, calendar, days, clock.now_ns(), loaded.changed_ns)
    base.notes = fetcher.notes + [f"{name_of(aid, name)}: {n}"
                                  for aid, name, n in fetcher.account_notes] + \
        [f"{base.account_name(r)}: {n}" for r in base.accounts for n in r.notes]
    # accounts riskd guards that the config does not list: said, never left out silently
    # (the broker's list as the histories last read it: asked again for a running day)
    missed = left_out(loaded.config, fetcher.accounts(), accounts, wanted)
    base.notes += left_out_notes(missed, accounts, name_of)
    second = replay_all(other, {}, histories, days, os.path.basename(other.path),
                        [], name_of, records, tz) if other else None
    if second is not None:
        second.scope = scope_of(other.path, calendar, days, clock.now_ns(), other.changed_ns)
    if args.html:
        from cli.replay.html import render_html
        try:
            with open(args.html, "w", encoding="utf-8") as fh:
                fh.write(render_html(base, tz))
        except OSError as exc:
            raise CliError(f"cannot write {args.html}: {exc.strerror}") from None
    if ctx.json:
        doc = rep.to_json(base, tz)
        doc["broker_calls"] = fetcher.calls
        doc["left_out"] = [{"account_id": a.account_id, "account": name_of(a.account_id, a.name)}
                           for a in missed]
        if second is not None:
            doc = {"base": doc, "compare": rep.to_json(second, tz)}
        ctx.print_json(doc)
        return 0
    print(rep.render(base, tz, decisions=args.decisions))
    if second is not None:
        print()
        print(rep.compare_table(base, second))
    if sys.stdout.isatty():
        from cli.replay.chart import show
        print()
        show(rep.equity_curve(base), sys.stdout, day_of=base.day_of)
    print("\n" + "\n".join(wrapped(rep.range_lines(base, tz)))
          + f"\n{plural(fetcher.calls, 'broker call')}"
          + (f"; wrote {args.html}" if args.html else ""))
    return 0


def namer(config):
    """(account_id, broker's name) -> "Demo 1 (1001)": the config's label with the id, as every
    screen names an account (cli/accountnames.py asks a running riskd for the same labels; a
    replay needs no riskd, so it reads them from the config it replays under)."""
    names = labels(config.accounts)
    return lambda account_id, broker_name: called(named(names, account_id, broker_name),
                                                     account_id)


def riskd_records(config_path: str, histories) -> dict:
    """riskd's own records of the replayed fills (cli/replay/riskdrecords.py), read from the
    data folder of the config riskd runs (not --config's: that one is only replayed)."""
    from cli.replay.riskdrecords import read_records
    spans = {h.account_id: (h.fills[0].ts_ns, h.fills[-1].ts_ns) for h in histories
             if h.fills}
    return read_records(config_path, spans)


def replay_all(loaded, sets, histories, days, label, retried, name_of=None,
               records=None, tz=None) -> rep.Report:
    records = records or {}
    replays = [replay_account(build_engine(loaded, sets, tz), h, records.get(h.account_id))
               for h in histories]
    return rep.build(label, replays, calendar_of(loaded).trading_day, days, retried,
                     name_of or namer(loaded.config))
