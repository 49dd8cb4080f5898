"""Install riskd as a Windows service under NSSM (run from an elevated prompt).

    python winservice\\install.py [--dry-run] [--nssm PATH] [--config FILE] [--data-dir DIR]

One pure function, install_steps(), builds every command; the real run, --dry-run
(prints them, one per line, quoted for cmd.exe; needs neither admin rights nor
Windows) and the tests all use it. Before the commands run, an existing config
not owned by Administrators/SYSTEM is refused (winservice/acl.py), the data dir
and its logs folder are created, the config (if missing) is seeded from the
repo's etc/riskd.toml with [paths] data_dir pointing at the data dir, and the
bus-only client config for standard users is written. See README.md beside this
file and docs/windows.md.
"""
from __future__ import annotations

import argparse
import json
import math
import ntpath
import os
import sys
import tomllib
from typing import Mapping, Sequence

if __package__ in (None, ""):       # run as a script: make `winservice` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from winservice import acl
from winservice.common import (EXIT_BAD_PATH, EXIT_EXISTS, EXIT_OK, EXIT_UNTRUSTED, Host,
                               Problem, Step, base_parser, preflight, print_steps, report,
                               run_steps, step, windows_path)
from winservice.uninstall import uninstall_steps

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RESTART_DELAY_MS = 1000     # DESIGN: the service is back about a second after any exit
THROTTLE_MS = 1000          # a run shorter than this counts as a failed start and backs off
# Ctrl-C, then NSSM waits AppStopMethodConsole for riskd's ordered stop of its workers. riskd
# bounds that stop by [supervisor] shutdown_timeout plus its kill wait (services/supervisor/
# children.py KILL_WAIT); the window is that plus STOP_MARGIN_S, so NSSM never kills mid-stop.
STOP_MARGIN_S = 5.0
STOP_WINDOW_MS = 1500       # then WM_CLOSE, then WM_QUIT (riskd has no windows: quick)
STOP_THREADS_MS = 1500
ROTATE_BYTES = 10 * 1024 * 1024
OPEN_ALWAYS = 4             # CreateFile disposition: append to the existing capture file

# The service's security descriptor (sc sdset). SDDL for a service object reuses
# the directory-service right letters; for a service they mean:
#   CC query config     LC query status     SW enumerate dependents   LO interrogate
#   RC read this descriptor                 RP START   WP STOP   DT PAUSE/CONTINUE
#   DC change config (the binary it runs)   CR user-defined control codes
#   SD delete           WD change this descriptor     WO take ownership
# Each (A;;rights;;;who) is an access-allowed ACE; anything not allowed is denied.
#   SY  LocalSystem, BA  Administrators: everything.
#   IU  interactive users, AU  authenticated users: query, read the descriptor, and
#       start (harmless: it only brings the guard back); no stop, pause, config or delete.
#   SU  other services' logon sessions: query only.
# Why no explicit Deny ACE for users: a deny is evaluated before every allow, and an
# elevated administrator is also an interactive and authenticated user, so a deny of
# WP for IU would lock the administrators out too. Absence of an allow is the denial.
# Generic rights (GA, GX, GW) are avoided: GENERIC_EXECUTE maps to start AND stop.
# A non-elevated administrator (UAC filtered token: BA is deny-only) is refused as well,
# which is the point: stopping the guard takes an elevated prompt.
# No S: (audit) part: setting a SACL needs SeSecurityPrivilege and decides nothing here.
ALL_RIGHTS = "CCDCLCSWRPWPDTLOCRSDRCWDWO"
QUERY_AND_START = "CCLCSWRPLORC"
QUERY_ONLY = "CCLCSWLORC"
SERVICE_ACL = (("SY", ALL_RIGHTS), ("BA", ALL_RIGHTS), ("IU", QUERY_AND_START),
               ("AU", QUERY_AND_START), ("SU", QUERY_ONLY))
SDDL = "D:" + "".join(f"(A;;{rights};;;{sid})" for sid, rights in SERVICE_ACL)

