"""The service definitions: the NSSM install/uninstall command lists (their dry run on Linux),
the service ACL that only lets administrators stop riskd, the scripts' refusals, and the
systemd unit."""
from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.support.env import REPO
from winservice import install, uninstall
from winservice.common import (EXIT_EXISTS, EXIT_FAILED, EXIT_NO_NSSM, EXIT_NOT_ADMIN, EXIT_OK,
                               Host, cmd_line, run_steps, step)

NSSM = r"C:\tools\nssm.exe"
APP = r"C:\Program Files\riskd"
PY = APP + r"\.venv\Scripts\python.exe"
CONFIG = r"C:\ProgramData\riskd\riskd.toml"
DATA = r"C:\ProgramData\riskd\data"
CLIENT = r"C:\ProgramData\riskd-client\riskctl.toml"
ARGS = ["--nssm", NSSM, "--app-dir", APP, "--config", CONFIG, "--data-dir", DATA,
        "--client-config", CLIENT]
REG_DELETE = ('reg delete "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment" '
              '/v RISKD_CONFIG /f')
CONSOLE_MS = install.stop_console_ms(install.shutdown_timeout_of(None))


def steps() -> list[tuple[str, ...]]:
    return [s.argv for s in install.install_steps(NSSM, "riskd", PY, CONFIG, DATA, APP, CLIENT,
                                                  CONSOLE_MS)]


def nssm_set(*args: str) -> tuple[str, ...]:
    return (NSSM, "set", "riskd", *args)


# -- the install command list ---------------------------------------------------
def test_install_creates_the_service_running_the_venv_supervisor_with_the_config():
    argvs = steps()
    assert argvs[0] == (NSSM, "install", "riskd", PY)
    assert nssm_set("AppDirectory", APP) in argvs
    assert nssm_set("AppParameters", f'-m services.supervisor --config "{CONFIG}"') in argvs
    assert nssm_set("Start", "SERVICE_AUTO_START") in argvs
    assert argvs[-1] == (NSSM, "start", "riskd")


def test_install_restarts_on_any_exit_within_about_a_second():
    argvs = steps()
    assert nssm_set("AppExit", "Default", "Restart") in argvs
    delay = next(int(a[4]) for a in argvs if a[3:4] == ("AppRestartDelay",))
    throttle = next(int(a[4]) for a in argvs if a[3:4] == ("AppThrottle",))
    assert 0 < delay <= 2000 and throttle <= 2000        # NSSM's default backoff reaches minutes
    failure = next(a for a in argvs if a[:2] == ("sc.exe", "failure"))
    assert failure[2] == "riskd" and failure[-1].startswith("restart/")


def test_install_captures_stdout_and_stderr_to_rotated_files_in_the_data_dir():
    argvs = steps()
    assert nssm_set("AppStdout", DATA + r"\logs\service-stdout.log") in argvs
    assert nssm_set("AppStderr", DATA + r"\logs\service-stderr.log") in argvs
    for setting in (("AppRotateFiles", "1"), ("AppRotateOnline", "1")):
        assert nssm_set(*setting) in argvs
    rotate = next(int(a[4]) for a in argvs if a[3:4] == ("AppRotateBytes",))
    assert rotate >= 1024 * 1024


def test_install_stops_gracefully_with_ctrl_c_then_a_timeout_then_kills_the_tree():
    argvs = steps()
    assert nssm_set("AppStopMethodSkip", "0") in argvs               # no stop method skipped
    assert nssm_set("AppNoConsole", "0") in argvs                    # Ctrl-C needs the console
    console = next(int(a[4]) for a in argvs if a[3:4] == ("AppStopMethodConsole",))
    assert console >= 10000                # riskd's ordered shutdown of its workers fits in it
    assert nssm_set("AppKillProcessTree", "1") in argvs


def test_install_takes_ownership_of_every_folder_then_resets_and_restricts_its_acls():
    argvs = steps()
    acl_steps = [a for a in argvs if a[0] in ("takeown", "icacls")]
    admin_only = ("*S-1-5-32-544:(OI)(CI)F", "*S-1-5-18:(OI)(CI)F")
    expected = []
    for folder, grants in ((r"C:\ProgramData\riskd", admin_only),     # data dir is inside it
                           (r"C:\ProgramData\riskd-client", admin_only + ("*S-1-5-32-545:(OI)(CI)RX",))):
        expected += [("takeown", "/F", folder, "/A"),
                     ("icacls", folder, "/setowner", "*S-1-5-32-544", "/T", "/C", "/Q"),
                     ("icacls", folder, "/reset", "/T", "/C", "/Q"),
                     ("icacls", folder, "/inheritance:r", "/grant:r", *grants)]
    assert acl_steps == expected
    # all before the service starts; riskctl finds the client config for every user
    assert argvs.index(expected[-1]) < argvs.index((NSSM, "start", "riskd"))
    assert ("setx", "RISKD_CONFIG", CLIENT, "/M") in argvs


