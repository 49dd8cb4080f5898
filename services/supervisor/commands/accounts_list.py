"""`riskctl accounts list`: the configured accounts, joined with what the risk worker reports.

The config gives id, name, display name, enabled, profile and per-account overrides; the risk
worker (asked with its RulesRequest, RISK_TIMEOUT s at most) adds the accounts the broker
lists that the config does not (guarded with the default profile), whether each account is
guarded right now and what waits for the trading-day roll. A silent or absent risk worker
leaves those columns empty and says why in risk_note: the list never waits on it for long.
"""
from __future__ import annotations

import attrs

from services.supervisor.commands.base import Command
from services.supervisor.riskshards import forward_risk
from shared.config.accounts import DEFAULT_PROFILE
from shared.config.checks import apply_overrides, profile_rules
from shared.config.convert import toml_value_text
from shared.config.errors import ConfigError
from shared.messages.accounts import AccountRow, AccountsRequest, AccountsTable
from shared.messages.risk import RulesRequest
from shared.messages.system import ok

RISK_TIMEOUT = 1.0


def as_profile(config, account) -> list[str]:
    """The account's overrides ("rule.param") whose value is its profile's own: the file says
    them, they change nothing (trial 2026-12-06: OVERRIDES listed "no_stop_loss_grace
    enabled=false" where the profile says false too)."""
    try:
        profile = profile_rules(config, account.profile)
    except KeyError:
        return []
    same = []
    for rule, params in account.rules.items():
        for param, value in params.items():
            try:
                if apply_overrides(profile, {rule: {param: value}}) == profile:
                    same.append(f"{rule}.{param}")
            except ConfigError:
                continue
    return same


def configured_rows(config) -> list[AccountRow]:
    return [AccountRow(id=a.id, name=a.name, display_name=a.display_name, enabled=a.enabled,
                       profile=a.profile,
                       overrides={f"{rule}.{param}": toml_value_text(value)
                                  for rule, params in a.rules.items()
                                  for param, value in params.items()},
                       as_profile=as_profile(config, a))
            for a in config.accounts]


def joined(rows: list[AccountRow], reported) -> list[AccountRow]:
    """Rows with risk's view of each account (AccountRules), plus the unconfigured ones."""
    out, left = [], list(reported)
    for row in rows:
        match = next((r for r in left if (row.id is not None and r.account_id == row.id)
                      or (row.name and r.name == row.name)), None)
        if match is None:
            out.append(attrs.evolve(row, seen=False, guarded=False))
            continue
        left.remove(match)
        out.append(attrs.evolve(row, id=match.account_id, name=row.name or match.name,
                                seen=True, guarded=bool(match.rules),
                                pending=list(match.pending)))
    out += [AccountRow(id=r.account_id, name=r.name, configured=False, profile=DEFAULT_PROFILE,
                       seen=True, guarded=bool(r.rules), pending=list(r.pending))
            for r in left]
    return out


def execute(sup, _request, respond) -> None:
    rows = configured_rows(sup.config)

    def answered(reply) -> None:
        if reply.ok and reply.body is not None:
            respond(ok(AccountsTable(rows=joined(rows, reply.body.accounts))))
        else:
            respond(ok(AccountsTable(rows=rows, risk_note=f"risk did not report its accounts "
                                     f"({reply.reason}); broker accounts not listed")))
    forward_risk(sup, RulesRequest(), answered, timeout=RISK_TIMEOUT)


COMMAND = Command(AccountsRequest, "trader", execute)
