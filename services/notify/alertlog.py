"""Every alert in the log, in full: the text a channel gets, at the level of its severity.

With no Telegram or Discord channel configured the log is where alerts go (docs/alerts.md,
"Without a channel"), so each one is logged whole (title and body lines, secrets masked by the
caller like the channel text) at INFO, WARNING or CRITICAL for info, warning, critical: a
critical "accounts are NOT guarded" shows in `riskctl logs --level warning` and on riskd's
stderr. Channels or not, the line is the same and says where the alert went. A record about
an account carries its id in "account", like risk's decision records, so `riskctl logs
--account ID` finds the alerts with the decisions.
"""
from __future__ import annotations

import logging
from typing import Iterable

from services.notify.templates import CRITICAL, INFO, WARNING, Alert
from shared.messages.notify import LINE_HEADER

log = logging.getLogger("services.notify.alerts")

LEVELS = {INFO: logging.INFO, WARNING: logging.WARNING, CRITICAL: logging.CRITICAL}


def level_of(severity: str) -> int:
    """The log level of an alert's severity (an unknown one logs as WARNING: never hidden)."""
    return LEVELS.get(severity, logging.WARNING)


def log_alert(alert: Alert, text: str, channels: Iterable[str]) -> None:
    """Log the alert's full text (already redacted) and the channels it was queued for."""
    names = ",".join(channels)
    where = f"queued for {names}" if names else "no channel takes it, logged only"
    log.log(level_of(alert.severity), "alert %s (%s), %s:\n%s", alert.kind, alert.severity,
            where, text, extra={"alert": alert.kind, "severity": alert.severity,
                                "channels": names, **account_fields(alert)})


def account_fields(alert: Alert) -> dict:
    """The account an alert is about, in the fields risk's decision records use: "account" is
    its id (what `riskctl logs --account ID` matches), "account_name" the name the alert shows
    (a system alert, about no one account, has neither). An alert that names its account only
    line by line (line_accounts: risk's "no longer guarded" / "guarded again", the
    supervisor's stop alerts) is about the accounts its lines name: one gives "account", several
    "accounts" ("1001,1002": a record's fields are scalars; `riskctl logs --account ID` matches
    any of them). Trial 2026-12-06:
    `riskctl logs --account 1002` missed both guard alerts, logged with no account field."""
    out: dict = {}
    if alert.account_id is not None:
        out["account"] = alert.account_id
    else:
        # a header line's mark (LINE_HEADER, -1) is no account (trial15c: "accounts=-1,1001")
        owners = sorted({a for a in alert.line_accounts if a is not None and a != LINE_HEADER})
        if len(owners) == 1:
            out["account"] = owners[0]
        elif owners:
            out["accounts"] = ",".join(str(a) for a in owners)
    if alert.account:
        out["account_name"] = alert.account
    return out
