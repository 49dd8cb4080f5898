"""Which riskd answered: riskctl's check that the riskd on its control port runs its config.

Two riskd on one machine with the same ports (a second clone left on the defaults): the
second one does not start, and every riskctl command run with the second config then reached
the FIRST riskd and acted on it without a word (fresh-user trial 15a: `status` named the
other config in its first line and warned of nothing; `lockouts`, `unlock`, `rules set`,
`shutdown`, `flatten` gave no sign). An admin could unlock or shut down the wrong desk.

Before its first request riskctl asks the supervisor which config it runs (its Ping answer
carries its config path and its data dir) and compares it with the config riskctl read:
- the same config file (real paths), or the same data dir: the same riskd. The data dir is
  the robust identity: one riskd per data dir (shared/instancelock.py), so a copy of the
  config elsewhere (a trader's copy of a service config) still matches;
- riskctl's config names no data dir ([paths] data_dir missing: a client config holding only
  the [bus] addresses, as winservice/install.py writes it): nothing to compare, no check;
- otherwise another riskd answered: a read command runs with a warning at the top (on
  stderr, so --json stays one document); a command that changes anything is refused,
  naming both configs and the way to reach the right riskd. No override: the riskd that
  answered is reached on purpose with its own config (`--config`), and the config riskctl
  read is not that riskd's.

A request type not listed in READS changes something: a new command is refused against the
wrong riskd until it is listed here.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional

import attrs

from cli import configfile
from cli.errors import CliError
from shared.commandwords import words

READS = frozenset({
    "Ping", "WorkersRequest", "StatusRequest", "PositionsRequest", "OrdersRequest",
    "ConfigShow", "ConfigBackupsRequest", "RuleParamsRequest", "NotifyStatusRequest",
    "RiskStatusRequest", "LockoutsRequest", "HistoryRequest", "RulesRequest",
    "EnforcementStatusRequest", "AccountsRequest",
    # a session of the other riskd changes nothing of either desk (and is keyed by the
    # shared control address anyway): warned, not refused
    "LoginRequest", "LogoutRequest", "WhoAmIRequest",
})

DOC = 'docs/operations.md, "Two riskd on one machine"'


@attrs.frozen
class Other:
    """The riskd that answered runs another config than the one riskctl read."""
    control: str
    theirs_path: str
    theirs_data: str
    ours_path: str
    ours_data: str

    def warning(self) -> str:
        return (f"WARNING: the riskd answering at {self.control} is NOT the riskd of the "
                f"config riskctl read: it runs {self.theirs_path} (data dir "
                f"{self.theirs_data}), riskctl read {self.ours_path} (data dir "
                f"{self.ours_data}). What follows is that other riskd's. {self._way()}")

    def screen(self) -> str:
        """The warning for `riskctl watch`'s screen, short enough for its lines."""
        return (f"NOT the riskd of the config you gave: the riskd answering at {self.control} "
                f"runs {self.theirs_path}, not {self.ours_path}: what this screen shows is "
                f"that other riskd's ({DOC})")

    def refusal(self, command: Any) -> str:
        name = type(command).__name__
        return self.refusal_of(f"riskctl {words(name) or name}")

    def refusal_of(self, what: str) -> str:
        """The refusal of `what` (a command line, 'riskctl sim buy')."""
        return (f"refused, nothing was done: the riskd answering at {self.control} is not the "
                f"riskd of the config riskctl read: it runs {self.theirs_path} (data dir "
                f"{self.theirs_data}), riskctl read {self.ours_path} (data dir "
                f"{self.ours_data}); `{what}` would act on that other riskd. "
                f"{self._way()}")

    def _way(self) -> str:
        return (f"To act on the riskd that answered, name its config: riskctl --config "
                f"{self.theirs_path} ...; if the riskd of {self.ours_path} should be running, "
                f"it is not (another riskd holds its ports): give each riskd its own ports "
                f"({DOC})")


def same_file(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def names_data_dir(config_path: str) -> bool:
    """Whether the config file says [paths] data_dir (a client config says only [bus])."""
    try:
        data = configfile.tables(config_path)
    except OSError:
        return False
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    return bool(paths.get("data_dir"))


def compare(config_path: str, control: str, theirs_path: str,
            theirs_data: str) -> Optional[Other]:
    """None when the riskd that answered runs this config (or riskd or the config does not say
    enough to tell), else what differs."""
    if not theirs_path or not theirs_data:          # an older riskd says neither
        return None
    if same_file(config_path, theirs_path):
        return None
    if not names_data_dir(config_path):
        return None
    ours_data = configfile.folders(config_path)[0]
    if same_file(ours_data, theirs_data):
        return None
    return Other(control=control, theirs_path=theirs_path, theirs_data=theirs_data,
                 ours_path=os.path.abspath(config_path), ours_data=ours_data)


def changes(command: Any) -> bool:
    return type(command).__name__ not in READS


def judge(other: Optional[Other], command: Any, warned: bool) -> bool:
    """Refuse a command that changes something on another riskd (CliError); warn on stderr
    before a read unless `warned` already. Returns whether the warning has been said."""
    if other is None:
        return warned
    if changes(command):
        raise CliError(other.refusal(command))
    if not warned:
        print(f"riskctl: {other.warning()}", file=sys.stderr, flush=True)
    return True
