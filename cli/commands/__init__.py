"""Every riskctl command, one module each, listed explicitly (order = order in --help).

A command module has: a docstring (first line = short help), NAME, optional
READ = True (gets --json), optional ROLE ("ops"/"admin": cli/main.py adds the role's note to
the help, so the docstring never names it), add_arguments(parser), run(args, ctx) -> exit code.
"""
from cli.commands import ping, restart, shutdown, start, status, stop, workers
from cli.commands import config, init, passwd, rules
from cli.commands import orders, positions
from cli.commands import sim
from cli.commands import history, lockout, lockouts, unlock
from cli.commands import audit, logs, notify
from cli.commands import login, logout, watch
from cli.commands import flatten
from cli.commands import accounts
from cli.commands import replay

COMMANDS = (
    status,
    watch,
    workers,
    positions,
    orders,
    ping,
    start,
    restart,
    stop,
    shutdown,
    rules,
    accounts,
    lockouts,
    lockout,
    unlock,
    flatten,
    history,
    replay,
    logs,
    notify,
    audit,
    config,
    passwd,
    login,
    logout,
    init,
    sim,
)

_names = [m.NAME for m in COMMANDS]
if len(set(_names)) != len(_names):
    raise RuntimeError(f"riskctl commands registered twice: {_names}")
