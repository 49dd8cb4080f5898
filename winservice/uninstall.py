"""Remove the riskd Windows service (run from an elevated prompt); config and data stay.

    python winservice\\uninstall.py [--dry-run] [--nssm PATH] [--service NAME]

uninstall_steps() is the one pure builder of the commands, shared with
install.py --reinstall, --dry-run and the tests.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

if __package__ in (None, ""):       # run as a script: make `winservice` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from winservice.common import (EXIT_OK, Host, Step, base_parser, preflight, print_steps, report,
                               run_steps, step)


ENVIRONMENT_KEY = r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment"


def uninstall_steps(nssm: str, service: str) -> list[Step]:
    """Stop (graceful: the same Ctrl-C and timeout as any stop; may already be stopped), remove,
    and drop the machine-wide RISKD_CONFIG install.py set (may already be gone)."""
    return [step(nssm, "stop", service, optional=True),
            step(nssm, "remove", service, "confirm"),
            step("reg", "delete", ENVIRONMENT_KEY, "/v", "RISKD_CONFIG", "/f", optional=True)]


def build_parser() -> argparse.ArgumentParser:
    return base_parser("uninstall.py", __doc__.splitlines()[0])


def main(argv: Sequence[str] | None = None, host: Host = Host()) -> int:
    args = build_parser().parse_args(argv)
    prog = "uninstall.py"
    if args.dry_run:
        print_steps(uninstall_steps(args.nssm or host.find_nssm(None) or "nssm.exe",
                                    args.service))
        return EXIT_OK
    nssm, problems = preflight(host, args.nssm)
    if problems:
        return report(problems, prog)
    if not host.service_exists(args.service):
        print(f"service {args.service} is not installed; nothing to do")
        return EXIT_OK
    code = run_steps(uninstall_steps(nssm, args.service), host, prog)
    if code == EXIT_OK:
        print(f"service {args.service} removed; the config and data dir were left in place")
    return code


if __name__ == "__main__":
    sys.exit(main())
