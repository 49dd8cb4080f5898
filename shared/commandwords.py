"""What riskctl calls each request a person sends ("rules set" for RulesSet): one mapping for
every place a command is named to people, the supervisor's answers ("`riskctl rules set` needs
an admin session") and the audit trail's ACTION (`riskctl audit show`, `riskctl logs`).
Second and third trials: "RulesSet needs an admin session", an audit row "SelfLockRequest"."""
from __future__ import annotations

from typing import Any, Mapping, Optional

WORDS = {
    "AccountAdd": "accounts add", "AccountEnable": "accounts enable/disable",
    "AccountSet": "accounts set", "ConfigBackupsRequest": "config backups",
    "ConfigReload": "config reload", "ConfigRestore": "config restore",
    "ConfigSet": "config set", "ConfigShow": "config show", "FlattenRequest": "flatten",
    "NotifyTest": "notify test", "RestartWorker": "restart", "RulesEnable": "rules enable/disable",
    "RulesOverrideRequest": "rules override", "RulesSet": "rules set",
    "ShutdownRequest": "shutdown", "StartWorker": "start", "StopWorker": "stop",
    "UnlockRequest": "unlock", "SelfLockRequest": "lockout",
    "AdminLockRequest": "lockout --admin", "HistoryRequest": "history",
    "StatusRequest": "status", "WorkersRequest": "workers", "LockoutsRequest": "lockouts",
    "PositionsRequest": "positions", "OrdersRequest": "orders", "RulesRequest": "rules list",
}
# a command that is two words by its `enabled` field
_ENABLE = {"AccountEnable": "accounts", "RulesEnable": "rules"}


def words(name: str, fields: Optional[Mapping[str, Any]] = None) -> Optional[str]:
    """The command as typed after `riskctl` for a request type's name ("rules set"); with the
    request's fields, an enable/disable is the one typed ("accounts disable"). None when riskctl
    sends no such request by one command."""
    if name == "ConfigSet" and fields is not None and fields.get("via") == "passwd":
        # `riskctl passwd ROLE` sends ConfigSet(key="ROLE.password_hash"): named as typed
        # (trial 16b: its audit row read "config set", the offline one "passwd admin (offline)")
        return f"passwd {str(fields.get('key', '')).split('.')[0].strip() or 'admin'}"
    if name in _ENABLE and fields is not None and isinstance(fields.get("enabled"), bool):
        return f"{_ENABLE[name]} {'enable' if fields['enabled'] else 'disable'}"
    if name == "RulesOverrideRequest" and fields is not None and (
            fields.get("disable") is True or fields.get("enabled") is False):
        # the audit trail records its disable=True as enabled=False (services/supervisor/audit)
        return "accounts disable --now"      # the override it sends for that account only
    return WORDS.get(name)


def typed(name: str, fields: Optional[Mapping[str, Any]] = None) -> str:
    """words(), or the name itself (an action that is words already: "login", "config file
    edit", "passwd admin (offline)")."""
    return words(name, fields) or name