# Data and config folders: owned by Administrators, Administrators and SYSTEM only,
# inherited by every file riskd creates (the config holds password hashes; the state must
# not be edited by a trader). The client config folder: the same plus read for Users; it
# holds only the bus addresses riskctl needs (client_config_text). winservice/acl.py.
CLIENT_DIR_NAME = "riskd-client"
CLIENT_CONFIG_NAME = "riskctl.toml"


def shutdown_timeout_of(config_text: str | None) -> float:
    """[supervisor] shutdown_timeout of a config (its default when absent or unreadable)."""
    from shared.config.sections import SupervisorConfig
    default = SupervisorConfig().shutdown_timeout
    if not config_text:
        return default
    try:
        value = tomllib.loads(config_text).get("supervisor", {}).get("shutdown_timeout", default)
    except tomllib.TOMLDecodeError:
        return default
    return float(value) if isinstance(value, (int, float)) and value > 0 else default


def stop_console_ms(shutdown_timeout: float) -> int:
    """NSSM's AppStopMethodConsole for a riskd whose whole stop is bounded by shutdown_timeout."""
    from services.supervisor.children import KILL_WAIT
    return math.ceil((shutdown_timeout + KILL_WAIT + STOP_MARGIN_S) * 1000)


def console_ms_for(paths: dict[str, str]) -> int:
    """The stop window for the config the service will run: the existing file, else the
    template a new one is seeded from."""
    text = _read_text(paths["config"]) or _read_text(
        os.path.join(paths["app_dir"], "etc", "riskd.toml"))
    return stop_console_ms(shutdown_timeout_of(text))


def client_config_text(server_text: str | None, server_path: str) -> str:
    """The traders' riskctl config: the server's [bus] addresses and nothing else (no password
    hashes, no broker, no accounts). Pure."""
    bus = {}
    if server_text:
        bus = tomllib.loads(server_text).get("bus", {})
    lines = ["# riskctl's view of riskd for standard users: only the bus addresses (no secrets).",
             f"# Written by winservice\\install.py from {server_path}; see docs/windows.md.",
             "# riskctl status / watch / logs use it (RISKD_CONFIG points here).", "", "[bus]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in bus.items()
              if isinstance(value, str)]
    return "\n".join(lines) + "\n"


def locked_folders(config: str, data_dir: str) -> list[str]:
    """The folders to restrict: the config's and the data dir, minus one inside the other."""
    out: list[str] = []
    for folder in (ntpath.dirname(config), data_dir):
        windows_path(folder, "folder to restrict")        # never a drive root
        key = ntpath.normcase(folder)
        if any(key == ntpath.normcase(o) or key.startswith(ntpath.normcase(o) + "\\")
               for o in out):
            continue
        out = [o for o in out if not ntpath.normcase(o).startswith(key + "\\")] + [folder]
    return out


