"""The risk rules of each account and profile: list them, set a parameter, enable or disable.

  riskctl rules list [ACCOUNT]                         parameters (and current values when the
                                                       risk worker reports them)
  riskctl rules set ACCOUNT_OR_PROFILE RULE PARAM VALUE   [admin]
  riskctl rules enable ACCOUNT_OR_PROFILE RULE            [admin]
  riskctl rules disable ACCOUNT_OR_PROFILE RULE           [admin]
  riskctl rules override --reason TEXT [--account A|profile:NAME] [--rule R]
                                                       [admin] apply waiting loosenings now

ACCOUNT_OR_PROFILE is an account (id, name or display name) or a profile name; write
profile:NAME or account:NAME when one name is both. An account setting overrides its
profile for that account only. Edits are validated, backed up and applied live; a
change that loosens a rule takes effect at the next trading-day roll (docs/rules.md); one that
riskd would act on at once (it puts an account past a limit now: flatten, reduce, close, lock
out) is not saved until you confirm it: riskctl names each account and asks "Apply anyway?
[y/N]"; --yes applies directly; without a terminal riskctl refuses unless --yes. `override`
applies every waiting change of every account now (audited, with a reason), or of one
account or one profile's accounts (--account profile:NAME), or of one rule (--rule); it
never asks first (no --yes): it only loosens, so riskd acts on no account because of it.
Every rule, its parameters and defaults: docs/rules.md.
"""
from __future__ import annotations

import tomlkit

from cli import accountarg
from cli.accountnames import file_ids, namer
from cli.commands.config import EDIT_TIMEOUT, add_offline, print_edited
from cli.confirmedit import add_yes, send_edit
from cli.offline import offline_edit
from cli.errors import CliError
from cli.session import os_user
from cli.fitted import fitted, width
from shared.config.accounts import AmbiguousAccount
from shared.config.edit import (loosening_changes, own_line_changes, set_rule_enabled,
                                set_rule_param)
from shared.config.errors import ConfigError
from shared.config.load import load_config
from shared.config.rules import NEVER_WARN
from shared.config.views import rule_rows
from shared.messages.config import RuleParams, RuleParamsRequest, RulesEnable, RulesSet
from shared.messages.risk import RulesOverrideRequest, without_note
from shared.rulenumbers import params_texts, reading_text, row_aside, value_limit_text

NAME = "rules"
VALUES_TIMEOUT = 1.0      # current values are a bonus: a silent risk worker does not block the list


# what `rules set --help` and `rules override --help` say (fresh-user trial 13b: RULE, PARAM
# and VALUE were not explained and no doc was named)
SET_WORDS = ("Set one parameter of one rule, for one account or for a profile (every account "
             "that runs it). A tightening is in force at once; a loosening waits for the "
             "trading-day roll unless `riskctl rules override` applies it now. Every rule, its "
             "parameters and their defaults: docs/rules.md; how an edit takes effect: "
             "docs/rules.md (What every rule has).")
