"""Entry point: `riskd --config FILE` (or python -m services.supervisor --config FILE)."""
from __future__ import annotations

import logging
import sys

from services.supervisor.app import Supervisor
from shared import instanceid
from shared.instancelock import EXIT_ALREADY_RUNNING, AlreadyRunning, acquire_instance_lock
from shared.logsetup import no_logging_worker_ran, setup_logging
from shared.porttaken import explain
from shared.signals import install_stop_handlers
from shared.worker import load_or_exit, parse_args

log = logging.getLogger("riskd")


def main(argv: list[str] | None = None) -> int:
    args = parse_args("riskd", argv)
    loaded = load_or_exit(args.config, "riskd")
    try:    # before anything else: a second copy must not touch the first one's workers
        lock = acquire_instance_lock(loaded.data_dir)
    except AlreadyRunning as exc:
        print(f"riskd: refusing to start: {exc}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    instanceid.start()      # before the first log line; every worker inherits it
    setup_logging("supervisor", loaded.config.logging.level, config=loaded.config)
    supervisor = Supervisor(loaded)
    install_stop_handlers(supervisor.request_stop)
    code = 1
    try:
        code = supervisor.run()
        return code
    except OSError as exc:
        log.error("riskd cannot start: %s", explain(exc, loaded.config, loaded.path))
        logging_slot = supervisor.slots.get("logging")
        if logging_slot is None or logging_slot.child is None:
            no_logging_worker_ran()     # its lines are on stderr: none said lost (trial 13b)
        return 1
    finally:
        lock.release()
        print(last_line(supervisor, code), flush=True)


def last_line(supervisor: Supervisor, code: int) -> str:
    """The last line a person sees. riskd ran: it is really gone (Ctrl-C, riskctl shutdown, a
    signal) and its accounts are unguarded. It never started a worker (a port taken, trial
    14b): it did not start; another riskd that holds the port keeps guarding its own accounts,
    so "accounts are not guarded" would be false, unless this start ended workers of its own
    last run (they were guarding)."""
    if not supervisor.spawned_any:
        text = (f"riskd did not start (exit {code}): it started no worker and guards no "
                f"account; a riskd already running is not affected")
        if supervisor.leftovers_ended:
            text += (f". It ended workers left running by its own last run "
                     f"({', '.join(supervisor.leftovers_ended)}): its accounts are not "
                     f"guarded until riskd runs again")
        return text
    why = f": {supervisor.shutdown_reason}" if supervisor.shutdown_reason else ""
    return (f"riskd stopped{why} (exit {code}); every worker is stopped, accounts are not "
            f"guarded until riskd runs again")


if __name__ == "__main__":
    sys.exit(main())
