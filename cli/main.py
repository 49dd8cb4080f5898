"""riskctl entry point: global options, one subcommand per module in cli/commands, exit codes.

Exit codes: 0 ok, 1 error (including riskd not answering), 2 bad usage,
3 authentication refused.
"""
from __future__ import annotations

import argparse
import sys
import textwrap

from cli import accountarg
from cli.commands import NAMES, load, outline
from cli.context import DEFAULT_TIMEOUT, Context
from cli.errors import EXIT_ERROR, CliError


def first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if doc else ""


def role_note(role: str, offline: bool = False) -> str:
    """The role a command needs and the login that gives it, as riskd's refusal says it
    (shared/config/access.login_hint): there is no ops password by default, so an ops
    command's help names the admin login too (fresh-user trial: `riskctl restart --help` said
    only "run `riskctl login --role ops` first", a login that can only fail by default)."""
    if not role:
        return ""
    login = f"run `riskctl login --role {role}` first"
    if role == "ops":
        login = ("run `riskctl login --role admin` first (an admin session serves ops commands "
                 "too; there is no ops password by default), or `riskctl login --role ops` "
                 "once an admin has set an ops password with `riskctl passwd ops`")
    # --offline edits the file while riskd is stopped: no riskd, no session (trial15b: passwd's
    # help said "Needs an admin session" with no word of that exception)
    unless = " Not with --offline (riskd stopped: the file is edited directly)." if offline else ""
    return "\n\n" + textwrap.fill(
        f"Role: {role}. Needs an {role} session: {login} (at a terminal riskctl asks for the "
        f"password once).{unless}", 78)


def command_named(argv: list[str] | None) -> str | None:
    """The command the arguments name, found without importing any command module (None when
    they name none: then the parser of every command says what is wrong, as for --help)."""
    pre = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    pre.add_argument("--config")
    pre.add_argument("--timeout")
    try:
        _known, rest = pre.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    return rest[0] if rest and rest[0] in NAMES else None


class Parser(argparse.ArgumentParser):
    """argparse with usage errors under the command's own usage: an argument a command does
    not know was reported by the top-level parser ("riskctl: error: unrecognized arguments:
    --account" under riskctl's usage, trial 2026-12-05), now by the innermost command parsed
    ("riskctl lockout: error: ..." under lockout's). Then --account and an account's
    positional form become one (cli/accountarg.py)."""

    def parse_args(self, args=None, namespace=None):
        ns, extras = self.parse_known_args(args, namespace)
        inner = getattr(ns, "_parser", None) or self
        if extras:
            early = sorted({a.split("=")[0] for a in extras
                            if a.split("=")[0] in ("--config", "--timeout")})
            inner.error("unrecognized arguments: " + " ".join(extras) + (
                f" ({' and '.join(early)} {'go' if len(early) > 1 else 'goes'} before the "
                f"command: riskctl {early[0]} ... "
                f"{getattr(ns, 'command', 'COMMAND')} ...)" if early else ""))
        accountarg.resolve(ns, inner.error)
        return ns


def mark_parsers(parser: argparse.ArgumentParser) -> None:
    """Every command and action parser records itself in what it parses (the innermost
    wins), so Parser.parse_args knows whose usage an error belongs under."""
    parser.set_defaults(_parser=parser)
    for action in parser._actions:                       # noqa: SLF001 -- argparse has no API
        if isinstance(action, argparse._SubParsersAction):     # noqa: SLF001
            for sub in action.choices.values():
                mark_parsers(sub)


def build_parser(only: str | None = None, outlines: bool = False) -> argparse.ArgumentParser:
    """riskctl's parser: every command, or only the command `only` (what one run needs);
    outlines: every command as its line in riskctl's own --help only, none imported (a run
    whose arguments name no command: cli/commands.outline)."""
    parser = Parser(
        prog="riskctl", description="Talk to a running riskd: status, workers, rules, lockouts.",
        epilog="Roles: trader commands need nothing; [admin] commands need a session from "
               "'riskctl login --role admin', which serves [ops] commands too ('riskctl login "
               "--role ops' once an admin has set an ops password: none is set by default). "
               "Exit codes: 0 ok, 1 error, 2 usage, "
               "3 authentication refused. Run 'riskctl COMMAND --help' for one command. "
               "Docs: docs/rules.md (The rules), docs/alerts.md (Telegram, step by step; Discord, "
               "step by step), docs/operations.md (Roles and passwords; The service; Backups).")
    parser.add_argument("--config", default=None,
                        help="riskd.toml (default: $RISKD_CONFIG, or etc/riskd.local.toml, the "
                             "copy of etc/riskd.toml that `make run` uses)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds to wait per attempt for riskd (default {DEFAULT_TIMEOUT})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in (map(outline, NAMES) if outlines else
                   map(load, NAMES if only is None else (only,))):
        doc = module.__doc__
        role = getattr(module, "ROLE", "")
        p = sub.add_parser(module.NAME, help=first_line(doc) + (f" Role: {role}." if role else ""),
                           description=(doc or "").strip()
                           + role_note(role, getattr(module, "OFFLINE", False)),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        if getattr(module, "READ", False):
            p.add_argument("--json", action="store_true", help="print one JSON document")
        module.add_arguments(p)
        p.set_defaults(_module=module)
    mark_parsers(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    named = command_named(argv)
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(named, outlines=named is None and not set(words) & set(NAMES))
    args = parser.parse_args(argv)
    ctx = Context(args.config, json_output=getattr(args, "json", False),
                  timeout=args.timeout)
    try:
        return args._module.run(args, ctx) or 0
    except CliError as exc:
        print(f"riskctl {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:          # `riskctl ... | head`: the reader left; not an error
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
