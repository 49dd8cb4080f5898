"""How a rule's numbers read on every screen (`riskctl rules list`, `status`, `watch`): money
always with 2 decimals (500.00, -2.50, 2,000.00), counts (contracts, trades, seconds, ticks)
as whole numbers. Third trial: rule rows read "5/-200" beside "2.50/-200".

reading_text: a rule's reading (its value or its limit; counts for COUNT_RULES, money for
the rest). param_text: one parameter as the wire carries it (TOML value text: "500",
"[{loss = 100, seconds = 300}]") in words, its numbers by the kind of its field in
shared/config/rules.py (money: a to_money field; count: an int field): the one rendering of a
rule parameter for `rules list`, `rules set`'s answer, `accounts list`, status, watch and the
rule-change alerts (trial 2026-12-05: TOML on some screens, words on others). The wire and
--json keep the TOML / JSON values; `rules set` still takes TOML.
"""
from __future__ import annotations

import re
import typing
import tomllib
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

import attrs

from shared.config.rules import RULE_CLASS, LossTier, Session
from shared.config.validators import to_money, to_optional_money
from shared.when import duration

# rules whose value and limit count contracts or trades, not money
# no_stop_loss_grace reads whole seconds (trial15b: history said "value 10.00 vs 10.00")
COUNT_RULES = frozenset({"max_contracts", "max_contracts_per_instrument",
                         "trade_frequency_limit", "no_stop_loss_grace"})
MONEY, COUNT = "money", "count"
# A parameter with no value (drawdown_guard's line before an admin sets it) as screens, docs,
# the audit trail and the rule-change alerts say it (trial 2026-12-05: the alert read
# "drawdown_guard line None -> 48,100.00" where `audit show` read "none").
UNSET = "none"


class Shown(str):
    """A parameter's value already in words, shown as it is (drawdown_guard's line when none
    is set: "48,000.00 (none set: riskd's own line, high-water mark - max_loss)")."""


def money_text(value) -> str:
    """2 decimals, thousands grouped: 500.00, -2.50, 2,000.00; never "-0.00" (a short's open PnL
    at its own price, or a loss under half a cent, is 0.00: trial23a finding 7)."""
    q = Decimal(value).quantize(Decimal('0.01'))
    return f"{q.copy_abs() if q == 0 else q:,.2f}"


def count_text(value) -> str:
    """A whole number: 5, 1800 (a count read as money, 5.00, would not be one)."""
    d = Decimal(value)
    return f"{d.to_integral_value():f}" if d == d.to_integral_value() else f"{d.normalize():f}"


def window_of(detail: str) -> str:
    """' per hour' when a reading counts in a window ('4 of 10 trades per hour'): 4/10 and
    2/3 are different windows, and every screen and alert says which. A warning's words may
    go on after it (reading_aside)."""
    m = re.search(r" per (\w+)(?:$|; )", detail or "")
    return f" per {m.group(1)}" if m else ""


ASIDE = "; "      # a warning's reading, then what riskd's close in flight does to it


def reading_aside(detail: str) -> str:
    """What a warning's reading adds about riskd's close in flight, after ASIDE: 'counting 1
    fill that may be riskd's own close ...' (trade_frequency_limit counts a fill not known yet
    to be riskd's or the trader's), 'not counting 1 contract riskd's close in flight takes'
    (the size rules); '' when nothing (docs/rules.md warn_at)."""
    _, sep, aside = (detail or "").partition(ASIDE)
    return aside if sep else ""


# The asides the rules write (services/risk/rules/trade_frequency_limit.py readings,
# max_contracts.py closing_words), as the screens read them back: a count that includes fills
# not known yet to be the trader's, or leaves out contracts riskd's close in flight takes
HELD_ASIDE = re.compile(r"counting (?P<n>\d+) fills? that may be riskd's own close still in "
                        r"flight(?: \(.*\))?$")
CLOSING_ASIDE = re.compile(r"not counting (?P<n>\d+) contracts? riskd's close in flight "
                           r"takes$")
