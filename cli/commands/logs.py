"""Read the logs: the last lines of system.log, filtered, and with -f follow them live.

  riskctl logs [-n N] [--since TIME] [--level L] [--process P] [--account A] [--grep TEXT]
               [-f] [--json]

History comes from the log files in the log dir (system.log and its rotated files), or, for
a user who may not read them (a standard user on Windows, whose riskctl config holds only
the bus addresses: docs/windows.md), from the logging worker; -f then follows the logging
worker's live tail (its PUB socket, topics log.<level>.<proc>) until Ctrl-C. Only this
riskd's are shown: its id comes with its supervisor's answer, and the records (and answers)
of another riskd on the same ports are left out and said once. --level is a minimum (WARNING
shows warnings, errors and criticals). --since reads a time as `riskctl history --since`
does (2h, 09:30 in the display zone, 22:01:10Z in UTC as the records show times, an ISO time
with its offset) and shows the records from then on, at most SINCE_N (or -n N) of the
latest. --json prints one JSON object per line, exactly as stored.
"""
from __future__ import annotations

import json
import os
import sys
import time
from types import SimpleNamespace

import zmq

from cli import configfile, runningriskd, whichriskd
from cli.accountnames import account_wanted, unknown_id
from cli.context import listening
from cli.errors import CliError
from cli.watch.source import read_tables
from services.logsink.history import Filter, history, log_files
from shared import codec, shards, topics
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.config import ConfigError, load_config
from shared.config.sections import WORKER_NAMES, BusConfig
from shared.messages.control import ControlRequest
from shared.messages.system import Ping, Pong, Reply
from shared.messages.logs import (LogHistory, LogHistoryRequest, LogRecord, iso_utc,
                                  line_fields, shown_utc)

NAME = "logs"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SILENCE_WARN_S = 5.0
CORE = ("time", "level", "process", "pid", "logger", "message", "exc")
PROCESSES = ("supervisor",) + WORKER_NAMES     # what writes riskd's logs (a shard: risk-N)
DEFAULT_N = 50
SINCE_N = 1000          # with --since and no -n: the records since then, up to this many


