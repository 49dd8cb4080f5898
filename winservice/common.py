"""What install.py and uninstall.py share: the host checks, cmd.exe quoting, and the runner.

The checks (running elevated on Windows, nssm.exe found, service installed) are
passed in as a Host so the tests can play a Linux box, a non-admin prompt or a
machine without NSSM. Standard library only: the scripts must run before
anything else works.
"""
from __future__ import annotations

import argparse
import ntpath
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence

from winservice import acl

SERVICE = "riskd"
COMMAND_TIMEOUT = 120.0      # s per command: `nssm stop` alone may wait out the 15 s stop timeout

EXIT_OK = 0
EXIT_USAGE = 2               # argparse's own code for bad arguments
EXIT_NOT_ADMIN = 3
EXIT_NO_NSSM = 4
EXIT_EXISTS = 5
EXIT_FAILED = 6
EXIT_BAD_PATH = 7
EXIT_UNTRUSTED = 8          # an existing config not owned by Administrators/SYSTEM


class Step(NamedTuple):
    """One command line to run; optional steps may fail (e.g. stopping a stopped service)."""
    argv: tuple[str, ...]
    optional: bool = False


def step(*argv: str, optional: bool = False) -> Step:
    return Step(tuple(argv), optional)


class Problem(NamedTuple):
    exit_code: int
    message: str


# -- the host ---------------------------------------------------------------
def is_admin() -> bool:
    """True only on Windows in an elevated process."""
    if sys.platform != "win32":
        return False
    import ctypes
    try:
        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    except (AttributeError, OSError):
        return False


def find_nssm(explicit: str | None) -> str | None:
    """The nssm.exe to use: --nssm if that file exists, else the first on PATH."""
    if explicit:
        return explicit if os.path.isfile(explicit) else None
    return shutil.which("nssm.exe") or shutil.which("nssm")


def service_exists(name: str) -> bool:
    """`sc query` exits 1060 (ERROR_SERVICE_DOES_NOT_EXIST) for an unknown service."""
    done = subprocess.run(["sc.exe", "query", name], capture_output=True, timeout=COMMAND_TIMEOUT)
    return done.returncode != 1060


def decode_output(data: bytes) -> str:
    """nssm writes UTF-16LE when its output is a pipe; everything else is the console code page."""
    if b"\x00" in data:
        return data.decode("utf-16-le", "replace")
    return data.decode(sys.stdout.encoding or "utf-8", "replace")


def run_command(argv: Sequence[str]) -> tuple[int, str]:
    done = subprocess.run(list(argv), capture_output=True, stdin=subprocess.DEVNULL,
                          timeout=COMMAND_TIMEOUT)
    return done.returncode, (decode_output(done.stdout) + decode_output(done.stderr)).strip()


@dataclass(frozen=True)
class Host:
    """The machine the script runs on; tests replace any part of it."""
    platform: str = sys.platform
    is_admin: Callable[[], bool] = is_admin
    find_nssm: Callable[[str | None], str | None] = find_nssm
    service_exists: Callable[[str], bool] = service_exists
    run: Callable[[Sequence[str]], tuple[int, str]] = run_command
    owner_sid: Callable[[str], str | None] = acl.owner_sid


# -- checks -----------------------------------------------------------------
def preflight(host: Host, nssm_arg: str | None) -> tuple[str | None, list[Problem]]:
    """Every reason the real run cannot go ahead (all of them at once), plus the nssm found."""
    problems: list[Problem] = []
    if host.platform != "win32":
        problems.append(Problem(EXIT_NOT_ADMIN, (
            f"this manages a Windows service and must run on Windows, got platform "
            f"{host.platform!r}; use --dry-run to print the commands instead")))
    elif not host.is_admin():
        problems.append(Problem(EXIT_NOT_ADMIN, (
            "administrator rights required: open an elevated prompt (right-click Command "
            "Prompt > Run as administrator) and run this again, or use --dry-run to print the "
            "commands")))
    nssm = host.find_nssm(nssm_arg)
    if nssm is None:
        where = f"at {nssm_arg} (from --nssm)" if nssm_arg else "on PATH"
        problems.append(Problem(EXIT_NO_NSSM, (
            f"nssm.exe not found {where}: install NSSM 2.24-101 or later (https://nssm.cc/builds), "
            f"then put it on PATH or pass --nssm C:\\path\\to\\nssm.exe")))
    return nssm, problems


def report(problems: Sequence[Problem], prog: str) -> int:
    for problem in problems:
        print(f"{prog}: error: {problem.message}", file=sys.stderr)
    return problems[0].exit_code if problems else EXIT_OK


def windows_path(value: str, what: str) -> str:
    """An absolute Windows path (normalised), or ValueError saying what was expected."""
    if not ntpath.isabs(value):
        raise ValueError(f"{what}: expected an absolute path, got {value!r}")
    path = ntpath.normpath(value)
    drive, rest = ntpath.splitdrive(path)
    if rest in ("", "\\"):
        raise ValueError(f"{what}: expected a folder below a drive root, got {value!r}")
    return path


def base_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options both scripts take: --dry-run, --nssm, --service."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--dry-run", action="store_true",
                   help="print the commands, one per line, and run nothing")
    p.add_argument("--nssm", help="path to nssm.exe (default: found on PATH)")
    p.add_argument("--service", default=SERVICE, help="service name (default: %(default)s)")
    return p


# -- output and execution ---------------------------------------------------
def cmd_line(argv: Sequence[str]) -> str:
    """The command line as cmd.exe and CreateProcess receive it (MS C runtime quoting)."""
    return subprocess.list2cmdline(list(argv))


def print_steps(steps: Sequence[Step]) -> None:
    for s in steps:
        print(cmd_line(s.argv))


def run_steps(steps: Sequence[Step], host: Host, prog: str) -> int:
    """Run each step in order; stop at the first required one that fails and say which."""
    for i, s in enumerate(steps, 1):
        line = cmd_line(s.argv)
        print(f"[{i}/{len(steps)}] {line}", flush=True)
        try:
            code, output = host.run(s.argv)
        except (OSError, subprocess.TimeoutExpired) as exc:
            code, output = -1, str(exc)
        if output:
            print("    " + output.replace("\n", "\n    "), flush=True)
        if code != 0 and not s.optional:
            return report([Problem(EXIT_FAILED, (
                f"step {i}/{len(steps)} failed with exit code {code}: {line}"))], prog)
    return EXIT_OK