PARAM_WORDS = (
    ("rule", "the rule's name, e.g. max_contracts, daily_realized_loss (`riskctl rules list` "
             "shows them all)"),
    ("param", "one of its parameters, e.g. limit, warn_at, mode, enabled"),
    ("value", "the new value, as the config file writes it: 2, 500, 0.8, alert, true, "
              "'[\"CL\", \"GC\"]'"),
)
OVERRIDE_WORDS = ("Apply the rule changes that wait for the trading-day roll (loosenings: a "
                  "higher limit, a disabled rule) now: every one, or only those of one account "
                  "(--account ID), of every account of a profile (--account profile:NAME) or "
                  "of one rule (--rule). Admin only, audited with its reason. It never asks "
                  "first and takes no --yes (unlike `rules set`): it only loosens, so riskd "
                  "closes, reduces or locks nothing because of it. A lockout the old setting "
                  "put on stays (riskctl unlock ACCOUNT --rule RULE ends it). Why a loosening "
                  "waits: docs/rules.md (What every rule has).")


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("list", help="every rule with its parameters")
    accountarg.add(p, required=False, default="",
                   help="one account (id, name, display name; one only the broker reports "
                        "runs the default profile) or profile:NAME; or --account A")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--offline", action="store_true",
                   help="read the config file instead of asking riskd (no current values)")
    p = sub.add_parser("set", help="set one parameter of one rule (asks first when riskd "
                                       "would act on it at once: --yes applies)",
                       description=SET_WORDS)
    accountarg.add(p, dest="target", metavar="ACCOUNT_OR_PROFILE",
                   help="an account (id, name, display name) or profile:NAME")
    for name, said in PARAM_WORDS:
        p.add_argument(name, metavar=name.upper(), help=said)
    p.add_argument("--reason", default="", help="why (kept in the audit trail)")
    add_yes(p)
    add_offline(p)
    add_new_profile(p)
    for action in ("enable", "disable"):
        p = sub.add_parser(action, help=f"{action} one rule")
        accountarg.add(p, dest="target", metavar="ACCOUNT_OR_PROFILE",
                       help="an account (id, name, display name) or profile:NAME")
        p.add_argument("rule", metavar="RULE")
        p.add_argument("--reason", default="", help="why (kept in the audit trail)")
        add_yes(p)
        add_offline(p)
        add_new_profile(p)
    p = sub.add_parser("override", help="apply the waiting (looser) rule changes now "
                                        "(never asks: it only loosens)",
                       description=OVERRIDE_WORDS)
    p.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    p.add_argument("--account", default="",
                   help="only this account (id, name or display name), or profile:NAME: "
                        "every account running that profile")
    p.add_argument("--rule", default="", help="only this rule (RULE: a rule's name, e.g. "
                                               "max_contracts; `riskctl rules list`)")


def add_new_profile(p) -> None:
    p.add_argument("--new-profile", action="store_true",
                   help="create profile:NAME with this first setting (without it a profile "
                        "the config does not have is refused, listing those it has; "
                        "docs/operations.md, Account profiles)")


# a drawdown_guard line set or removed where the other side has none: risk judges it against
# its own line, which only risk knows (docs/rules.md, drawdown_guard)
OWN_LINE = ("judged at riskd's next start against riskd's own line (high-water mark - "
            "max_loss): in force then if higher, else at the first trading-day roll after it")


def when_in_force(path: str):
    """lines(changes) for an offline rule edit: when each change takes effect, as riskd's
    next start says it (docs/rules.md, Tightening is instant, loosening waits). Fresh-user
    trial 17g: `rules set --offline` answered only "saved ... (previous file: ...)"."""
    try:
        with open(path, encoding="utf-8") as f:
            before = f.read()
    except OSError:
        before = ""

    def lines(changes) -> list[str]:
        with open(path, encoding="utf-8") as f:
            after = f.read()
        waits, judged = loosening_changes(before, after), own_line_changes(before, after)
        return [f"  {c}: " + (OWN_LINE if c in judged else
                              "a loosening: takes effect at the first trading-day roll after "
                              "riskd's next start" if c in waits else
                              "in force at riskd's next start") for c in changes]
    return lines


def run(args, ctx) -> int:
    if args.action == "list":
        return list_rules(args, ctx)
    if args.action == "override":
        return override_now(ctx, args.reason, args.account, args.rule)
    if args.action == "set":
        if args.offline:
            return offline_edit(ctx, lambda path, backups: set_rule_param(
                path, args.target, args.rule, args.param, args.value, backups,
                args.new_profile), lines=when_in_force(ctx.config_path),
                refused=(f"{args.target} {args.rule}.{args.param}", args.rule, args.param,
                         args.value))
        request = RulesSet(target=args.target, rule=args.rule, param=args.param,
                           value=args.value, reason=args.reason, new_profile=args.new_profile)
    else:
        enabled = args.action == "enable"
        if args.offline:
            return offline_edit(ctx, lambda path, backups: set_rule_enabled(
                path, args.target, args.rule, enabled, backups, args.new_profile),
                lines=when_in_force(ctx.config_path))
        request = RulesEnable(target=args.target, rule=args.rule, enabled=enabled,
                              reason=args.reason, new_profile=args.new_profile)
    # an edit riskd would act on at once (flatten, reduce, lock out) asks first (--yes: apply)
    reply = send_edit(ctx, request, args.yes, EDIT_TIMEOUT)
    if reply is None:
        return 1
    # riskd says what risk does with it (applied live, or a loosening that waits for the roll)
    # in the words the audit trail records: services/supervisor/commands/rule_outcome.py
    return print_edited(ctx, reply)