def add_arguments(parser) -> None:
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new records")
    parser.add_argument("-n", type=int, default=None, metavar="N",
                        help=f"how many past records to show first (default {DEFAULT_N}; "
                             f"with --since, every one since then up to {SINCE_N})")
    parser.add_argument("--since", metavar="TIME",
                        help="only records from then on: 2h; 09:30 or 09:30:15, read in the "
                             "display zone ([notify] timezone, else [trading_day] timezone: "
                             "the zone of riskctl status); 22:01:10Z in UTC, as the records "
                             "show times (a time later than now is yesterday's, and said so); "
                             "or an ISO time with its offset, as for riskctl history "
                             "(docs/operations.md, Times and time zones)")
    parser.add_argument("--level", type=str.upper, choices=LEVELS, help="minimum level")
    parser.add_argument("--process", help="only this process (risk, market, supervisor ...; "
                        "risk: every risk shard, risk-1: one, docs/scaling.md)")
    parser.add_argument("--account", metavar="A",
                        help="only records about this account (its id, name or display name, "
                             "as elsewhere: 1002, SIM-DEMO-2 or \"Demo 2 (strict)\")")
    parser.add_argument("--grep", metavar="TEXT", help="only records containing TEXT "
                                                       "(case-insensitive)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def format_line(rec: dict) -> str:
    """2026-11-25 10:57:26.123Z WARNING risk[4242] services.risk.app: message  key=value ...
    (times in UTC, marked Z: docs/operations.md (Times and time zones))"""
    when = shown_utc(rec.get("time", ""))
    extras = " ".join(f"{k}={v}" for k, v in rec.items() if k not in CORE)
    line = (f"{when} {rec.get('level', '?'):<7} {rec.get('process', '?')}[{rec.get('pid', '?')}] "
            f"{rec.get('logger', '')}: {rec.get('message', '')}")
    if extras:
        line += f"  {extras}"
    if rec.get("exc"):
        line += "\n" + str(rec["exc"])
    return line


def emit(rec: dict, as_json: bool) -> None:
    sys.stdout.write((json.dumps(rec, ensure_ascii=False) if as_json else format_line(rec)) + "\n")
    sys.stdout.flush()


def tolerate_legacy_code_pages() -> None:
    """Print '?' for what stdout's encoding cannot hold instead of failing: on Windows a console
    or a `riskctl logs > file` redirect uses the ANSI/OEM code page (cp1252, cp850), which has
    no place for many characters a log line may carry (names, symbols, other scripts)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


def read_config(config_path: str):
    """The config for the log location and the bus; a file riskd refused (a TOML error, a
    typo) is read leniently, since riskd runs on its last good config and the logs are
    needed most then."""
    try:
        return load_config(config_path)
    except ConfigError:
        bus, _calendar = read_tables(config_path)
        _data_dir, log_dir = configfile.folders(config_path)
        return SimpleNamespace(log_dir=log_dir, config=SimpleNamespace(bus=bus))


def run(args, ctx) -> int:
    tolerate_legacy_code_pages()
    loaded = read_config(ctx.config_path)
    unknown = ""
    if args.process and shards.base_name(args.process) not in PROCESSES:
        unknown = (f"no riskd process is named {args.process!r}: one of "
                   f"{', '.join(PROCESSES)} (with risk shards also risk-0, risk-1, ...: "
                   f"docs/scaling.md)")
    since = since_of(args.since, ctx.config_path, args.json) if args.since else None
    n = args.n if args.n is not None else (SINCE_N if since else DEFAULT_N)
    flt = Filter(args.level, args.process, account_wanted(ctx, args.account), args.grep, since)
    own, running = own_riskd(loaded, ctx.config_path)
    bus = running or loaded.config.bus      # the running riskd's, not an edit's (runningriskd)
    sub = _subscribe(bus.logging_pub) if args.follow else None
    try:
        past, where = _past(loaded, flt, n, own, bus)
        if since and args.n is None and len(past) >= n:
            print(f"the last {n} records since {args.since.strip()}: -n N shows more",
                  file=sys.stderr)
        if unknown and not past:
            if not args.follow:
                raise CliError(unknown)
            print(f"{unknown}; following records of that name, if any", file=sys.stderr)
        if args.account and not past:
            refused = unknown_id(ctx, args.account)
            # risk cannot say (riskd stopped): an account only the broker has may still have
            # records, so the id is refused only when no record at all names it
            if refused is not None and (refused[1] or not _past(
                    loaded, Filter(None, None, flt.account, None), 1, own)[0]):
                if not args.follow:
                    raise CliError(refused[0])
                print(f"{refused[0]}; following records of that id, if any", file=sys.stderr)
        if not past and not args.follow and where is None:
            print(f"no logs yet in {loaded.log_dir}", file=sys.stderr)
        for rec in past:
            emit(rec, args.json)
        if sub is not None:
            follow(sub, flt, args.json, bus.logging_pub,
                   after=past[-1]["time"] if past else "", instance=own)
    finally:
        if sub is not None:
            sub.close(0)
    return 0


def since_of(text: str, config_path: str, as_json: bool = False) -> str:
    """--since as a stored record's "time" (UTC, iso_utc), read as `riskctl history --since`
    reads it (a clock time later than now is yesterday's, said first: the output's first line,
    as history says it; on stderr with --json, so that stdout stays records only). Trial16a
    finding 7: `riskctl logs --since 20:36:25` was refused as an unknown argument. Trial23b
    section 7: the note on stderr alone was not seen beside the day's records on stdout."""
    from cli.commands._risk_view import parse_when
    from cli.commands.history import since_note
    zone = configfile.display_zone(config_path)
    now_ns = time.time_ns()
    since_ns = parse_when(text, now_ns, future=False, tz=zone)
    note = since_note(text, since_ns, now_ns, zone)
    if note:
        print(f"riskctl logs: {note}", file=sys.stderr if as_json else sys.stdout, flush=True)
    return iso_utc(since_ns)


def own_riskd(loaded, config_path: str) -> tuple[bytes | None, BusConfig | None]:
    """(This riskd's instance id, the [bus] it runs: cli/runningriskd.py), as its supervisor's
    answer on the control socket carries them
    (the supervisor holds that socket for riskd's whole life): the logging worker's answers
    and records must carry it too. None when no supervisor answers (riskd is not running, or
    only its supervisor is gone): then whoever answers is read, as before. A supervisor of
    another config's riskd is warned of first, as every read command does (cli/whichriskd.py)."""
    address = loaded.config.bus.control
    if not listening(address):
        return None, None
    try:
        with RpcClient(address, "riskd", timeout=1.0, retries=0, name="riskctl") as client:
            reply = client.call(ControlRequest(command=Ping()))
            bus = None
            if isinstance(reply, Reply) and reply.ok and isinstance(reply.body, Pong):
                whichriskd.judge(whichriskd.compare(config_path, address, reply.body.config_path,
                                                    reply.body.data_dir), Ping(), False)
                bus = runningriskd.bus_of(reply.body)
            return client.answered_by, bus
    except RpcTimeout:
        return None, None


def foreign_said(foreign: codec.ForeignFrame) -> str:
    """riskctl logs -f's line for another riskd's records on this riskd's logging port."""
    who = (f"riskd instance {foreign.instance.decode('utf-8', 'replace')}" if foreign.instance
           else "a sender with no riskd instance id")
    return (f"records from another riskd on this machine were not shown ({foreign.publisher} "
            f"of {who}): it holds a port of this riskd's; give every riskd its own ports "
            f"(docs/operations.md, \"Two riskd on one machine\")")


def _past(loaded, flt: Filter, n: int, own: bytes | None = None,
          bus: BusConfig | None = None) -> tuple[list[dict], str | None]:
    """The history and where it came from: the files when this user may read them, else the
    logging worker (None: no logs anywhere yet; another riskd's logging worker on its port
    is an error, never its lines: `own`, this riskd's id)."""
    try:
        if os.path.isdir(loaded.log_dir) and log_files(loaded.log_dir):
            return history(loaded.log_dir, flt, n), loaded.log_dir
    except PermissionError:
        pass                  # Windows: the log folder is for administrators only
    address = (bus or loaded.config.bus).control_of("logging")
    request = LogHistoryRequest(n=n, level=flt.level, process=flt.process, account=flt.account,
                                grep=flt.grep, since=flt.since)
    try:
        with RpcClient(address, "logging", timeout=3.0, retries=0, name="riskctl",
                       instance=own or b"", say=False) as client:
            reply = client.call(request)
    except RpcTimeout:
        if os.path.isdir(loaded.log_dir):
            raise CliError(f"cannot read the logs in {loaded.log_dir} and the logging worker "
                           f"at {address} does not answer (riskctl workers)") from None
        return [], None
    if getattr(reply, "code", "") == "foreign_reply":
        raise CliError(reply.reason)
    if not reply.ok or not isinstance(reply.body, LogHistory):
        raise CliError(f"the logging worker refused the history: {reply.reason}")
    return [json.loads(line) for line in reply.body.lines], reply.body.log_dir


def _subscribe(address: str) -> zmq.Socket:
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"log.")
    sub.setsockopt(zmq.SUBSCRIBE, topics.HEARTBEAT.encode())
    sub.connect(address)
    return sub