def test_the_nssm_stop_window_is_derived_from_rissds_shutdown_deadline():
    assert install.shutdown_timeout_of("[supervisor]\nshutdown_timeout = 20.0\n") == 20.0
    assert install.shutdown_timeout_of("[supervisor]\nworkers = []\n") == 10.0   # the default
    assert install.shutdown_timeout_of("not toml [") == 10.0
    from services.supervisor.children import KILL_WAIT
    for shutdown in (4.0, 10.0, 20.0):
        window = install.stop_console_ms(shutdown) / 1000
        assert window >= shutdown + KILL_WAIT + 3.0     # riskd is done well before NSSM kills
    argvs = steps()
    assert nssm_set("AppStopMethodConsole", str(CONSOLE_MS)) in argvs


def test_the_window_comes_from_the_existing_config_else_from_the_seed_template(tmp_path):
    config = tmp_path / "riskd.toml"
    paths = {"config": str(config), "app_dir": str(tmp_path)}
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "riskd.toml").write_text("[supervisor]\nshutdown_timeout = 6.0\n")
    assert install.console_ms_for(paths) == install.stop_console_ms(6.0)
    config.write_text("[supervisor]\nshutdown_timeout = 30.0\n")
    assert install.console_ms_for(paths) == install.stop_console_ms(30.0)


def test_the_client_config_holds_the_bus_addresses_and_no_secret(tmp_path):
    from shared.config import load_config
    server_path = os.path.join(REPO, "etc", "riskd.toml")
    with open(server_path, encoding="utf-8") as fh:
        server_text = fh.read().replace('password_hash = ""', 'password_hash = "$2b$12$hashofthetrader"', 1)
    text = install.client_config_text(server_text, CONFIG)
    assert "hashofthetrader" not in text and "password" not in text and "[accounts" not in text
    client = tmp_path / "riskctl.toml"
    client.write_text(text)
    assert load_config(str(client)).config.bus == load_config(server_path).config.bus
    assert "docs/windows.md" in text


def test_an_existing_config_not_owned_by_administrators_is_refused_and_nothing_changes(tmp_path):
    from winservice.common import EXIT_UNTRUSTED
    config = tmp_path / "riskd.toml"
    config.write_text('[paths]\ndata_dir = "data"\n')
    paths = {"app_dir": REPO, "python": sys.executable, "config": str(config),
             "data_dir": str(tmp_path / "data"), "client_config": str(tmp_path / "c" / "r.toml")}
    trader = "S-1-5-21-1111111111-2222222222-3333333333-1001"
    problems = install.prepare(paths, owner_sid=lambda _p: trader)
    assert [p.exit_code for p in problems] == [EXIT_UNTRUSTED]
    assert trader in problems[0].message and "setowner *S-1-5-32-544" in problems[0].message
    assert not (tmp_path / "data").exists() and not (tmp_path / "c").exists()
    assert install.prepare(paths, owner_sid=lambda _p: None)[0].exit_code == EXIT_UNTRUSTED
    for trusted in ("S-1-5-32-544", "S-1-5-18"):
        assert install.prepare(paths, owner_sid=lambda _p, t=trusted: t) == []


def test_locked_folders_keep_separate_folders_and_refuse_a_drive_root():
    assert install.locked_folders(r"C:\cfg\riskd.toml", r"D:\riskd") == [r"C:\cfg", r"D:\riskd"]
    assert install.locked_folders(r"C:\a\b\riskd.toml", r"C:\a") == [r"C:\a"]
    with pytest.raises(ValueError, match="drive root"):
        install.locked_folders(r"C:\riskd.toml", DATA)


# -- the service ACL --------------------------------------------------------------
# SDDL right letters as they apply to a service object, and the generic rights'
# service mapping (GENERIC_EXECUTE includes SERVICE_STOP: a classic way to leak it).
START, STOP, PAUSE, CHANGE_CONFIG = 0x10, 0x20, 0x40, 0x2
DELETE, WRITE_DAC, WRITE_OWNER = 0x10000, 0x40000, 0x80000
RIGHTS = {"CC": 0x1, "DC": 0x2, "LC": 0x4, "SW": 0x8, "RP": 0x10, "WP": 0x20, "DT": 0x40,
          "LO": 0x80, "CR": 0x100, "SD": DELETE, "RC": 0x20000, "WD": WRITE_DAC,
          "WO": WRITE_OWNER, "GA": 0xF01FF, "GX": 0x20000 | 0x10 | 0x20 | 0x40 | 0x100,
          "GW": 0x20000 | 0x2, "GR": 0x20000 | 0x1 | 0x4 | 0x8 | 0x80,
          "FA": 0x1F01FF, "KA": 0xF003F}