# a size rule's row past its limit: the contracts held, and how many of them riskd is closing
# (services/risk/rules/max_contracts.py being_closed_words)
BEING_CLOSED_ASIDE = re.compile(r"(?P<n>\d+) of them being closed by riskd$")
# a sliding window's count that reaches over the trading-day roll: how many of its trades were
# made before it (services/risk/rules/trade_frequency_limit.py roll_words; trial24a F7)
BEFORE_ROLL_ASIDE = re.compile(r"(?P<n>\d+) of them before the roll$")
ROW_ASIDES = (HELD_ASIDE, CLOSING_ASIDE, BEING_CLOSED_ASIDE, BEFORE_ROLL_ASIDE)


def asides_of(detail: str) -> list[str]:
    """A reading's asides, each (reading_aside, split at ASIDE)."""
    return [a for a in reading_aside(detail).split(ASIDE) if a]


def held_counted(detail: str) -> int:
    """How many fills a trade count includes that may be riskd's own close in flight (its
    aside, reading_aside); 0 when none."""
    for aside in asides_of(detail):
        m = HELD_ASIDE.match(aside)
        if m:
            return int(m.group("n"))
    return 0


def row_aside(rule: str, detail: str) -> str:
    """The aside a rule's row shows after its count, as its warning says it (row19: the
    warning read "2 of 3 ...; counting 1 fill that may be riskd's own close still in flight"
    while `status` read 1/3): one of the rules' asides, '' for anything else (a SPELLED_OUT
    rule's words are its whole row)."""
    if rule in SPELLED_OUT:
        return ""
    return ASIDE.join(a for a in asides_of(detail) if any(p.match(a) for p in ROW_ASIDES))


def reading_text(rule: str, value: Optional[Decimal]) -> str:
    """A rule's value or limit: counts for COUNT_RULES, money for every other rule."""
    if value is None:
        return "-"
    return count_text(value) if rule in COUNT_RULES else money_text(value)


# Rules whose reading every screen shows in risk's own words (its measure's detail), never as
# "value / limit": drawdown_guard acts at line + buffer, which is not the line an admin set
# (trial 2026-12-05: `rules list` read "49,613.11 / 48,200.00" beside line=48,100.00).
# no_stop_loss_grace's reading is its countdown, "MNQ has no stop: closed in 3s unless a stop
# is placed" (docs/rules.md; trial 17g: its row read "3/10 35%"), and those words are the
# whole row: no share beside them (WORDS_ONLY).
# the rules whose line is a profit to reach, set as `target`: their warnings, alerts and
# answers call it the target, not a limit (trial 21b: "max_unrealized_profit at 82% of its
# limit", "value 325.00 vs limit 300.00" of a profit target)
TARGET_RULES = frozenset({"max_unrealized_profit", "daily_realized_profit"})


def line_word(rule: str) -> str:
    """'target' for a rule whose line is a profit target, 'limit' for every other."""
    return "target" if rule in TARGET_RULES else "limit"


SPELLED_OUT = frozenset({"drawdown_guard", "no_stop_loss_grace"})
# Rules with no reading whose row adds what they enforce now, in risk's words (its detail:
# services/risk/rules Rule.state_words), beside their parameters: session_block_outside's
# "outside the session until Tue 05:00 CST: any new position is closed, ..." (fresh-user
# trial 21b: only the symbols it had locked showed, while every new position was closed).
STATE_WORDS = frozenset({"session_block_outside"})
WORDS_ONLY = frozenset({"no_stop_loss_grace"})


def drawdown_reading(equity: Decimal, line: Decimal, buffer: Decimal) -> str:
    """drawdown_guard's figure in words, the one rendering of it: the reading on status,
    watch, rules list and /status, the warning alert, and the breach's reason (the alert,
    history, replay). Above where riskd acts: 'equity 49,613.11, acts at 48,200.00 (line
    48,100.00 + buffer 100.00)'; inside the buffer: 'equity 48,050.00 is 50.00 above the
    firm's max-loss line 48,000.00, inside the 100.00 buffer where riskd acts'; at or past the
    line, that the firm's limit is broken. Trial 2026-12-06: with equity 224.89 below the line
    the alert read "within 100.00 of the max-loss line" and status "acts at 48,100.00", as if
    there were room left."""
    equity, line, buffer = Decimal(equity), Decimal(line), Decimal(buffer)
    firm_line = f"the firm's max-loss line {money_text(line)}"
    if equity < line:
        return (f"equity {money_text(equity)} is {money_text(line - equity)} below "
                f"{firm_line}: the firm's limit is broken")
    if equity == line:
        return f"equity {money_text(equity)} is at {firm_line}: the firm's limit is reached"
    if equity <= line + buffer:
        return (f"equity {money_text(equity)} is {money_text(equity - line)} above "
                f"{firm_line}, inside the {money_text(buffer)} buffer where riskd acts")
    return (f"equity {money_text(equity)}, acts at {money_text(line + buffer)} "
            f"(line {money_text(line)} + buffer {money_text(buffer)})")