def follow(sub: zmq.Socket, flt: Filter, as_json: bool, address: str, after: str = "",
           instance: bytes | None = None) -> None:
    """Print live records until Ctrl-C; say so on stderr when the logging worker goes quiet.
    With `instance` (this riskd's id) another riskd's records and heartbeats are not shown
    nor taken as a sign of this riskd's logging worker: said once per sender on stderr."""
    last_sign = time.monotonic()
    warned = False
    foreign: set[bytes] = set()
    try:
        while True:
            if sub.poll(500):
                topic, body = sub.recv_multipart()
                if instance is not None:
                    try:
                        codec.head(body, instance)
                    except codec.ForeignFrame as other:
                        if other.instance not in foreign and len(foreign) < 8:
                            foreign.add(other.instance)
                            print(foreign_said(other), file=sys.stderr, flush=True)
                        continue
                    except codec.DecodeError:
                        continue
                last_sign = time.monotonic()
                if warned:
                    print("the logging worker is back", file=sys.stderr)
                    warned = False
                if not topic.startswith(b"log."):
                    continue
                try:
                    msg = codec.decode(body).msg
                except codec.DecodeError:
                    continue
                if not isinstance(msg, LogRecord):
                    continue
                rec = line_fields(msg)
                if rec["time"] > after and flt.matches(rec):
                    emit(rec, as_json)
            elif not warned and time.monotonic() - last_sign > SILENCE_WARN_S:
                print(f"no sign of the logging worker at {address} for {SILENCE_WARN_S:g} s "
                      f"(is it running? see riskctl workers); still waiting", file=sys.stderr)
                warned = True
    except KeyboardInterrupt:
        return
