"""`make chaos`: the long reliability run: python -m tests.chaos [--runs N] [--scale S] [--pace P].

Each run plays the scripted session once without chaos and once with it
(a different seed per run) and compares them; the exit code is 0 only when
every run held.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time

from tests.chaos.runner import SessionRun, check, compare
from tests.support.procs import Procs


def one(tmp: pathlib.Path, chaos: bool, seed: int, scale: int, pace: float):
    tmp.mkdir(parents=True, exist_ok=True)
    procs = Procs(tmp)
    try:
        run = SessionRun(procs, tmp, chaos=chaos, seed=seed, scale=scale, pace=pace)
        run.start()
        return run.run()
    finally:
        procs.cleanup()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make chaos")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--scale", type=int, default=6, help="multiplies the calm accounts' trades")
    parser.add_argument("--pace", type=float, default=0.2, help="seconds between trader steps")
    args = parser.parse_args(argv)
    failed = 0
    for n in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="riskd-chaos-") as tmp:
            started = time.monotonic()
            calm = one(pathlib.Path(tmp) / "calm", False, n, args.scale, args.pace)
            chaotic = one(pathlib.Path(tmp) / "chaos", True, 1000 + n, args.scale, args.pace)
            problems = check(calm) + check(chaotic) + compare(calm, chaotic)
            print(f"run {n}: {calm.orders} orders per session, {len(chaotic.chaos_actions)} "
                  f"chaos actions, {time.monotonic() - started:.0f} s")
            for action in chaotic.chaos_actions:
                print(f"    {action}")
            for name, acct in chaotic.accounts.items():
                print(f"    {name:<11} broker PnL {acct.broker_realized:>9}  riskd "
                      f"{acct.riskd_realized!s:>9}  lockouts {list(acct.lockouts)}")
            print(f"    closes at the broker: {chaotic.close_calls} closeContract, "
                  f"{chaotic.partial_calls} partial (without chaos: {calm.close_calls}, "
                  f"{calm.partial_calls})")
            if problems:
                failed += 1
                print("  FAILED:\n    " + "\n    ".join(problems))
            else:
                print("  held: same breaches acted on, nothing doubled or lost, PnL equal")
    print(f"{args.runs - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
