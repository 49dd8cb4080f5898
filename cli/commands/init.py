"""Write a commented riskd.toml for a real ProjectX account (asks, or takes options).

  riskctl init [DIR] --user-name NAME --account 123456[=DISPLAY] ... \\
               [--api-key-env PROJECTX_API_KEY] [--admin-password-stdin] [--starting-balance N]

Asks for whatever is missing when run in a terminal. The API key is never written to the
file: riskd reads it from the environment variable you name. The rule defaults are those
of docs/rules.md. The written file is validated before riskctl reports success.
"""
from __future__ import annotations

import os
import sys
from decimal import Decimal, InvalidOperation

from cli.errors import EXIT_USAGE, CliError
from cli.session import ask_password, stdin_password
from shared.config.access import hash_password
from shared.config.edit import atomic_write
from shared.config.errors import ConfigError
from shared.config.load import validate_text
from shared.config.template import InitAnswers, render_init

NAME = "init"
ENV_NAME_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def add_arguments(parser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help="where to write riskd.toml")
    parser.add_argument("--user-name", help="your ProjectX user name")
    parser.add_argument("--api-key-env", help="the environment variable holding the API key "
                        "(default PROJECTX_API_KEY)")
    parser.add_argument("--account", action="append", default=None, metavar="ID_OR_NAME[=DISPLAY]",
                        help="a broker account to guard (repeat for several)")
    parser.add_argument("--rest-url", default="https://api.topstepx.com",
                        help="the firm's ProjectX gateway REST URL")
    parser.add_argument("--user-hub", default="https://rtc.topstepx.com/hubs/user")
    parser.add_argument("--market-hub", default="https://rtc.topstepx.com/hubs/market")
    parser.add_argument("--starting-balance", help="your firm's account size: enables "
                        "drawdown_guard")
    parser.add_argument("--admin-password-stdin", action="store_true",
                        help="read the admin password from the first line of stdin")
    parser.add_argument("--no-admin-password", action="store_true",
                        help="leave the admin password unset (set it later: riskctl passwd)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def ask(prompt: str, default: str = "") -> str:
    if not sys.stdin.isatty():
        raise CliError(f"missing option for {prompt!r} (no terminal to ask in)", EXIT_USAGE)
    try:
        answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
    except EOFError:
        raise CliError(f"no answer for {prompt!r} (end of input); nothing was written",
                       EXIT_USAGE) from None
    return answer or default


def read_new_password(from_stdin: bool, role: str, option: str) -> str:
    """A new password from stdin (scripts) or typed twice at a prompt."""
    if from_stdin:
        password = stdin_password()
    else:
        if not sys.stdin.isatty():
            raise CliError(f"no terminal to ask for the {role} password: use {option}",
                           EXIT_USAGE)
        password = ask_password(f"new {role} password: ")
        if ask_password(f"repeat the {role} password: ") != password:
            raise CliError("the two passwords differ; nothing was changed")
    if len(password) < 8:
        raise CliError(f"the {role} password must have at least 8 characters")
    return password


def parse_accounts(values: list[str]) -> tuple:
    out = []
    for value in values:
        ref, _, display = value.partition("=")
        if not ref.strip():
            raise CliError(f"--account {value!r}: expected ID_OR_NAME[=DISPLAY]", EXIT_USAGE)
        out.append((ref.strip(), display.strip()))
    return tuple(out)


def run(args, ctx) -> int:
    path = os.path.abspath(os.path.join(args.dir, "riskd.toml"))
    if os.path.exists(path) and not args.force:
        raise CliError(f"{path} exists; use --force to overwrite it")
    user = args.user_name or ask("ProjectX user name")
    env_name = args.api_key_env or ask("environment variable holding the API key",
                                       "PROJECTX_API_KEY")
    if not env_name or set(env_name) - ENV_NAME_CHARS or env_name[0].isdigit():
        raise CliError(f"expected an environment variable name like PROJECTX_API_KEY, got "
                       f"{env_name!r}", EXIT_USAGE)
    accounts = args.account if args.account is not None else [
        a for a in ask("accounts to guard (ids or names, comma separated; empty = all)"
                       ).split(",") if a.strip()]
    balance = None
    if args.starting_balance:
        try:
            balance = Decimal(args.starting_balance)
        except InvalidOperation:
            raise CliError(f"--starting-balance: expected a number, got "
                           f"{args.starting_balance!r}", EXIT_USAGE) from None
    admin_hash = "" if args.no_admin_password else hash_password(
        read_new_password(args.admin_password_stdin, "admin", "--admin-password-stdin"))
    text = render_init(InitAnswers(
        user_name=user, api_key_env=env_name, accounts=parse_accounts(accounts),
        admin_hash=admin_hash, rest_url=args.rest_url, user_hub=args.user_hub,
        market_hub=args.market_hub, starting_balance=balance))
    env = dict(os.environ)
    env.setdefault(env_name, "(set when riskd starts)")
    try:
        validate_text(text, path, env)
    except ConfigError as exc:
        raise CliError("the generated config does not validate (nothing written):\n"
                       + exc.render()) from None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, text, mode=0o640)     # the admin hash: owner (and the service group)
    print(f"wrote {path}")
    if env_name not in os.environ:
        print(f"  set {env_name} to your ProjectX API key in riskd's environment before "
              f"starting it")
    if not admin_hash:
        print("  no admin password yet: riskctl passwd admin")
    print(f"  check it any time: riskctl --config {path} config validate")
    return 0