def spelled_out(rule: str, reading: str) -> str:
    """The reading in risk's words (detail without its note) for a SPELLED_OUT rule; ''
    for every other rule, whose screens show value / limit."""
    return reading if rule in SPELLED_OUT and reading else ""


def warning_said(rule: str, reason: str) -> Optional[tuple[str, str]]:
    """(share, words) of a SPELLED_OUT rule's warning, from risk's reason ('drawdown_guard at
    84% of its limit: equity 48,500.00, acts at 48,200.00 (...)' -> ('84%', 'equity ...')), for
    the alert and the phone's /history; None for any other rule or reason. Equity against
    line + buffer is no share of anything (the alert read "at 101%" where risk measured 84 %)."""
    said = re.match(rf"{re.escape(rule)} at (\d+%) of its (?:limit|target): (.+)$", reason or "")
    words = said.group(2).partition(ASIDE)[0] if said else ""   # without its asides
    return (said.group(1), words) if spelled_out(rule, words) else None


POSITION_SCOPED = ("daily_unrealized_loss", "max_unrealized_profit")


def warning_position(rule: str, reason: str) -> str:
    """The position a position-scope warning is of, as risk's reason names it ('daily_unrealized_
    loss at 80% of its limit: MNQ open PnL -161.00' -> 'MNQ open PnL -161.00'); '' for an
    account-scope reading ('open PnL ...') or any other rule. Trial22a F4: the phone's warning
    said "value -161.00 vs limit -200.00" and not which position, with two held."""
    if rule not in POSITION_SCOPED:
        return ""
    said = re.match(rf"{re.escape(rule)} at \d+% of its (?:limit|target): (.+)$", reason or "")
    words = said.group(1).partition(ASIDE)[0] if said else ""
    return words if re.match(r"\S+ open PnL ", words) else ""


def value_limit_text(rule: str, value: Optional[Decimal], limit: Optional[Decimal],
                     reading: str = "", sep: str = " / ") -> str:
    """A rule's reading beside its limit on a screen: '2 / 5', '4 / 10 per hour' (the window
    read from `reading`, risk's detail without its note), or for drawdown_guard its words."""
    shown = reading_text(rule, value)
    if rule not in COUNT_RULES and rule != "drawdown_guard" and value is not None \
            and shown not in ("-", "0.00") and not shown.startswith("-"):   # PnL, not equity
        shown = "+" + shown     # a profit beside a loss line: "+45.43/-500.00", as the bars
        # say it (trial23a finding 7: "45.43/-500.00" read as a loss of 45.43)
    return spelled_out(rule, reading) or (
        f"{shown}{sep}{reading_text(rule, limit)}{window_of(reading)}")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def count_consequence(rule: str, limit: Optional[Decimal], reading: str, params: dict) -> str:
    """What the trade that reaches a trade_frequency_limit count does, for its row: 'the 3rd
    starts a 1m00s cooldown' ('' for other rules, or when the parameters are not known). A
    count reaching its limit acts at once (docs/rules.md): with per_minute = 3 there is no
    4th trade, though "2/3" read as one more left after the 3rd (trial 2026-12-06)."""
    window = window_of(reading).strip()[len("per "):]
    if rule != "trade_frequency_limit" or limit is None or not window:
        return ""
    nth = ordinal(int(limit))
    if window in ("minute", "hour", "session"):
        seconds = (params or {}).get(f"per_{window}_cooldown")
        try:
            what = f"starts a {duration(int(Decimal(str(seconds))))} cooldown"
        except (InvalidOperation, TypeError, ValueError):
            return ""
        if str((params or {}).get("flatten", "")).lower() == "true":
            what += " and flattens"
        return f"the {nth} {what}"
    if window in ("day", "week"):
        return f"the {nth} flattens and locks until the {'roll' if window == 'day' else 'week ends'}"
    return ""


