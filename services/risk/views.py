"""Read-only views of the engine: the per-account status document and each rule's reading."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from services.risk import oldsetting
from services.risk.pnl import account_unrealized, net_open_pnl, position_unrealized
from services.risk.rules.base import Ctx
from services.risk.settings import UNGUARDED_AT_ROLL
from shared import pricewords
from shared.config.convert import toml_value_text
from shared.messages.risk import (AccountRules, AccountStatus, PositionView, RuleValue,
                                 WindowReading)
from shared.rulenumbers import UNSET


def value_text(value) -> str:
    """One parameter as people and riskctl read it: TOML value syntax as the config file has
    it (100, true, [{loss = 100, seconds = 300}]), a text as itself, 'none' for no value --
    never a Python repr (Decimal('100'), True)."""
    if value is None:
        return UNSET
    if isinstance(value, str):
        return value
    try:
        return toml_value_text(value)
    except Exception:  # noqa: BLE001 -- a value TOML cannot hold is still shown
        return str(value)


_PARAMS_TEXT: dict[int, tuple[object, dict[str, str]]] = {}    # id(params) -> (params, text)
_PARAMS_TEXT_MAX = 4096


def params_text(params) -> dict[str, str]:
    """A rule's parameters as strings for the wire (common fields left out).

    Written once per params object (they are frozen; accounts of one profile share them):
    the status of every changed account, 5 times a second, wrote the same TOML again, and
    with 500 accounts in a quote storm that was most of risk's CPU."""
    hit = _PARAMS_TEXT.get(id(params))
    if hit is None or hit[0] is not params:
        if len(_PARAMS_TEXT) >= _PARAMS_TEXT_MAX:
            _PARAMS_TEXT.clear()
        hit = _PARAMS_TEXT[id(params)] = (params, {
            f.name: value_text(getattr(params, f.name)) for f in attrs.fields(type(params))
            if f.name not in ("enabled", "mode", "warn_at")})
    return dict(hit[1])


def past_limit_note(engine, account_id: int, rule: str, progress, params=None) -> str:
    """'; locked already, no new action' or '; locked by this rule' after the detail of a limit
    past 100 % under an account-wide lockout, from what risk did (Engine.breach_note); under
    100 % while the rule's own lockout holds the account, '; locked by this rule' or '; locked
    by this rule under its old setting' (services/risk/oldsetting.py); else ''. The screens
    show the note risk wrote here (shared/messages/risk.note_of)."""
    note = (engine.breach_note(account_id, rule) if progress >= 1
            else oldsetting.own_lock_note(engine, account_id, rule, params))
    return f"; {note}" if note else ""


def off_lock_note(engine, account_id: int, rule: str, params) -> str:
    """'; locked by this rule under its old setting' after the description of a rule switched
    off while its own lockout holds the account (fresh-user trial 21a section 3: listed only
    under "off:" beside the banner of its lockout); '' otherwise."""
    if params.enabled:
        return ""
    note = oldsetting.own_lock_note(engine, account_id, rule, params)
    return f"; {note}" if note else ""


def rule_values(engine, account_id: int, now: int, with_params: bool = False,
                with_windows: bool = False) -> list[RuleValue]:
    """Each rule's row; with_windows: a rule counting in several windows lists each one's
    count too (RulesReply only: a rule edit's answer names the edited window's)."""
    acct = engine.accounts.get(account_id)
    if acct is None:
        return []
    cfg = engine.settings.for_account(acct)
    if cfg is None:
        return []
    ctx = Ctx(acct, engine.market, engine.calendar,
              holiday_files=getattr(engine, "holiday_files", None) or {})
    waiting = getattr(engine.settings, "waiting", lambda _a: {})(account_id)
    own = getattr(engine.settings, "own", lambda _a: {})(account_id)
    zone = getattr(engine, "zone", None) or dt.timezone.utc
    out = []
    for name, rule in engine.rules.items():
        params = getattr(cfg, name)
        m, state, windows = None, "", []
        if params.enabled:
            try:
                m = rule.shown(ctx, now, params)     # as its warning counts (Rule.shown)
                if with_windows and rule.windowed and m is not None:  # each window's own count, as it warns
                    windows = [WindowReading(key=w.key, value=w.value, limit=w.limit,
                                             detail=w.detail)
                               for w in rule.warn_readings(ctx, now, params)]
                # a rule with no reading: what it enforces now (Rule.state_words)
                state = "" if m is not None else rule.state_words(ctx, now, params, zone)
            except Exception:          # a reading is never worth a crash
                m = None
        out.append(RuleValue(
            rule=name, enabled=params.enabled, mode=params.mode,
            value=m.value if m else None, limit=m.limit if m else None,
            progress=round(m.progress, 4) if m else None,
            # a limit past 100 % with no new action: the account is locked (docs/rules.md)
            detail=(m.detail + past_limit_note(engine, account_id, name, m.progress, params) if m
                    else (state or rule.description)
                    + off_lock_note(engine, account_id, name, params)),
            params=params_text(params) if with_params else {},
            warn_at=m.warn_share(params.warn_at) if m else params.warn_at,
            waiting={p: value_text(new) for p, (_now, new) in waiting.get(name, {}).items()},
            own=sorted(own.get(name, ())), windows=windows))
    return out


