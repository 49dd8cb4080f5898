"""The two set-up steps without make (Windows has none): `dev.py run` and `dev.py test`.

    py -3.11 dev.py run          Windows (the py launcher)   | python3 dev.py run    elsewhere
    py -3.11 dev.py test [ARGS]  the test suite (4 test processes side by side on 2+ cores);
                                 ARGS go to pytest instead, e.g. tests/unit -x -q
    py -3.11 dev.py install      only create .venv and install riskd into it

`install` creates .venv once and (re)installs riskd with its test extras whenever
setup.cfg or pyproject.toml is newer than .venv/.installed, exactly what
`make install` does (the Makefile calls this file). `run` starts riskd on
etc/riskd.local.toml, your untracked copy of etc/riskd.toml made on the first run
(shared/localconfig.py: riskctl's edits never touch the tracked file), with the venv's python
(.venv\\Scripts\\python.exe on Windows, .venv/bin/python elsewhere); Ctrl-C stops it
cleanly. Standard library only.
See README.md and docs/windows.md.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Sequence

from shared import localconfig          # standard library only, like this file

REPO = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(REPO, ".venv")
STAMP = os.path.join(VENV, ".installed")
INPUTS = ("setup.cfg", "pyproject.toml")


def venv_python(venv: str = VENV, windows: bool = os.name == "nt") -> str:
    return os.path.join(venv, "Scripts", "python.exe") if windows else \
        os.path.join(venv, "bin", "python")


def needs_install(stamp: str = STAMP, inputs: Sequence[str] = INPUTS, repo: str = REPO) -> bool:
    """True when .venv was never installed or a packaging file changed since."""
    try:
        installed = os.path.getmtime(stamp)
    except OSError:
        return True
    return any(os.path.getmtime(os.path.join(repo, f)) > installed for f in inputs
               if os.path.exists(os.path.join(repo, f)))


def install_commands(python: str, base_python: str = sys.executable,
                     have_venv: bool = False) -> list[list[str]]:
    cmds = [] if have_venv else [[base_python, "-m", "venv", VENV]]
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    return cmds + [pip + ["--upgrade", "pip"], pip + ["-e", ".[test]"]]


def whole_suite(cpus: int | None = None) -> list[str]:
    """pytest's arguments for the whole suite (`make test`): four test processes side by side
    (pytest-xdist) where there are 2 cores or more, each test file kept in one process (its
    module-scoped riskd too). Most of a multi-process test is waiting for riskd, so even on 2
    cores more processes fill the waits: round 13 measured the suite in a fresh clone on the
    2-core machine at 592.8 s of tests (10:08 wall) with two and 427.5 s (7:08) with three;
    round 16, 2810 tests on a slower hour of the VM: 602.6 s (10:15 wall) with three, 515.6 s
    (8:36) with four (1.53 of 2 cores busy with three). No one file sets the wall time (round
    19, tests/integration and tests/e2e with --durations at load 15-20: the slowest file,
    test_stale_price_alerts, was 282 s of 5452 s, a twentieth; the unit tests handed out after
    the integration files fill the other processes meanwhile), so none is split."""
    if cpus is None:
        cpus = os.cpu_count() or 1
    return ["-n", "4", "--dist", "loadfile"] if cpus >= 2 else []


def command_for(action: str, extra: Sequence[str], python: str) -> list[str]:
    if action == "run":
        return [python, "-m", "services.supervisor", "--config", localconfig.LOCAL, *extra]
    if action == "test":
        return [python, "-m", "pytest", *(extra or whole_suite())]
    raise ValueError(f"unknown action {action!r}: expected install, run or test")


def suite_env(env=os.environ) -> dict:
    """The environment of `make test`: the caller's, but Python writes its bytecode caches.
    The suite starts thousands of riskd workers and riskctl runs; with PYTHONDONTWRITEBYTECODE
    set (some shells and CI images set it), a fresh clone compiled riskd's modules in every one
    of them: 0.38 s of CPU to import risk against 0.25 s from the cache (round 17, 2 cores)."""
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _call(cmd: list[str], env: dict | None = None) -> int:
    """Run cmd in the repo; a Ctrl-C reaches the child too, so wait for it to finish."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue


def again_command(env=os.environ, windows: bool = os.name == "nt") -> str:
    """What the user typed to start riskd: `make run` under make, else dev.py's own line."""
    if env.get("MAKELEVEL"):
        return "make run"
    return "py -3.11 dev.py run" if windows else "python3 dev.py run"


def killed_note(code: int, again: str) -> str | None:
    """One line for a supervisor that a signal ended (a negative exit code: it could not stop
    its workers), None for any other exit. The trial: a kill -9 of the supervisor left only
    "make: *** [Makefile:18: run] Error 247", and worker log lines kept printing below it."""
    if code >= 0:
        return None
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return (f"dev.py: riskd's supervisor was killed by {name}; its workers keep guarding "
            f"(their log lines may still print here) until a new riskd takes over: run "
            f"`{again}` to start riskd again (docs/operations.md, When riskd's supervisor is "
            f"killed).")


def run_riskd(cmd: list[str], again: str | None = None) -> int:
    """Run the supervisor; if a signal killed it, say what happened and what to run."""
    code = _call(cmd)
    note = killed_note(code, again or again_command())
    if note:
        print(note, file=sys.stderr, flush=True)
    return code


def install() -> int:
    python = venv_python()
    if not needs_install() and os.path.exists(python):
        return 0
    for cmd in install_commands(python, have_venv=os.path.exists(python)):
        print("+ " + subprocess.list2cmdline(cmd), flush=True)
        code = _call(cmd)
        if code:
            print(f"dev.py: failed with exit code {code}: {subprocess.list2cmdline(cmd)}",
                  file=sys.stderr)
            return code
    with open(STAMP, "w", encoding="utf-8"):
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("install", "run", "test"):
        print(__doc__, file=sys.stderr)
        return 2
    code = install()
    if code or args[0] == "install":
        return code
    command = command_for(args[0], args[1:], venv_python())
    if args[0] == "run":
        made = not os.path.exists(os.path.join(REPO, localconfig.LOCAL))
        localconfig.ensure(REPO)
        if made:
            print(f"dev.py: riskd runs on {localconfig.LOCAL}, your copy of "
                  f"{localconfig.SHIPPED} (not tracked by git; riskctl's edits go there)",
                  file=sys.stderr, flush=True)
        return run_riskd(command)
    return _call(command, suite_env())


if __name__ == "__main__":
    sys.exit(main())