ADMIN_ONLY = STOP | PAUSE | CHANGE_CONFIG | DELETE | WRITE_DAC | WRITE_OWNER


def parse_dacl(sddl: str) -> list[tuple[str, int, str]]:
    """(ace type, access mask, trustee SID) for each ACE of the D: part."""
    dacl = re.match(r"D:[A-Z]*((?:\([^)]*\))+)(?:S:.*)?$", sddl)
    assert dacl, f"expected a D: part of (ACE) strings, got {sddl!r}"
    aces = []
    for ace in re.findall(r"\(([^)]*)\)", dacl.group(1)):
        kind, _flags, rights, _obj, _inherit, sid = ace.split(";")
        if rights.lower().startswith("0x"):
            mask = int(rights, 16)
        else:
            tokens = re.findall("..", rights)
            assert "".join(tokens) == rights and all(t in RIGHTS for t in tokens), rights
            mask = 0
            for t in tokens:
                mask |= RIGHTS[t]
        aces.append((kind, mask, sid))
    return aces


def test_sdset_grants_stop_pause_and_config_to_administrators_and_system_only():
    sdset = next(a for a in steps() if a[:2] == ("sc.exe", "sdset"))
    assert sdset[2] == "riskd"
    aces = parse_dacl(sdset[3])
    allowed: dict[str, int] = {}
    for kind, mask, sid in aces:
        assert kind == "A", "a deny ACE for users would also hit elevated admins"
        allowed[sid] = allowed.get(sid, 0) | mask
    assert allowed["BA"] & ADMIN_ONLY == ADMIN_ONLY and allowed["SY"] & ADMIN_ONLY == ADMIN_ONLY
    others = {sid: mask for sid, mask in allowed.items() if sid not in ("BA", "SY")}
    assert {"IU", "AU"} <= set(others)
    for sid, mask in others.items():
        assert mask & ADMIN_ONLY == 0, f"{sid} may stop, pause or reconfigure riskd"
    assert others["IU"] & START and others["AU"] & START     # starting it is harmless


def test_the_acl_checker_catches_generic_execute():
    _, mask, _ = parse_dacl("D:(A;;GX;;;IU)")[0]
    assert mask & STOP


# -- the scripts ----------------------------------------------------------------
def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, os.path.join(REPO, "winservice", name), *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO)


def test_install_dry_run_prints_the_exact_commands_one_per_line():
    done = run_script("install.py", "--dry-run", *ARGS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [cmd_line(a) for a in steps()]
    params = next(line for line in done.stdout.splitlines() if " AppParameters " in line)
    assert shlex.split(params, posix=True)[4] == f'-m services.supervisor --config "{CONFIG}"'


def test_reinstall_dry_run_removes_the_old_service_first():
    done = run_script("install.py", "--dry-run", "--reinstall", *ARGS)
    lines = done.stdout.splitlines()
    assert lines[:3] == [f"{NSSM} stop riskd", f"{NSSM} remove riskd confirm", REG_DELETE]
    assert lines[3:] == [cmd_line(a) for a in steps()]


def test_uninstall_dry_run_stops_then_removes():
    done = run_script("uninstall.py", "--dry-run", "--nssm", NSSM)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"{NSSM} stop riskd", f"{NSSM} remove riskd confirm",
                                        REG_DELETE]


def test_a_real_run_off_windows_is_refused_with_a_clear_error():
    for name in ("install.py", "uninstall.py"):
        done = run_script(name, *(ARGS if name == "install.py" else ()))
        assert done.returncode == EXIT_NOT_ADMIN
        assert "must run on Windows" in done.stderr and "--dry-run" in done.stderr
        assert done.stdout == ""


class Recorder:
    """A Windows host whose commands are recorded; `fail` maps a verb to an exit code."""

    def __init__(self, admin=True, nssm: str | None = NSSM, exists=True, fail=None):
        self.ran: list[tuple[str, ...]] = []
        self.fail = fail or {}
        self.host = Host(platform="win32", is_admin=lambda: admin,
                         find_nssm=lambda _arg: nssm, service_exists=lambda _name: exists,
                         run=self.run)

    def run(self, argv):
        self.ran.append(tuple(argv))
        return self.fail.get(argv[1], 0), ""


def test_missing_admin_rights_are_refused_before_anything_runs(capsys):
    rec = Recorder(admin=False)
    assert install.main(ARGS, host=rec.host) == EXIT_NOT_ADMIN
    assert uninstall.main([], host=rec.host) == EXIT_NOT_ADMIN
    assert "administrator rights required" in capsys.readouterr().err and rec.ran == []


