"""One alert when an account's positions have gone unjudged for over ALERT_AFTER_S (market
restarted and has not read the broker: Engine.unjudged), and one when they are judged again;
never repeated while the doubt lasts (docs/alerts.md). Only an account told of hears the end.

The doubt (which positions, since when) and which accounts were told are saved in risk's state
file (meta 'unjudged', services/risk/store.py: with every commit, and before an alert is
published): a risk restarted mid-doubt keeps counting from the doubt's start, not from its own,
and an account told "not judged" hears "judged again" once the restarted risk's broker read is
in (doubt_json / load_doubt)."""
import json

from shared import unjudged
from shared.when import duration

ALERT_AFTER_S = 30
BEGAN_TITLE = "🟠 Positions not judged: waiting for market's broker read"
ENDED_TITLE = "🟢 Positions judged again"


class UnjudgedAlerts:
    def __init__(self) -> None:
        self.told: dict[int, int] = {}      # account -> the start of the doubt it was told of

    def due(self, engine, now: int, zone) -> list[tuple]:
        """The alerts due now: (kind, severity, title, lines, line_accounts) each."""
        out = []
        for aid, told_since in sorted(self.told.items()):
            since, _why = engine.unjudged(aid)
            if since != told_since:     # ended (or a new doubt began: told again after 30 s)
                del self.told[aid]
                line = (f"{engine.account_name(aid)}: the rules on its positions judge again "
                        f"(after {duration((now - told_since) / 1e9)}: market's broker read "
                        f"is in, or the broker confirmed each position)")
                out.append(("positions_judged_again", "info", ENDED_TITLE, [line], [aid]))
        for aid in sorted(engine.unsure_since):
            since, why = engine.unjudged(aid)
            if not since or aid in self.told or now - since <= ALERT_AFTER_S * 1_000_000_000:
                continue
            self.told[aid] = since
            lines = [f"{engine.account_name(aid)}: {unjudged.line(since, why, zone, now)}",
                     "the rules on its positions (max_contracts, daily_unrealized_loss, "
                     "daily_net_loss, drawdown_guard, symbol_blocks, ...) wait for that read; "
                     "check the account on the broker's platform meanwhile. One more alert "
                     "when they judge again"]
            out.append(("positions_not_judged", "warning", BEGAN_TITLE, lines, [aid, aid]))
        return out


NO_DOUBT = '{"since": {}, "told": {}, "unsure": {}}'


def doubt_json(engine) -> str:
    """The engine's doubt and the alerts' told marks (engine.unjudged_alerts), as saved (at
    every commit: NO_DOUBT, made once, while there is none)."""
    alerts = getattr(engine, "unjudged_alerts", None)
    told = alerts.told if alerts is not None else {}
    if not (engine.unsure or engine.unsure_since or told):
        return NO_DOUBT
    return json.dumps({"unsure": {str(a): sorted(c) for a, c in engine.unsure.items()},
                       "since": {str(a): t for a, t in engine.unsure_since.items()},
                       "told": {str(a): t for a, t in told.items()}}, sort_keys=True)


def load_doubt(engine, text: str) -> None:
    """What doubt_json saved, back into a fresh engine (and its alerts' told marks)."""
    body = json.loads(text or "{}")
    engine.unsure = {int(a): set(c) for a, c in body.get("unsure", {}).items() if c}
    engine.unsure_since = {int(a): int(t) for a, t in body.get("since", {}).items()
                           if int(a) in engine.unsure}
    for aid in engine.unsure:
        engine.account(aid)
    alerts = getattr(engine, "unjudged_alerts", None)
    if alerts is not None:
        alerts.told = {int(a): int(t) for a, t in body.get("told", {}).items()}
