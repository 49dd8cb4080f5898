"""dev.py: the make-free two steps (Windows): venv paths, when to reinstall, what runs."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

import dev
from tests.support.env import REPO


def test_the_venv_python_is_in_scripts_on_windows_and_bin_elsewhere():
    assert dev.venv_python("C:\\r\\.venv", windows=True).endswith(
        os.path.join("Scripts", "python.exe"))
    assert dev.venv_python("/r/.venv", windows=False) == "/r/.venv/bin/python"


def test_reinstall_when_never_installed_or_a_packaging_file_is_newer(tmp_path):
    (tmp_path / "setup.cfg").write_text("x")
    stamp = tmp_path / ".installed"
    assert dev.needs_install(str(stamp), ("setup.cfg",), str(tmp_path))
    stamp.write_text("")
    os.utime(tmp_path / "setup.cfg", (1000, 1000))
    assert not dev.needs_install(str(stamp), ("setup.cfg",), str(tmp_path))
    os.utime(tmp_path / "setup.cfg", None)
    os.utime(stamp, (1000, 1000))
    assert dev.needs_install(str(stamp), ("setup.cfg",), str(tmp_path))


def test_run_starts_riskd_on_the_embedded_config_and_test_passes_arguments_to_pytest():
    assert dev.command_for("run", [], "py") == ["py", "-m", "services.supervisor", "--config",
                                                os.path.join("etc", "riskd.local.toml")]
    assert dev.command_for("test", ["tests/unit", "-x"], "py") == \
        ["py", "-m", "pytest", "tests/unit", "-x"]
    # the whole suite: four test processes on 2 cores or more, one on a single core
    assert dev.command_for("test", [], "py")[:3] == ["py", "-m", "pytest"]
    assert dev.whole_suite(2) == ["-n", "4", "--dist", "loadfile"] == dev.whole_suite(8)
    assert dev.whole_suite(1) == []
    first = dev.install_commands("venvpy", base_python="py311")[0]
    assert first == ["py311", "-m", "venv", dev.VENV]
    assert dev.install_commands("venvpy", have_venv=True)[-1][-2:] == ["-e", ".[test]"]


def test_no_action_prints_the_usage():
    done = subprocess.run([sys.executable, "dev.py"], cwd=REPO, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2 and "dev.py run" in done.stderr


def test_a_supervisor_killed_by_a_signal_gets_one_line_saying_what_to_run():
    """Trial 2026-12-05: under `make run` a kill -9 of the supervisor left only "make: ***
    [Makefile:18: run] Error 247"; worker log lines kept printing, nothing said they still
    guard or how to start riskd again. The supervisor here is a stand-in killed by SIGKILL."""
    import signal
    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    code = ("import sys, dev; "
            f"sys.exit(-dev.run_riskd([sys.executable, '-c', {suicide!r}]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "MAKELEVEL": "1"})
    assert done.returncode == signal.SIGKILL
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("dev.py: riskd's supervisor was killed by SIGKILL; its workers keep "
                           "guarding")
    assert "until a new riskd takes over: run `make run` to start riskd again" in line


def test_no_line_when_the_supervisor_exits_by_itself():
    assert dev.killed_note(0, "make run") is None and dev.killed_note(1, "make run") is None
    assert "SIGTERM" in dev.killed_note(-15, "make run")
    assert dev.again_command({}, windows=True) == "py -3.11 dev.py run"
    assert dev.again_command({"MAKELEVEL": "1"}, windows=False) == "make run"


@pytest.mark.skipif(shutil.which("make") is None,
                    reason="make is the POSIX set-up's tool; Windows runs dev.py without it")
def test_the_line_comes_above_makes_error_247_as_the_docs_say(tmp_path):
    """Fresh-user trial: docs/operations.md said dev.py's line comes "below make's 'Error
    247'"; make reports the exit after dev.py has said it, so it is above. A throwaway
    Makefile whose run target is dev.py's, with the supervisor a stand-in killed by SIGKILL."""
    import re
    suicide = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    code = f"import sys, dev; sys.exit(dev.run_riskd([sys.executable, '-c', {suicide!r}]))"
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"run:\n\t{sys.executable} -c \"{code}\"\n")
    done = subprocess.run(["make", "-f", str(makefile), "run"], cwd=REPO, capture_output=True,
                          text=True, timeout=30)
    lines = done.stderr.strip().splitlines()
    ours = next(i for i, s in enumerate(lines) if s.startswith("dev.py: riskd's supervisor"))
    makes = next(i for i, s in enumerate(lines) if s.endswith("Error 247"))
    assert ours < makes, lines
    with open(os.path.join(REPO, "docs", "operations.md"), encoding="utf-8") as fh:
        docs = " ".join(fh.read().split())
    said = re.search(r"The terminal of `make run` .*?Error 247", docs).group(0)
    assert "below make's" not in said and "just above make's own" in said, said


def test_the_docs_say_as_many_test_processes_as_make_test_runs():
    """Trial16c: README said "three test processes" in one place and "two" in another, and
    `python3 dev.py --help` "2"; `make test` runs whole_suite()'s -n."""
    n = int(dev.whole_suite(2)[1])
    words = {"one": 1, "two": 2, "three": 3, "four": 4}
    with open(os.path.join(os.path.dirname(dev.__file__), "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    said = [words.get(w, int(w) if w.isdigit() else 0)
            for w in re.findall(r"(\w+) test\s+processes", readme + dev.__doc__)]
    assert said and set(said) == {n}, said


def test_the_suite_writes_bytecode_caches_even_where_the_shell_says_not_to():
    env = dev.suite_env({"PATH": "/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/root"})
    assert env == {"PATH": "/bin", "HOME": "/root"}
