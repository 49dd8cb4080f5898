"""Cross-checks over the whole config, and each account's effective rules (profile + overrides).

check_config() returns problems that no single table can see: an account naming a profile
that does not exist, overrides that do not validate against their profile, two entries for
one broker account, and (as warnings) a per-instrument limit above the account's
max_contracts limit. effective_rules() is THE one way to get the rules an account runs.
"""
from __future__ import annotations

from typing import Any

import attrs

from shared.config.accounts import DEFAULT_PROFILE, AccountConfig, find_account
from shared.config.convert import config_converter, to_toml_data
from shared.config.errors import ConfigError, Problem
from shared.config.knownsymbols import unknown_symbol_problems
from shared.config.notify import chat_scope_problems
from shared.config.rules import RulesConfig


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def profile_names(config) -> list[str]:
    names = list(config.profiles)
    return names if DEFAULT_PROFILE in names else [DEFAULT_PROFILE, *names]


def profile_rules(config, name: str) -> RulesConfig:
    """A profile's rules; "default" exists even when not written (docs/rules.md defaults)."""
    if name in config.profiles:
        return config.profiles[name].rules
    if name == DEFAULT_PROFILE:
        return RulesConfig()
    raise KeyError(f"unknown profile {name!r}; expected one of: "
                   + ", ".join(profile_names(config)))


def apply_overrides(rules: RulesConfig, overrides: dict[str, dict[str, Any]],
                    where: str = "rules") -> RulesConfig:
    """rules with per-rule parameter overrides applied; ConfigError with key paths if invalid."""
    if not overrides:
        return rules
    from shared.config.load import problems_from_exception
    data = _merge(to_toml_data(rules), overrides)
    try:
        return config_converter.structure(data, RulesConfig)
    except Exception as exc:  # noqa: BLE001 -- turned into problems with their key path
        problems = problems_from_exception(exc, where)
        raise ConfigError("", problems) from None


def effective_rules(config, account: AccountConfig | str | int) -> RulesConfig:
    """The rules an account runs: its profile (default if unlisted), then its overrides."""
    if not isinstance(account, AccountConfig):
        found = find_account(config.accounts, account)
        if found is None:
            return profile_rules(config, DEFAULT_PROFILE)
        account = found
    return apply_overrides(profile_rules(config, account.profile), account.rules)


def _per_instrument_warnings(rules: RulesConfig, where: str) -> list[Problem]:
    mc, per = rules.max_contracts, rules.max_contracts_per_instrument
    if not (mc.enabled and per.enabled):
        return []
    out = [Problem(f"{where}.max_contracts_per_instrument.limits.{symbol}",
                   f"limit {n} is above max_contracts.limit {mc.limit}: the account limit "
                   "stops the position first", "warning")
           for symbol, n in per.limits.items() if n > mc.limit]
    if isinstance(per.unknown_symbol, int) and per.unknown_symbol > mc.limit:
        out.append(Problem(f"{where}.max_contracts_per_instrument.unknown_symbol",
                           f"{per.unknown_symbol} is above max_contracts.limit {mc.limit}",
                           "warning"))
    return out


def _own(rules: RulesConfig, base: RulesConfig) -> RulesConfig:
    """An account's rules with the symbols its profile already lists left out (said once,
    under the profile)."""
    blocks, per = rules.symbol_blocks, rules.max_contracts_per_instrument
    return attrs.evolve(rules, symbol_blocks=attrs.evolve(blocks, symbols=[
        s for s in blocks.symbols if s not in base.symbol_blocks.symbols]),
        max_contracts_per_instrument=attrs.evolve(per, limits={
            s: n for s, n in per.limits.items()
            if s not in base.max_contracts_per_instrument.limits}))


