"""Entry point: `riskd --config FILE` (or python -m services.supervisor --config FILE)."""
from __future__ import annotations

import logging
import os
import sys

from services.supervisor import shardhold
from services.supervisor.app import Supervisor, riskctl_path
from shared import gencode, instanceid, portrange
from shared.config import pinned, wayout
from shared.instancelock import EXIT_ALREADY_RUNNING, AlreadyRunning, acquire_instance_lock
from shared.logsetup import no_logging_worker_ran, setup_logging
from shared.porttaken import explain
from shared.signals import install_stop_handlers
from shared.worker import load_or_exit, parse_args

log = logging.getLogger("riskd")


def main(argv: list[str] | None = None) -> int:
    args = parse_args("riskd", argv)
    os.environ.pop(pinned.ENV, None)    # riskd runs on its file; its workers get its sections
    loaded = load_or_exit(args.config, "riskd",
                          way_out=lambda exc: wayout.words(exc, args.config, riskctl_path()))
    try:    # before anything else: a second copy must not touch the first one's workers
        lock = acquire_instance_lock(loaded.data_dir)
    except AlreadyRunning as exc:
        print(f"riskd: refusing to start: {exc}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    # before the first log line; every worker inherits it (and the last run's id)
    instanceid.start(os.path.join(loaded.data_dir, "run"))
    setup_logging("supervisor", loaded.config.logging.level, config=loaded.config)
    for warning in loaded.warnings:     # ports a connect may take first (shared/portrange.py)
        if portrange.MARK in warning.message:
            log.warning("config warning: %s", warning)
    # risk_shards changed over state kept for another count: risk runs as that count (guarding)
    file_config = loaded.config
    loaded, held = shardhold.hold(loaded)
    if held:
        log.critical("%s", held)
    supervisor = Supervisor(loaded)
    if held:        # status, workers and one alert say it (shardhold.py)
        supervisor.hold_shards(file_config.supervisor.risk_shards, held)
    supervisor._file_config = file_config     # later edits compare the file with the file
    gencode.started()       # its classes are built: keep their code, free the store
    install_stop_handlers(supervisor.request_stop)
    code = 1
    refused = False
    try:
        code = supervisor.run()
        return code
    except OSError as exc:
        refused = True
        why = explain(exc, loaded.config, loaded.path)
        log.error("riskd cannot start: %s", why)
        supervisor.record_refused_start(why)    # the next start says so, counts none of it
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
                  f"guarded nothing; a riskd already running on this machine is not affected"
                  + left_over(supervisor), flush=True)
        else:
            print(f"riskd stopped{why} (exit {code}); every worker is stopped, accounts are "
                  f"not guarded until riskd runs again", flush=True)


def left_over(supervisor: Supervisor) -> str:
    """The refused start ended workers its own last run left running (they were guarding
    until then): say so, as their accounts are unguarded now (trial 14b: the start's port
    check runs after they are ended)."""
    ended = getattr(supervisor, "leftovers_ended", [])
    if not ended:
        return ""
    return (f". It ended workers left running by its own last run ({', '.join(ended)}): "
            f"their accounts are not guarded until riskd runs again")


if __name__ == "__main__":
    sys.exit(main())
