"""Notification channels: send a test message, or show each channel's state.

  riskctl notify test [--channel telegram|discord]   send now, print what the channel said
                                                      (Telegram: also whether commands get
                                                      through)
  riskctl notify status                               per channel: ok / failing / idle /
                                                      disabled, queued alerts, last error;
                                                      Telegram commands: answered, ignored
                                                      (chats not allowed), refused

Setting up Telegram and Discord, the commands from your phone, what is sent how often, and
where alerts go without a channel (riskd's log: `riskctl logs --process notify --grep alert`):
docs/alerts.md.
"""
from __future__ import annotations

import time

from cli import configfile
from cli.table import render_table
from shared import showtime
from shared.messages.notify import NotifyStatusRequest, NotifyTest
from shared.plural import plural

NAME = "notify"
TEST_TIMEOUT = 8.0     # notify tries the channels in parallel within ~3 s
TEST_WORDS = ("Send a test message now through every configured channel (or --channel's) and "
              "print what each channel answered; Telegram: also whether commands get through. "
              "Setting up the channels: docs/alerts.md.")
STATUS_WORDS = ("Per channel: ok / failing / idle / disabled, queued alerts, last error; "
                "Telegram commands answered, ignored and refused. docs/alerts.md.")


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("test", help="send a test message [ops]", description=TEST_WORDS)
    # no "" among the choices: --help showed "{,telegram,discord}" (trial16c)
    p.add_argument("--channel", default="", choices=("telegram", "discord"),
                   help="one channel (default: every configured one)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p = sub.add_parser("status", help="state of each channel", description=STATUS_WORDS)
    p.add_argument("--json", action="store_true", help="print one JSON document")


def run(args, ctx) -> int:
    if args.action == "test":
        # a channel that did not take it is an error reply (audited as one) with the answers
        reply = ctx.request(NotifyTest(channel=args.channel), timeout=TEST_TIMEOUT,
                            retries=0, tolerate=("not_accepted",))
        result = reply.body
        if ctx.json:
            ctx.print_json(result)
        else:
            for a in result.answers:
                status = f"HTTP {a.status}" if a.status is not None else "no answer"
                print(f"{a.channel}: {'accepted' if a.ok else 'FAILED'} ({status}): {a.answer}")
        return 0 if all(a.ok for a in result.answers) else 1
    status = ctx.request(NotifyStatusRequest()).body
    if ctx.json:
        ctx.print_json(status)
        return 0
    tz, now_ns = configfile.display_zone(ctx.config_path), time.time_ns()
    print(render_table(
        ("channel", "state", "min", "queued", "sent", "digests", "failures", "last ok",
         "last error"),
        [(c.name, c.state, c.min_severity, c.queued, c.sent, c.digests, c.failures,
          showtime.at(c.last_ok_ns, tz, now_ns, seconds=True) if c.last_ok_ns else "-",
          c.last_error or "-") for c in status.channels]))
    if status.commands is not None:
        print(commands_line(status.commands, tz, now_ns))
    hint = no_channel_hint(status.channels)
    if hint:
        print(hint)
    return 0


def no_channel_hint(channels) -> str:
    """Where alerts go when no channel is enabled: only to the log (docs/alerts.md, "Without
    a channel"); "" when a channel is on."""
    if any(c.state != "disabled" for c in channels):
        return ""
    return ("no channel is enabled: alerts go only to riskd's log, in full, at their severity "
            "(info/warning/critical).\n  Read them: riskctl logs --process notify --grep alert "
            "(add --level warning for warnings and criticals only, -f to follow); "
            "docs/alerts.md, \"Without a channel\"")


def commands_line(c, tz, now_ns: int) -> str:
    """One line on the Telegram commands (docs/alerts.md, "Commands from your phone"); times
    in the display zone tz."""
    if c.state == "disabled":
        return "telegram commands: off (no bot configured, or [notify.telegram] commands = false)"
    polled = (f", last update check {showtime.at(c.last_poll_ns, tz, now_ns, seconds=True)}"
              if c.last_poll_ns else "")
    text = (f"telegram commands: {c.state}{polled}; {c.answered} answered, {c.ignored} ignored "
            f"(chat or user not allowed), {c.refused} refused (flood or late /lockout), "
            f"{plural(c.lockouts, 'lockout')} run")
    return text + (f"; last error: {c.last_error}" if c.last_error else "")
