"""Every control command the supervisor serves, listed explicitly (one module each)."""
from services.supervisor.commands import ping, restart, shutdown, start, status, stop, workers
from services.supervisor.commands import (config_backups, config_reload, config_restore,
                                          config_set, config_show, rules_enable, rules_params,
                                          rules_set)
from services.supervisor.commands import orders, positions
from services.supervisor.commands import login
from services.supervisor.commands import (adminlock, history, lockout, lockouts, risk_rules, risk_status,
                                          rules_override, unlock)
from services.supervisor.commands import notify_status, notify_test
from services.supervisor.commands import enforcement_status, flatten
from services.supervisor.commands import (accounts_add, accounts_enable, accounts_list,
                                          accounts_set)
from services.supervisor.commands.base import Command, Registry, forward

REGISTRY = Registry((
    ping.COMMAND,
    workers.COMMAND,
    status.COMMAND,
    positions.COMMAND,
    orders.COMMAND,
    start.COMMAND,
    restart.COMMAND,
    stop.COMMAND,
    shutdown.COMMAND,
    config_show.COMMAND,
    config_set.COMMAND,
    config_reload.COMMAND,
    config_backups.COMMAND,
    config_restore.COMMAND,
    rules_params.COMMAND,
    rules_set.COMMAND,
    rules_enable.COMMAND,
    login.LOGIN,
    login.LOGOUT,
    login.WHOAMI,
    notify_test.COMMAND,
    notify_status.COMMAND,
    risk_status.COMMAND,
    lockouts.COMMAND,
    lockout.COMMAND,
    adminlock.COMMAND,
    unlock.COMMAND,
    history.COMMAND,
    risk_rules.COMMAND,
    rules_override.COMMAND,
    flatten.COMMAND,
    enforcement_status.COMMAND,
    accounts_list.COMMAND,
    accounts_add.COMMAND,
    accounts_enable.COMMAND,
    accounts_set.COMMAND,
))

__all__ = ["REGISTRY", "Command", "Registry", "forward"]