def unvalued_why(account, market, position) -> str:
    """Why a position has no open PnL (shared/pricewords.py), '' when it has one."""
    if position_unrealized(account, market, position) is not None:
        return ""
    if market.price(position.contract_id) is None:
        return pricewords.NO_QUOTE
    if market.price_of(position) is None:
        return pricewords.NOT_SINCE_OPENED
    if market.contracts.get(position.contract_id) is None:
        return pricewords.NO_CONTRACT
    return ""


def price_stale_since(engine, contract_id: str, now: int) -> Optional[int]:
    """When the contract's prices went silent during trading hours, None while they flow (the
    engine's QuietFeed: services/risk/quietfeed.py, shared/quietprice.py)."""
    quiet = getattr(engine, "quiet", None)
    return quiet.silent_since(contract_id, now) if quiet is not None else None


def price_flowing_since(engine, contract_id: str, now: int) -> Optional[int]:
    """When quotes began to flow again in that silence, None when they have not (QuietFeed)."""
    quiet = getattr(engine, "quiet", None)
    return quiet.flowing_since(contract_id, now) if quiet is not None else None


def account_status(engine, account_id: int, now: int) -> Optional[AccountStatus]:
    acct = engine.accounts.get(account_id)
    if acct is None:
        return None
    # the open PnL the rules read with realized (net loss, equity): the positions' plus that
    # of contracts closed whose fills have not come (pnl.net_open_pnl), so the header's net is
    # the figure daily_net_loss's row shows (trial23b finding 6: "net -228.73" above a bar at
    # -433.73 while the close's Position had come and its Trade not yet)
    unrealized, complete = net_open_pnl(acct, engine.market,
                                        account_unrealized(acct, engine.market))
    positions = [PositionView(contract_id=p.contract_id, symbol=p.symbol,
                              side=p.side_word, size=p.size,
                              average_price=p.average_price,
                              last=engine.market.price(p.contract_id),
                              quoted_ns=engine.market.quoted_ns.get(p.contract_id),
                              unrealized=position_unrealized(acct, engine.market, p),
                              unvalued=unvalued_why(acct, engine.market, p),
                              price_stale_since=price_stale_since(engine, p.contract_id, now),
                              price_flowing_since=price_flowing_since(engine, p.contract_id,
                                                                      now))
                 for p in sorted(acct.positions.values(), key=lambda p: p.contract_id)]
    day = acct.trading_day or engine.day
    # the rows first: they resolve the account's settings, and only then is `pending` known
    # (account_rules below)
    rules = rule_values(engine, account_id, now, with_params=True)
    pending = getattr(engine.settings, "pending_for", lambda _a: [])(account_id)
    since, unjudged = engine.unjudged(account_id) if hasattr(engine, "unjudged") else (0, "")
    return AccountStatus(
        account_id=account_id, name=acct.name, ts_ns=now,
        trading_day=day.isoformat() if day else "", balance=acct.balance,
        can_trade=acct.can_trade, realized=acct.realized(True), fees=acct.fees,
        unrealized=unrealized, unrealized_complete=complete, trades_today=acct.trades_today,
        open_orders=len(acct.orders), positions=positions,
        rules=rules, unguarded_at_roll=UNGUARDED_AT_ROLL in pending,
        lockouts=engine.lockouts.all(account_id),
        next_roll_ns=engine.calendar.next_roll(now),
        failing=engine.failing_views(account_id),
        ended=engine.ended_views(account_id) if hasattr(engine, "ended_views") else {},
        not_guarded=engine.not_guarded(account_id) if hasattr(engine, "not_guarded") else "",
        positions_unjudged=unjudged, positions_unjudged_since=since)


def account_rules(engine, account_id: int, now: int, last_edit=None) -> AccountRules:
    """last_edit: (digest, lastedit.record) of risk's last config reload, or None."""
    acct = engine.accounts.get(account_id)
    # the rows first: they resolve the account's settings (after a restart, what waited for
    # the roll is taken back from the state file then), and only then is `pending` known.
    # Read before, it was empty after a restart until something else (a status published for
    # a watch screen) had resolved them: "rules list" showed a waiting limit in its row and
    # nothing waiting in its summary
    rules = rule_values(engine, account_id, now, with_params=True, with_windows=True)
    pending = getattr(engine.settings, "pending_for", lambda _a: [])(account_id)
    digest, changed = last_edit or ("", {})
    return AccountRules(account_id=account_id, name=acct.name if acct else "",
                        rules=rules, pending=pending, config_digest=digest or "",
                        changed=changed.get(account_id, {}))


__all__ = ["account_status", "rule_values", "account_rules", "params_text"]