def install_steps(nssm: str, service: str, python: str, config: str, data_dir: str,
                  app_dir: str, client_config: str, console_ms: int) -> list[Step]:
    """Every command that installs and starts the service, in order (pure: no I/O)."""
    logs = ntpath.join(data_dir, "logs")

    def nset(*args: str) -> Step:
        return step(nssm, "set", service, *args)

    steps = [
        step(nssm, "install", service, python),
        nset("DisplayName", "riskd risk guard"),
        nset("Description", "Guards ProjectX trading accounts: enforces the trader's risk "
                            "rules (only administrators may stop it)."),
        nset("AppDirectory", app_dir),
        nset("AppParameters", f'-m services.supervisor --config "{config}"'),
        nset("AppEnvironmentExtra", "PYTHONUNBUFFERED=1", "PYTHONUTF8=1"),
        nset("AppNoConsole", "0"),           # the console is what carries NSSM's Ctrl-C
        nset("Start", "SERVICE_AUTO_START"),
        nset("AppExit", "Default", "Restart"),
        nset("AppRestartDelay", str(RESTART_DELAY_MS)),
        nset("AppThrottle", str(THROTTLE_MS)),
        nset("AppStdout", ntpath.join(logs, "service-stdout.log")),
        nset("AppStderr", ntpath.join(logs, "service-stderr.log")),
        nset("AppStdoutCreationDisposition", str(OPEN_ALWAYS)),
        nset("AppStderrCreationDisposition", str(OPEN_ALWAYS)),
        nset("AppRotateFiles", "1"),
        nset("AppRotateOnline", "1"),
        nset("AppRotateBytes", str(ROTATE_BYTES)),
        nset("AppStopMethodSkip", "0"),
        nset("AppStopMethodConsole", str(console_ms)),
        nset("AppStopMethodWindow", str(STOP_WINDOW_MS)),
        nset("AppStopMethodThreads", str(STOP_THREADS_MS)),
        nset("AppKillProcessTree", "1"),
        step("sc.exe", "sdset", service, SDDL),
        # If nssm.exe itself dies, the service control manager restarts it too.
        step("sc.exe", "failure", service, "reset=", "86400", "actions=",
             f"restart/{RESTART_DELAY_MS}/restart/{RESTART_DELAY_MS}/restart/{RESTART_DELAY_MS}"),
    ]
    for folder in locked_folders(config, data_dir):
        steps += [step(*argv) for argv in acl.ownership_steps(folder, acl.ADMIN_ONLY)]
    steps += [step(*argv) for argv in acl.ownership_steps(ntpath.dirname(client_config),
                                                          acl.USERS_READ)]
    # riskctl finds the client config without --config, for every user (machine variable)
    steps.append(step("setx", "RISKD_CONFIG", client_config, "/M"))
    steps.append(step(nssm, "start", service))
    return steps


# -- paths and the config file ----------------------------------------------
def resolve_paths(args: argparse.Namespace, environ: Mapping[str, str]) -> dict[str, str]:
    """Absolute Windows paths for app dir, python, config and data dir (ValueError if not)."""
    base = ntpath.join(environ.get("PROGRAMDATA") or "C:\\ProgramData", "riskd")
    app_dir = windows_path(args.app_dir, "--app-dir")
    return {
        "app_dir": app_dir,
        "python": windows_path(args.python or ntpath.join(app_dir, ".venv", "Scripts",
                                                          "python.exe"), "--python"),
        "config": windows_path(args.config or ntpath.join(base, "riskd.toml"), "--config"),
        "data_dir": windows_path(args.data_dir or ntpath.join(base, "data"), "--data-dir"),
        "client_config": windows_path(args.client_config or ntpath.join(
            environ.get("PROGRAMDATA") or "C:\\ProgramData", CLIENT_DIR_NAME, CLIENT_CONFIG_NAME),
            "--client-config"),
    }


def data_dir_conflict(config_text: str, config: str, data_dir: str) -> str | None:
    """Why an existing config disagrees with --data-dir, or None (pure: takes the text)."""
    try:
        doc = tomllib.loads(config_text)
    except tomllib.TOMLDecodeError as exc:
        return f"{config}: not valid TOML ({exc})"
    configured = doc.get("paths", {}).get("data_dir", "data")
    resolved = ntpath.normpath(ntpath.join(ntpath.dirname(config), configured))
    if ntpath.normcase(resolved) != ntpath.normcase(data_dir):
        return (f"{config} has [paths] data_dir = {configured!r} ({resolved}) but the service "
                f"would log to and lock {data_dir}; pass --data-dir {resolved} or edit the config")
    return None


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def prepare(paths: dict[str, str], owner_sid=acl.owner_sid) -> list[Problem]:
    """Check an existing config is trusted; create the data and logs folders, seed the config
    if missing, write the client config; problems if not possible."""
    config, data_dir = paths["config"], paths["data_dir"]
    if not os.path.isfile(paths["python"]):
        return [Problem(EXIT_BAD_PATH, (
            f"python not found at {paths['python']}: create the virtualenv first "
            f"(py -3.11 dev.py install, see docs/windows.md) or pass --python"))]
    if os.path.isfile(config):
        distrust = acl.trust_problem(config, owner_sid(config))
        if distrust:
            return [Problem(EXIT_UNTRUSTED, distrust)]
    os.makedirs(os.path.join(data_dir, "logs"), exist_ok=True)
    if os.path.isfile(config):
        conflict = data_dir_conflict(_read_text(config) or "", config, data_dir)
        if conflict:
            return [Problem(EXIT_BAD_PATH, conflict)]
        _write_client_config(paths)
        return []
    import tomlkit                   # a project dependency: keeps the template's comments
    template = os.path.join(paths["app_dir"], "etc", "riskd.toml")
    with open(template, encoding="utf-8") as f:
        doc = tomlkit.parse(f.read())
    doc.setdefault("paths", tomlkit.table())["data_dir"] = data_dir
    os.makedirs(os.path.dirname(config), exist_ok=True)
    with open(config, "w", encoding="utf-8") as f:
        f.write(tomlkit.dumps(doc))
    print(f"created {config} from {template} (data_dir = {data_dir})")
    _write_client_config(paths)
    return []