def test_missing_nssm_is_refused_with_where_it_looked(capsys):
    rec = Recorder(nssm=None)
    assert install.main(ARGS, host=rec.host) == EXIT_NO_NSSM
    assert f"nssm.exe not found at {NSSM} (from --nssm)" in capsys.readouterr().err
    assert uninstall.main([], host=rec.host) == EXIT_NO_NSSM
    assert "nssm.exe not found on PATH" in capsys.readouterr().err and rec.ran == []


def test_both_problems_are_reported_at_once(capsys):
    assert install.main(ARGS, host=Recorder(admin=False, nssm=None).host) == EXIT_NOT_ADMIN
    err = capsys.readouterr().err
    assert "administrator rights required" in err and "nssm.exe not found" in err


def test_install_over_an_existing_service_is_refused(capsys):
    rec = Recorder(exists=True)
    assert install.main(ARGS, host=rec.host) == EXIT_EXISTS
    assert "already installed" in capsys.readouterr().err and rec.ran == []


def test_uninstall_tolerates_a_stopped_service_and_removes_it():
    rec = Recorder(fail={"stop": 1})
    assert uninstall.main(["--nssm", NSSM], host=rec.host) == EXIT_OK
    assert rec.ran[:2] == [(NSSM, "stop", "riskd"), (NSSM, "remove", "riskd", "confirm")]
    assert rec.ran[2][:2] == ("reg", "delete") and "RISKD_CONFIG" in rec.ran[2]


def test_uninstall_of_a_missing_service_does_nothing():
    rec = Recorder(exists=False)
    assert uninstall.main([], host=rec.host) == EXIT_OK and rec.ran == []


def test_a_failing_step_stops_the_run_and_names_the_command(capsys):
    rec = Recorder(fail={"sdset": 5})
    todo = [step("sc.exe", "sdset", "riskd", "D:"), step(NSSM, "start", "riskd")]
    assert run_steps(todo, rec.host, "install.py") == EXIT_FAILED
    assert rec.ran == [todo[0].argv]
    assert "step 1/2 failed with exit code 5: sc.exe sdset riskd D:" in capsys.readouterr().err


def test_an_existing_config_pointing_elsewhere_is_reported():
    assert install.data_dir_conflict('[paths]\ndata_dir = "data"\n', CONFIG, DATA) is None
    why = install.data_dir_conflict('[paths]\ndata_dir = "../var"\n', CONFIG, DATA)
    assert why and r"C:\ProgramData\var" in why and "--data-dir" in why


# -- systemd ------------------------------------------------------------------------
def test_systemd_unit_restarts_always_as_riskd_and_stops_gracefully():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(os.path.join(REPO, "etc", "riskd.service"))
    svc = unit["Service"]
    assert svc["Restart"] == "always" and float(svc["RestartSec"]) <= 1
    assert svc["User"] == "riskd" and svc["StateDirectory"] == "riskd"
    assert svc["ExecStart"] == "@REPO@/.venv/bin/riskd --config /etc/riskd/riskd.toml"
    assert svc["KillMode"] in ("mixed", "control-group") and svc["KillSignal"] == "SIGTERM"
    assert int(svc["TimeoutStopSec"]) >= 15
    from services.supervisor.children import KILL_WAIT
    assert int(svc["TimeoutStopSec"]) > install.shutdown_timeout_of(None) + KILL_WAIT + 2
    assert svc["NoNewPrivileges"] == "yes" and svc["ProtectSystem"] == "strict"
    assert "/etc/riskd" in svc["ReadWritePaths"]          # riskctl edits the config there
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"


def test_prepare_seeds_a_loadable_config_pointing_at_the_data_dir(tmp_path):
    from shared.config import load_config
    paths = {"app_dir": REPO, "python": sys.executable, "config": str(tmp_path / "riskd.toml"),
             "data_dir": str(tmp_path / "data"),
             "client_config": str(tmp_path / "client" / "riskctl.toml")}
    admins = lambda _path: "S-1-5-32-544"                # noqa: E731 - the installer made it
    assert install.prepare(paths, admins) == []
    assert (tmp_path / "data" / "logs").is_dir()
    assert load_config(paths["config"]).data_dir == paths["data_dir"]
    assert load_config(paths["client_config"]).config.bus == \
        load_config(paths["config"]).config.bus
    assert install.prepare(paths, admins) == []          # an existing, agreeing config is kept
    paths["python"] = str(tmp_path / "missing.exe")
    assert "create the virtualenv first" in install.prepare(paths, admins)[0].message