def check_config(config) -> list[Problem]:
    """Every cross-table problem (errors and warnings) of a structurally valid config."""
    problems: list[Problem] = []
    for name, profile in config.profiles.items():
        problems += _per_instrument_warnings(profile.rules, f"profiles.{name}.rules")
        problems += unknown_symbol_problems(config, profile.rules, f"profiles.{name}.rules")
    seen: dict[str, int] = {}
    for i, account in enumerate(config.accounts):
        where = f"accounts[{i}]"
        for ident in ([f"id {account.id}"] if account.id is not None else []) + (
                [f"name {account.name!r}"] if account.name else []):
            if ident in seen:
                problems.append(Problem(where, f"expected each broker account once, got "
                                        f"{ident} again (also accounts[{seen[ident]}])"))
            seen.setdefault(ident, i)
        try:
            base = profile_rules(config, account.profile)
        except KeyError as exc:
            problems.append(Problem(f"{where}.profile", exc.args[0]))
            continue
        try:
            rules = apply_overrides(base, account.rules, f"{where}.rules")
        except ConfigError as exc:
            problems += exc.problems
            continue
        if account.rules:
            problems += _per_instrument_warnings(rules, f"{where}.rules")
            problems += unknown_symbol_problems(config, _own(rules, base), f"{where}.rules")
    return (problems + duplicate_name_problems(config) + chat_scope_problems(config)
            + shard_address_problems(config))


def duplicate_name_problems(config, severity: str = "warning") -> list[Problem]:
    """A display name another account already goes by (its id, name or display name, ignoring
    case), naming that account, since every command takes an account by any of them (fresh-user
    trial 15b: `accounts set 1003 display_name "Demo 1"` was saved while 1001 was "Demo 1", and
    `flatten "Demo 1"` then flattened one of them).

    A warning in a file as loaded: a config that ran before round 15 may have such names (and
    so may a file a text editor changed while riskd was stopped: a start compares it with
    nothing; trial16g), and a riskd refusing to start on it leaves every account unguarded
    (round 15's note); riskd
    guards both, warns (log, status, `config validate`, an alert) and refuses the name only
    where one is used (find_account: ambiguous). An edit that makes a NEW one is refused
    (new_duplicate_names)."""
    from shared.accountname import called
    out = []
    for i, account in enumerate(config.accounts):
        text = account.display_name
        if not text:
            continue
        for j, other in enumerate(config.accounts):
            # ignoring case too: "demo 1" beside "Demo 1" is one name to a reader (trial15c)
            if j != i and other.matches_any_case(text) \
                    and (j < i or text.casefold() != (other.display_name or "").casefold()):
                ends = ("riskd guards both, but refuses this name wherever an account is "
                        "named by it (riskctl --account, lockout, flatten) until one of them "
                        "is renamed: `riskctl accounts set` or edit this line"
                        if severity == "warning" else "give each account a name of its own")
                out.append(Problem(f"accounts[{i}].display_name",
                                   f"{text!r} is already the name of account "
                                   f"{called(other.label, other.id)}; {ends}", severity))
                break
    return out


def _clash_keys(config) -> set:
    """(name ignoring case, the two accounts) of every duplicate name in config."""
    out = set()
    for account in config.accounts:
        text = account.display_name
        for other in config.accounts:
            if text and other is not account and other.matches_any_case(text):
                out.add((text.casefold(), frozenset((account.key, other.key))))
    return out


def new_duplicate_names(old, new) -> list[Problem]:
    """The duplicate names `new` has that `old` (the file before an edit, or the config riskd
    runs) had not, as errors: an edit may not make one (an upgraded file keeps the ones it
    had, as warnings)."""
    fresh = _clash_keys(new) - (_clash_keys(old) if old is not None else set())
    if not fresh:
        return []
    names = {name for name, _ in fresh}
    return [p for p in duplicate_name_problems(new, "error")
            if new.accounts[int(p.path.split("[")[1].split("]")[0])].display_name.casefold()
            in names]


def shard_address_problems(config) -> list[Problem]:
    """Risk shards 1 .. N-1 bind ports counted from bus.risk_shards_from: none may be taken."""
    from shared import shards
    bus, n = config.bus, config.supervisor.risk_shards
    taken = {getattr(bus, k): k for k in bus.address_keys() if k != "risk_shards_from"}
    out = []
    for k in range(1, n):
        for address in shards.addresses(bus, k):
            if address in taken or shards.port_of(address)[1] > 65535:
                out.append(Problem("bus.risk_shards_from", f"expected free ports for risk shard "
                                   f"{k} of supervisor.risk_shards = {n}, got {address}"
                                   + (f" (bus.{taken[address]})" if address in taken else "")))
    return out
