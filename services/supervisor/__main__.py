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
    refused = False
    try:
        code = supervisor.run()
        return code
    except OSError as exc:
        refused = True
        log.error("riskd cannot start: %s", explain(exc, loaded.config, loaded.path))
        logging_slot = supervisor.slots.get("logging")
        if logging_slot is None or logging_slot.child is None:
            no_logging_worker_ran()     # its lines are on stderr: none said lost (trial 13b)
        return 1
    finally:
        lock.release()
        # the last line a person sees: riskd is really gone (Ctrl-C, riskctl shutdown, a signal)
        why = f": {supervisor.shutdown_reason}" if supervisor.shutdown_reason else ""
        if refused and not any(getattr(s, "child", None) is not None
                               for s in supervisor.slots.values()):
            # it never ran (trial14b, a [bus] port another riskd holds): "accounts are not
            # guarded until riskd runs again" read as if the running riskd had stopped guarding
            print(f"riskd did not start (exit {code}): no worker was started, so this riskd "
                  f"guarded nothing; a riskd already running on this machine is not affected",
                  flush=True)
        else:
            print(f"riskd stopped{why} (exit {code}); every worker is stopped, accounts are "
                  f"not guarded until riskd runs again", flush=True)


if __name__ == "__main__":
    sys.exit(main())