def next_trade_words(rule: str, value, limit, reading: str, params: dict) -> str:
    """A trade count at or past its limit, as its row says it (cli/watch/model.py) and the
    answer to a rule edit (services/supervisor/commands/rule_acted.py): 'at the limit: the
    next trade starts a 2m00s cooldown', 'over the limit: ...' (6/3: trial13a); '' below the
    limit, for other rules, or when the parameters are not known. Trial22c: `rules set ...
    per_minute_cooldown 120` at 3 of 3 answered "the rule acts the moment the account reaches
    it", though the account had reached it."""
    if value is None or limit is None or Decimal(str(value)) < Decimal(str(limit)):
        return ""
    then = count_consequence(rule, Decimal(str(limit)), reading, params)
    rest = then.split(" ", 2)[2] if then.startswith("the ") else then    # 'the 10th ...'
    if not rest:
        return ""
    where = "over the limit" if Decimal(str(value)) > Decimal(str(limit)) else "at the limit"
    return f"{where}: the next trade {rest}"


def reached_words(count: int, window: str, limit: int) -> str:
    """trade_frequency_limit's breach: '3 trades this minute reached the limit of 3' (the
    reason its cooldown's lockout keeps: lock_window reads the window back)."""
    return f"{count} trades this {window} reached the limit of {limit}"


def lock_window(reason: str) -> str:
    """The window whose count a trade_frequency_limit lockout's reason names last (its
    latest extension's: 'minute', 'hour', 'session', ...); '' when it names none."""
    found = re.findall(r"\d+ trades this (\w+) reached the limit of", reason or "")
    return found[-1] if found else ""


def warning_next(rule: str, value, limit, reason: str) -> str:
    """What a trade_frequency_limit warning warns of, for history's note and the warning's
    alert alike (trial16g: the alert omitted it): 'the next trade
    starts the cooldown' (2 of 3 per minute), 'the 10th trade starts the cooldown' (8 of 10
    per hour), 'the next trade flattens and locks until the roll' (per day); '' for other
    rules. Trial 14a: docs/rules.md quoted "the next one starts the cooldown" for the 2-of-3
    warning, and history's line did not say it."""
    window = window_of(reason).strip()[len("per "):]
    if rule != "trade_frequency_limit" or value is None or limit is None or not window:
        return ""
    try:
        n, last = int(Decimal(str(value))), int(Decimal(str(limit)))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if n >= last:
        return ""
    which = "the next trade" if n + 1 == last else f"the {ordinal(last)} trade"
    if window in ("minute", "hour", "session"):
        return f"{which} starts the cooldown"
    if window in ("day", "week"):
        return f"{which} flattens and locks until the {'roll' if window == 'day' else 'week ends'}"
    return ""


def versus_text(rule: str, value: Optional[Decimal], limit: Optional[Decimal]) -> str:
    """'-603.33 vs -600.00' (money), '2 vs 3' (counts): a reading beside its limit, as history
    shows it; '' when there is no reading (a note)."""
    if value is None:
        return ""
    return f"{reading_text(rule, value)} vs {reading_text(rule, limit)}"


def _kind(field: attrs.Attribute) -> Any:
    """MONEY, COUNT, an attrs class (a Session, a list's or dict's items), or None."""
    if field.converter in (to_money, to_optional_money):
        return MONEY
    if field.type is int:
        return COUNT
    if isinstance(field.type, type) and attrs.has(field.type):
        return field.type
    for arg in typing.get_args(field.type):
        if attrs.has(arg):
            return arg
        if arg is int and typing.get_origin(field.type) is dict:
            return COUNT
    return None


def _kinds(cls: type) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {f.name: _kind(f) for f in attrs.fields(cls)}


WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def days_text(days: list) -> str:
    """'mon-fri' for a run of 3 days or more in week order, else 'mon/wed/fri'."""
    days = [str(d) for d in days]
    at = [WEEK.index(d) for d in days if d in WEEK]
    if len(days) >= 3 and len(at) == len(days) and at == list(range(at[0], at[0] + len(at))):
        return f"{days[0]}-{days[-1]}"
    return "/".join(days) or "none"


def _number(value: Any, kind: Any) -> str:
    if kind == MONEY:
        return money_text(Decimal(str(value)))
    if kind == COUNT or isinstance(value, int):
        return count_text(Decimal(str(value)))
    return f"{Decimal(str(value)).normalize():f}"