def _write_client_config(paths: dict[str, str]) -> None:
    client = paths["client_config"]
    os.makedirs(os.path.dirname(client), exist_ok=True)
    with open(client, "w", encoding="utf-8") as f:
        f.write(client_config_text(_read_text(paths["config"]), paths["config"]))
    print(f"wrote {client} (the bus addresses riskctl needs, for every user)")


# -- command line -------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = base_parser("install.py", __doc__.splitlines()[0])
    p.add_argument("--app-dir", default=REPO, help="the riskd checkout (default: %(default)s)")
    p.add_argument("--python", help="the virtualenv's python.exe "
                                    "(default: <app-dir>\\.venv\\Scripts\\python.exe)")
    p.add_argument("--config", help="config file (default: %%PROGRAMDATA%%\\riskd\\riskd.toml)")
    p.add_argument("--data-dir", help="data dir (default: %%PROGRAMDATA%%\\riskd\\data)")
    p.add_argument("--client-config", help="the config riskctl uses for every user: bus "
                   "addresses only (default: %%PROGRAMDATA%%\\riskd-client\\riskctl.toml)")
    p.add_argument("--reinstall", action="store_true",
                   help="stop and remove an existing service first (config and data are kept)")
    return p


def main(argv: Sequence[str] | None = None, host: Host = Host(),
         environ: Mapping[str, str] = os.environ) -> int:
    args = build_parser().parse_args(argv)
    prog = "install.py"
    try:
        paths = resolve_paths(args, environ)
    except ValueError as exc:
        return report([Problem(EXIT_BAD_PATH, str(exc))], prog)
    if args.dry_run:
        nssm = args.nssm or host.find_nssm(None) or "nssm.exe"
    else:
        nssm, problems = preflight(host, args.nssm)
        if problems:
            return report(problems, prog)
    steps = install_steps(nssm, args.service, paths["python"], paths["config"],
                          paths["data_dir"], paths["app_dir"], paths["client_config"],
                          console_ms_for(paths))
    if args.reinstall:
        steps = uninstall_steps(nssm, args.service) + steps
    if args.dry_run:
        print(f"rem before these: refuse {paths['config']} if it exists and is not owned by "
              f"Administrators; create {paths['data_dir']}\\logs, and {paths['config']} "
              f"from etc\\riskd.toml if it is missing; write {paths['client_config']}",
              file=sys.stderr)
        print_steps(steps)
        return EXIT_OK
    if not args.reinstall and host.service_exists(args.service):
        return report([Problem(EXIT_EXISTS, (
            f"service {args.service} is already installed: run uninstall.py first or pass "
            f"--reinstall (the config and data dir are kept)"))], prog)
    problems = prepare(paths, host.owner_sid)
    if problems:
        return report(problems, prog)
    code = run_steps(steps, host, prog)
    if code == EXIT_OK:
        print(f"service {args.service} installed and started; logs in "
              f"{paths['data_dir']}\\logs")
    return code


if __name__ == "__main__":
    sys.exit(main())
