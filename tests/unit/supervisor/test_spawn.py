"""Which interpreter starts a worker: the base python in a Windows venv, as multiprocessing does."""
from __future__ import annotations

import ntpath

from services.supervisor.children import interpreter

VENV = "C:\\riskd\\.venv\\Scripts\\python.exe"
BASE = "C:\\Python311\\python.exe"


def test_in_a_windows_venv_the_base_python_is_started_with_the_venv_named():
    assert interpreter(VENV, BASE, windows=True, normcase=ntpath.normcase) == \
        (BASE, {"__PYVENV_LAUNCHER__": VENV})


def test_outside_a_venv_or_off_windows_sys_executable_is_started_as_it_is():
    assert interpreter(BASE, BASE.lower(), windows=True, normcase=ntpath.normcase) == (BASE, {})
    assert interpreter(BASE, None, windows=True, normcase=ntpath.normcase) == (BASE, {})
    assert interpreter("/w/.venv/bin/python", "/usr/bin/python3", windows=False) == \
        ("/w/.venv/bin/python", {})