def override_now(ctx, reason: str, account: str = "", rule: str = "") -> int:
    """The admin override: risk applies the waiting (looser) settings now, of every account
    and rule or of the one chosen, and names each (audited)."""
    reply = ctx.request(RulesOverrideRequest(reason=reason, by=f"admin:{os_user()}",
                                             account=account, rule=rule),
                        timeout=EDIT_TIMEOUT, retries=0)
    print(reply.reason)
    return 0


def risk_rules(ctx) -> list:
    """Risk's AccountRules of every account it guards; [] when it cannot say."""
    try:
        from shared.messages.risk import RulesRequest
        reply = ctx.call(RulesRequest(), timeout=VALUES_TIMEOUT, retries=0)
    except Exception:  # noqa: BLE001 -- values are optional in this listing
        return []
    if not reply.ok or reply.body is None:
        return []
    return list(getattr(reply.body, "accounts", []))


def current_values(ctx, accounts=None) -> dict:
    """(account id or name, rule) -> RuleValue from the risk worker; {} when it cannot say."""
    out = {}
    for account in risk_rules(ctx) if accounts is None else accounts:
        for value in account.rules:
            out[(str(account.account_id), value.rule)] = value
            out[(account.name, value.rule)] = value
    return out


def target_text(target: str, name, ids: dict) -> str:
    """The FOR column: 'profile:default' as typed, an account as every screen names it,
    'account Demo 2 (1002)' (trial 2026-12-05: 'account:SIM-DEMO-2' beside screens' Demo 2);
    `name`: cli/accountnames.py namer; ids: broker name -> account id."""
    kind, _, key = target.partition(":")
    if kind != "account" or not key:
        return target
    account_id = int(key) if key.isdigit() else ids.get(key)
    return f"account {name(account_id, key)}" if account_id is not None else target


def local_rows(ctx, target: str) -> list:
    try:
        rows = rule_rows(load_config(ctx.config_path).config, target)
    except ConfigError as exc:
        raise CliError(exc.render()) from None
    except KeyError as exc:
        raise CliError(exc.args[0]) from None
    except AmbiguousAccount as exc:
        raise CliError(str(exc)) from None
    return [RuleParams(**row) for row in rows]


def typed(params: dict) -> dict:
    """Parameters as JSON values (500, 0.5, true, ["CL"], {"MNQ": 2}), not their TOML text."""
    out = {}
    for key, text in params.items():
        try:
            value = tomlkit.parse(f"v = {text}")["v"]
            value = value.unwrap() if hasattr(value, "unwrap") else value
        except Exception:  # noqa: BLE001 -- not TOML value syntax: keep the text
            value = text
        out[key] = value if isinstance(value, (str, int, float, bool, list, dict,
                                                type(None))) else str(value)
    return out


def param_cells(rule: str, shown: dict, overridden, waiting: dict,
                own_now=None) -> tuple[str, str]:
    """(the parameters in force, the looser ones waiting) as `rules list` shows them, '*'
    after the account's own value (an override): on the waiting value when it is the account's
    own, and on the value in force beside it when that one is the account's own too (own_now:
    risk's word, RuleValue.own), not when it is the profile's (trial17a section 9: "limit=4*"
    with "waiting: limit=5 at the roll", 4 the profile's, 5 the account's own; round 21,
    admin21: the account's own 4 in force lost its '*' while its 6 waited). Without risk's
    word (--offline, an older risk) a value in force beside a waiting one has none. "; "
    between parameters: a number may hold a comma (2,000.00; shared/rulenumbers.py)."""
    own = set(overridden or ())
    kept = set(own_now or ())

    def marked(k: str) -> bool:
        return k in kept if k in waiting else k in own
    params = "; ".join(f"{k}={val}" + ("*" if marked(k) else "")
                       for k, val in params_texts(rule, shown).items())
    waits = "; ".join(f"{k}={v}" + ("*" if k in own else "")
                      for k, v in params_texts(rule, waiting).items())
    return params, waits


