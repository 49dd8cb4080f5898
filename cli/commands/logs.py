"""Read the logs: the last lines of system.log, filtered, and with -f follow them live.

  riskctl logs [-n N] [--level L] [--process P] [--account A] [--grep TEXT] [-f] [--json]

History comes from the log files in the log dir (system.log and its rotated files);
-f then follows the logging worker's live tail (its PUB socket, topics log.<level>.<proc>)
until Ctrl-C. --level is a minimum (WARNING shows warnings, errors and criticals).
--json prints one JSON object per line, exactly as stored.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Iterable, Iterator, Optional

import attrs
import zmq

from shared import codec, topics
from cli import configfile
from cli.watch.source import read_tables
from shared.messages.logs import LogRecord, line_fields

NAME = "logs"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SILENCE_WARN_S = 5.0
CORE = ("time", "level", "process", "pid", "logger", "message", "exc")


def add_arguments(parser) -> None:
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new records")
    parser.add_argument("-n", type=int, default=50, metavar="N",
                        help="how many past records to show first (default 50)")
    parser.add_argument("--level", type=str.upper, choices=LEVELS, help="minimum level")
    parser.add_argument("--process", help="only this process (risk, market, supervisor ...)")
    parser.add_argument("--account", help="only records about this account (id or name)")
    parser.add_argument("--grep", metavar="TEXT", help="only records containing TEXT "
                                                       "(case-insensitive)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


@attrs.frozen
class Filter:
    level: Optional[str] = None
    process: Optional[str] = None
    account: Optional[str] = None
    grep: Optional[str] = None

    def matches(self, rec: dict, raw: str | None = None) -> bool:
        if self.level and logging.getLevelName(str(rec.get("level", ""))) \
                < logging.getLevelName(self.level):
            return False
        if self.process and rec.get("process") != self.process:
            return False
        if self.account and self.account not in {
                str(rec.get(k)) for k in ("account", "account_id", "account_name") if k in rec}:
            return False
        if self.grep:
            text = raw if raw is not None else json.dumps(rec, ensure_ascii=False)
            if self.grep.lower() not in text.lower():
                return False
        return True


def format_line(rec: dict) -> str:
    """2026-11-25 10:57:26.123 WARNING risk[4242] services.risk.app: message  key=value ..."""
    when = str(rec.get("time", "")).replace("T", " ").rstrip("Z")[:23]
    extras = " ".join(f"{k}={v}" for k, v in rec.items() if k not in CORE)
    line = (f"{when} {rec.get('level', '?'):<7} {rec.get('process', '?')}[{rec.get('pid', '?')}] "
            f"{rec.get('logger', '')}: {rec.get('message', '')}")
    if extras:
        line += f"  {extras}"
    if rec.get("exc"):
        line += "\n" + str(rec["exc"])
    return line


def log_files(log_dir: str, name: str = "system.log") -> list[str]:
    """Newest first: system.log, system.log.1, system.log.2 ..."""
    out = [os.path.join(log_dir, name)]
    i = 1
    while os.path.exists(os.path.join(log_dir, f"{name}.{i}")):
        out.append(os.path.join(log_dir, f"{name}.{i}"))
        i += 1
    return [p for p in out if os.path.exists(p)]


def _reversed_lines(paths: Iterable[str]) -> Iterator[str]:
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        yield from reversed(lines)


def history(log_dir: str, flt: Filter, n: int) -> list[dict]:
    """The last n matching records, oldest first."""
    found: list[dict] = []
    if n <= 0:
        return found
    for raw in _reversed_lines(log_files(log_dir)):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if isinstance(rec, dict) and flt.matches(rec, raw):
            found.append(rec)
            if len(found) >= n:
                break
    return list(reversed(found))


def emit(rec: dict, as_json: bool) -> None:
    sys.stdout.write((json.dumps(rec, ensure_ascii=False) if as_json else format_line(rec)) + "\n")
    sys.stdout.flush()


def run(args, ctx) -> int:
    _data_dir, log_dir = configfile.folders(ctx.config_path)   # a broken file is read leniently
    logging_pub = read_tables(ctx.config_path)[0].logging_pub
    flt = Filter(args.level, args.process, args.account, args.grep)
    sub = _subscribe(logging_pub) if args.follow else None
    try:
        past = history(log_dir, flt, args.n)
        if not past and not args.follow and not log_files(log_dir):
            print(f"no logs yet in {log_dir}", file=sys.stderr)
        for rec in past:
            emit(rec, args.json)
        if sub is not None:
            follow(sub, flt, args.json, logging_pub,
                   after=past[-1]["time"] if past else "")
    finally:
        if sub is not None:
            sub.close(0)
    return 0


def _subscribe(address: str) -> zmq.Socket:
    sub = zmq.Context.instance().socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"log.")
    sub.setsockopt(zmq.SUBSCRIBE, topics.HEARTBEAT.encode())
    sub.connect(address)
    return sub


def follow(sub: zmq.Socket, flt: Filter, as_json: bool, address: str, after: str = "") -> None:
    """Print live records until Ctrl-C; say so on stderr when the logging worker goes quiet."""
    last_sign = time.monotonic()
    warned = False
    try:
        while True:
            if sub.poll(500):
                topic, body = sub.recv_multipart()
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
