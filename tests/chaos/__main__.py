"""`make chaos`: the long reliability run: python -m tests.chaos [--runs N] [--attempts A]
[--cycles C].

Each run plays the scripted session once without chaos and once with it (a
different seed per run) and compares them; the exit code is 0 only when every
run held. Everything it starts runs in process groups it ends on any exit
(Ctrl-C, SIGTERM, a timeout), and it says so if anything outlived it.
"""
from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import tempfile
import time

from tests.chaos.runner import SessionRun, check, check_chaos, compare
from tests.support.harness import run_guarded
from tests.support.procs import Procs

LONG_MIN_ACTIONS = 50


def one(tmp: pathlib.Path, chaos: bool, seed: int, attempts: int, cycles: int):
    tmp.mkdir(parents=True, exist_ok=True)
    procs = Procs(tmp)
    try:
        run = SessionRun(procs, tmp, chaos=chaos, seed=seed, attempts=attempts, cycles=cycles)
        run.start()
        return run.run()
    finally:
        procs.cleanup()


def report(n: int, calm, chaotic, seconds: float, problems: list[str]) -> None:
    print(f"run {n}: {calm.orders} trader orders per session, {seconds:.0f} s")
    print(f"    enforcement actions without chaos {calm.action_counts()}, "
          f"with chaos {chaotic.action_counts()}")
    print(f"    lockouts: {sorted(calm.lockout_kinds())}")
    print(f"    crash points fired {list(chaotic.fired)}; workers killed {list(chaotic.killed)}; "
          f"{len(chaotic.chaos_actions)} chaos actions")
    for action in chaotic.chaos_actions:
        print(f"      {action}")
    for name, acct in chaotic.accounts.items():
        print(f"    {name:<11} broker PnL {acct.broker_realized:>9}  riskd "
              f"{acct.riskd_realized!s:>9}  {len(acct.decisions)} decisions  "
              f"breaches {[b for b in acct.breaches if any(b[1:])]}")
    if problems:
        print("  FAILED:\n    " + "\n    ".join(problems))
    else:
        print("  held: the same decisions, broker calls per breach, lockouts and PnL")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make chaos")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--attempts", type=int, default=7,
                        help="trades each locked account tries (each is undone)")
    parser.add_argument("--cycles", type=int, default=2,
                        help="reduce + per-minute cooldown cycles of the oversize account")
    parser.add_argument("--min-actions", type=int, default=LONG_MIN_ACTIONS)
    parser.add_argument("--no-chaos", action="store_true",
                        help="play the second session without chaos too: shows that the "
                             "comparison itself is deterministic")
    args = parser.parse_args(argv)
    failed = 0
    with run_guarded():
        for n in range(1, args.runs + 1):
            tmp = tempfile.mkdtemp(prefix=f"riskd-chaos-{n}-")
            problems = ["the run did not finish"]
            try:
                started = time.monotonic()
                calm = one(pathlib.Path(tmp) / "calm", False, n, args.attempts, args.cycles)
                chaotic = one(pathlib.Path(tmp) / "chaos", not args.no_chaos, 1000 + n,
                              args.attempts, args.cycles)
                problems = (check(calm, args.min_actions) + check(chaotic, args.min_actions)
                            + ([] if args.no_chaos else check_chaos(chaotic))
                            + compare(calm, chaotic))
                report(n, calm, chaotic, time.monotonic() - started, problems)
            finally:
                failed += bool(problems)
                if problems:        # what each process logged, to find out why
                    print(f"  logs and state of both sessions kept in {tmp}")
                else:
                    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.runs - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
