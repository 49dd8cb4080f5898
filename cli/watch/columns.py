"""Column widths and cut names of the watch screen's tables (pure): rule names cut in the
middle so each still reads as one rule, and LAST ACTIONS' columns sized so its latency shows
whole or not at all (fresh-user trial 2026-12-06, 80x24: "max_contract…" for two rules, a
latency of "0.0…")."""
from __future__ import annotations

import os

from typing import Iterable, Optional, Sequence

from shared.outcomewords import ACTION_WORDS

CUT = "\u2026"                # '…': the end of a line cut at the width, or a name's middle


def name_cuts(names: Iterable[str], width: int) -> dict[str, str]:
    """Each rule name in a column `width` wide: whole and padded when it fits, else cut in the
    middle with CUT, its start and its end kept ('max_co…rument'), where the cut falls chosen
    so that it reads as that rule only, among every rule riskd has (fresh-user trial
    2026-12-06: max_contracts and max_contracts_per_instrument both read 'max_contract…' at
    80x24; daily_realized_loss and daily_unrealized_loss differ only in their middle:
    'daily_r…_loss', 'daily_u…_loss'). The same name is cut the same way on every screen. A cut
    always shows its CUT (trial: 'max_contracts_per_in' said nothing)."""
    from shared.config.rules import RULE_NAMES
    names = list(dict.fromkeys(names))
    known = set(RULE_NAMES) | set(names)
    out: dict[str, str] = {}
    for name in names:
        if len(name) <= width:
            out[name] = f"{name:<{width}}"
        elif width < 3:
            out[name] = name[:max(0, width - 1)] + CUT
        else:
            keep = width - 1                               # characters around the CUT
            balanced = keep - keep // 2
            # the head reaches 3 characters past the start the name shares with a rule of
            # the same ending, when a tail of 3 is still kept (trial16c: 'daily_r…d_loss'
            # and 'daily_u…d_loss' looked alike at 80x24; now 'daily_rea…_loss' and
            # 'daily_unr…_loss')
            shared = max([len(os.path.commonprefix([name, o])) for o in known
                          if o != name and o[-4:] == name[-4:]] or [0])
            telling = shared + 3 if shared + 3 <= keep - 3 else 0
            heads = sorted(range(1, keep), key=lambda h: (h < telling, abs(h - balanced), -h))
            out[name] = next((_cut(name, h, keep) for h in heads if not any(
                _reads_as(other, name[:h], name[len(name) - (keep - h):], width)
                for other in known if other != name)), _cut(name, balanced, keep))
    return out


def _cut(name: str, head: int, keep: int) -> str:
    return name[:head] + CUT + name[len(name) - (keep - head):]


def _reads_as(other: str, head: str, tail: str, width: int) -> bool:
    """A cut 'head…tail' could be `other`'s name too (a name that fits is never cut)."""
    return len(other) > width and other.startswith(head) and other.endswith(tail)


RULE_W, ACTION_W = 22, 19      # LAST ACTIONS' rule and action columns, whole ('close_position MNQ')
MIN_RULE_W, MIN_ACTION_W, MIN_OUTCOME_W = 13, 12, 10     # the narrowest they get for latency
# an action in a word or two (shared/outcomewords.ACTION_WORDS), for an action column too narrow
# for its names (trial18c: at 80x24 the rule names gave way instead: 'no_sto…_grace')


# who acted, when not a rule, in a word or two for a rule column too narrow for it (trial20c
# section 6: 'riskd (l…e close)' at 80 columns): cut in its middle it read as no word at all
WHO_WORDS = {"riskd (late close)": "late close", "lockout enforcement": "lockout",
             "trader (self-lockout)": "self-lockout", "the admin (admin lockout)": "admin lock",
             "trader (after riskd's close)": "trader",
             "trader (during riskd's close)": "trader"}


def who_word(who: str, width: int) -> str:
    """LAST ACTIONS' rule cell in a column `width` wide: the rule or who acted when it fits,
    else who acted in a word or two (WHO_WORDS; a rule name is cut by name_cuts)."""
    if len(who) <= width:
        return who
    short = WHO_WORDS.get(who, who)
    return short if len(short) <= width else who


def action_word(action: str, width: int) -> str:
    """The action as LAST ACTIONS shows it in a column `width` wide: its name when it fits,
    else its short word ('close_position' -> 'close'), the contract after it kept ('close_position
    MNQ' -> 'close MNQ')."""
    if len(action) <= width:
        return action
    name, sep, contract = action.partition(" ")
    return f"{ACTION_WORDS.get(name, name)}{sep}{contract}"


def action_cell(action: str, contract: str) -> str:
    """The action and the contract it acted on, in one cell: 'close_position MNQ', 'flatten'
    (trial20a section 7: two 'close_position done' rows, MNQ and ES, could not be told apart)."""
    return f"{action} {contract}" if contract else action


def action_columns(width: int, when: int, outcome: int, latencies: list[str],
                   rules: Optional[Sequence[str]] = None,
                   actions: Optional[Sequence[str]] = None) -> tuple[int, int, int, int]:
    """(rule, action, outcome, latency) widths of LAST ACTIONS in `width` characters: the
    latency column gets its few characters whole (fresh-user trial 2026-12-06: at 80 columns
    it read '6…', '0.0…' or '…'). The rule and action columns are as wide as the names they
    show (at most RULE_W, ACTION_W; rules, actions: the rows' names, None: the widest). The
    action column gives way first, to its short words (action_word: 'close', 'reduce'), so a
    rule name keeps its letters (trial18c: 'no_sto…_grace', 'lockou…cement' at 80x24); then
    the outcome (its words whole on a line under the row), the rule (cut in its middle, still
    itself), the action columns down to their narrowest; narrower still, the latency column is
    left out, never cut."""
    lat_w = max([len("latency"), *(len(x) for x in latencies)])
    rule_w = RULE_W if rules is None else min(RULE_W, max([len("rule"), *map(len, rules)]))
    action_w = ACTION_W if actions is None else \
        min(ACTION_W, max([len("action"), *map(len, actions)]))
    cols = [rule_w, action_w, outcome]
    over = when + 1 + sum(cols) + 3 + lat_w - width          # 4 blanks between 5 columns
    if over > 0 and actions is not None:                      # the short words, uncut
        words = max([len("action"), *(len(action_word(a, 0)) for a in actions)])
        give = max(0, min(over, cols[1] - words))
        cols[1] -= give
        over -= give
    floors = [min(rule_w, MIN_RULE_W), min(cols[1], MIN_ACTION_W), min(outcome, MIN_OUTCOME_W)]
    # the outcome first: a cut outcome's words are whole on a line under its row, a rule
    # name's are nowhere else (round 20: the contract in the action column cut
    # 'lockou…cement' and 'trade_…_limit' at 80 columns)
    for i in (2, 0, 1):                                       # outcome, rule, action
        give = max(0, min(over, cols[i] - floors[i]))
        cols[i] -= give
        over -= give
    if over > 0:                           # no room for the latency whole: none of it
        return rule_w, action_w, outcome, 0
    return cols[0], cols[1], cols[2], lat_w