def warn_cell(rule: str, warn_at, overridden) -> str:
    """'warn_at=0.8' ('*' when the account's own), the share of the limit it warns at, among
    the parameters (trial 15b: only --json showed it, so `rules set ... warn_at 0.7` could not
    be checked here); '' for a rule that never warns (NEVER_WARN: no limit to come near)."""
    if warn_at is None or rule in NEVER_WARN:
        return ""
    return f"warn_at={warn_at:g}" + ("*" if "warn_at" in overridden else "")


def list_rules(args, ctx) -> int:
    note = ""        # riskd's word on an account the config does not list (its profile)
    if args.offline:
        rows, values, accounts = local_rows(ctx, args.account), {}, []
    else:
        reply = ctx.request(RuleParamsRequest(target=args.account))
        rows, note = reply.body.rows, reply.reason
        accounts = risk_rules(ctx)
        values = current_values(ctx, accounts)

    def reading(row):
        kind, _, key = row.target.partition(":")
        return values.get((key, row.rule)) if kind == "account" else None

    def value_of(row):
        v = reading(row)
        if v is None or v.value is None:
            return None
        text = (value_limit_text(row.rule, v.value, v.limit, without_note(v.detail))
                if v.limit is not None else reading_text(row.rule, v.value))
        # the count as its warning counts it, and what that includes, as status and watch
        # say it beside the row (row19 left: 'rules list' showed the count alone)
        aside = row_aside(row.rule, without_note(v.detail))
        return f"{text}; {aside}" if aside else text

    def waiting_of(row) -> dict:
        """The looser values riskd has not applied yet (they wait for the roll)."""
        v = reading(row)
        return dict(v.waiting) if v is not None else {}

    def own_in_force(row):
        """The parameters whose value in force is the account's own (risk's word; None when
        risk does not say: the file's `overridden` then)."""
        v = reading(row)
        return list(v.own) if v is not None and v.own is not None else None

    def in_force(row) -> tuple:
        """(enabled, mode) as riskd applies them now: a loosening (alert mode, switched off)
        saved in the file waits for the roll, and is shown under 'waiting' only."""
        v = reading(row)
        return (v.enabled, v.mode) if v is not None else (row.enabled, row.mode)

    if ctx.json:
        ctx.print_json({**({"note": note} if note else {}), "rules": [dict(
            target=r.target, profile=r.profile, rule=r.rule, enabled=in_force(r)[0],
            mode=in_force(r)[1],
            warn_at=r.warn_at, params=typed(r.params), overridden=r.overridden,
            own_in_force=own_in_force(r),
            current=value_of(r), waiting=typed(waiting_of(r))) for r in rows]})
        return 0
    table = []
    name = namer(ctx) if not args.offline else None
    # broker name -> id: risk's, else the config file's (risk stopped: its names are not known)
    ids = {**file_ids(ctx.config_path), **{a.name: a.account_id for a in accounts}}
    for r in rows:
        v = reading(r)      # riskd's own reading: the values in force (the file's may wait)
        shown = {**r.params, **v.params} if v is not None and v.waiting else r.params
        params, waits = param_cells(r.rule, shown, r.overridden, waiting_of(r),
                                    v.own if v is not None else None)
        params = "; ".join(x for x in (params, warn_cell(r.rule, r.warn_at, r.overridden))
                           if x)
        enabled, mode = in_force(r)
        target = target_text(r.target, name, ids) if name else r.target
        table.append((target, r.rule, "on" if enabled else "off", mode, value_of(r),
                      params, f"{waits} at the roll" if waits else ""))
    if note:
        print(note)
    # fitted as `riskctl history` is: a row too wide for the terminal (or COLUMNS, or a pipe)
    # becomes a block (fresh-user trial: lines of 325 characters with COLUMNS=100)
    print(fitted(("for", "rule", "on", "mode", "now",
                  "parameters (* = account override)", "waiting (a loosening)"), table,
                 width(), head=4, labels=("now", "params (* = override)", "waiting")))
    return 0