def _readable(value: Any, kind: Any) -> str:
    """value (TOML parsed) as a person reads it: numbers by kind, a word as itself (never in
    quotes), a list or table as words, never TOML syntax."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return _number(value, kind)
    if isinstance(value, str):
        return value or "none"
    if isinstance(value, list):
        if kind is LossTier:        # a loss, then how long the cooldown lasts
            return ", ".join(f"{money_text(Decimal(str(t['loss'])))}->{duration(int(t['seconds']))}"
                             for t in value) or "none"
        return ", ".join(_readable(v, kind) for v in value) or "none"
    if isinstance(value, dict):
        if kind is Session and value and not any(isinstance(v, dict) for v in value.values()):
            return session_text(value)          # `default`; `sessions` maps symbols to them
        return ", ".join(f"{k} {_readable(v, kind)}" for k, v in value.items()) or "none"
    return str(value)


def session_text(session: dict) -> str:
    """'mon-fri 08:30-15:00 America/Chicago': a session as a person reads it."""
    days = days_text(session.get("days", []))
    hours = f"{session.get('start', '?')}-{session.get('end', '?')}"
    return " ".join(x for x in (days, hours, session.get("timezone", "")) if x)


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def param_text(rule: str, key: str, text: str) -> str:
    """One parameter's wire text (TOML value syntax, as the config file and the wire carry
    it) as every screen and answer shows it: 'limit' '500' -> '500.00' for daily_realized_loss,
    '3' stays '3' for max_contracts, '"gross"' -> 'gross', cooldown tiers
    '[{loss = 100, seconds = 300}]' -> '100.00->5m00s', a session '{start = "08:30", ...}' ->
    'mon-fri 08:30-15:00 America/Chicago', '[]' -> 'none'. Trial 2026-12-05: `rules list`,
    `rules set` and `accounts list` showed the TOML where status and watch showed words.
    A text that is not TOML ('none', a word) is shown as it came. `rules set` still takes TOML."""
    cls = RULE_CLASS.get(rule)
    kind = _kinds(cls).get(key) if cls is not None else None
    try:     # tomllib, as riskd reads the file (shared/config/load.parse_toml); tomlkit, a
        value = tomllib.loads(f"v = {text}")["v"]      # slow import, for what it refuses
    except tomllib.TOMLDecodeError:
        if _WORD.fullmatch(text):       # a word ('reduce', 'position'): TOML to neither
            return text
        import tomlkit    # noqa: PLC0415
        try:
            value = tomlkit.parse(f"v = {text}")["v"]
            value = value.unwrap() if hasattr(value, "unwrap") else value
        except Exception:  # noqa: BLE001 -- not TOML value syntax ("none", a word): as it came
            return text
    try:
        return _readable(value, kind)
    except (InvalidOperation, ValueError, TypeError, KeyError, AttributeError):
        return text


def setting_text(rule: str, key: str, value: Any) -> str:
    """One parameter's value as a rule holds it (Decimal, int, list) as screens show it:
    'limit 250.00 -> 3,000.00' in a rule-change alert, as `rules list` shows -3,000.00
    (trial 2026-12-05: 'limit 250 -> 3000'); UNSET ('none') for no value, never Python's
    'None' (trial 2026-12-05: 'drawdown_guard line None -> 48,100.00')."""
    if value is None:
        return UNSET
    if isinstance(value, Shown):
        return str(value)
    from shared.config.convert import human_value
    return param_text(rule, key, human_value(value))


def setting_words(rule: str, key: str, text: str) -> str:
    """A parameter and its value in a sentence: 'limit 500.00', 'tiers 100.00->5m00s',
    'the rule on' for enabled (never 'enabled = true')."""
    if key == "enabled":
        return "the rule " + ("on" if str(text).strip().lower() == "true" else "off")
    return f"{key} {param_text(rule, key, text)}"


def tiers_text(text: str) -> Optional[str]:
    """cooldown_after_loss tiers as a person reads them ('100.00->5m00s, 300.00->30m00s');
    None when the text is not a list of tiers."""
    shown = param_text("cooldown_after_loss", "tiers", text)
    return shown if "->" in shown else None


def params_texts(rule: str, params: dict) -> dict[str, str]:
    """param_text of every parameter of a rule, in its order."""
    return {k: param_text(rule, k, str(v)) for k, v in params.items()}
