"""The logic around the Windows calls (shared/winproc.py, shared/winjob.py), with fake kernel32s.

What cannot run here is the ctypes binding itself; what can: which answer each OS
result gives, that every handle opened is closed, and the job's structure layout.
"""
from __future__ import annotations

import ctypes

import pytest

from shared import winjob, winproc


class FakeKernel32:
    """Processes by pid: (exit code, creation time, image); pids in `denied` exist but are
    not ours to open. Records every handle opened and closed."""

    def __init__(self, procs=None, denied=()):
        self.procs = procs or {}
        self.denied = set(denied)
        self.opened, self.closed, self.terminated = [], [], []

    def open_process(self, access, pid):
        if pid in self.denied:
            raise winproc.ApiError(winproc.ERROR_ACCESS_DENIED, "Access is denied.")
        if pid not in self.procs:
            raise winproc.ApiError(winproc.ERROR_INVALID_PARAMETER, "The parameter is incorrect.")
        handle = 1000 + len(self.opened)
        self.opened.append((handle, access, pid))
        return handle

    def _pid(self, handle):
        return next(p for h, _a, p in self.opened if h == handle)

    def exit_code(self, handle):
        return self.procs[self._pid(handle)][0]

    def creation_time(self, handle):
        return self.procs[self._pid(handle)][1]

    def image_path(self, handle):
        return self.procs[self._pid(handle)][2]

    def terminate(self, handle, code):
        self.terminated.append((self._pid(handle), code))

    def close(self, handle):
        self.closed.append(handle)


PY = "C:\\Python311\\python.exe"


def test_alive_only_while_the_exit_code_is_still_active_and_every_handle_is_closed():
    k = FakeKernel32({10: (winproc.STILL_ACTIVE, 5, PY), 11: (0, 6, PY)}, denied={12})
    assert winproc.pid_alive(10, k) is True
    assert winproc.pid_alive(11, k) is False        # exited, someone still holds a handle
    assert winproc.pid_alive(12, k) is True         # exists, not ours to query
    assert winproc.pid_alive(13, k) is False        # ERROR_INVALID_PARAMETER: no such pid
    assert sorted(k.closed) == sorted(h for h, _a, _p in k.opened)
    assert all(a == winproc.PROCESS_QUERY_LIMITED_INFORMATION for _h, a, _p in k.opened)


def test_identity_is_the_creation_filetime_and_the_image_path():
    k = FakeKernel32({10: (winproc.STILL_ACTIVE, 133_500_000_000_000_123, PY), 11: (1, 7, PY)},
                     denied={12})
    assert winproc.identity(10, k) == winproc.Identity("133500000000000123", PY)
    assert winproc.identity(11, k) is None
    assert winproc.identity(12, k) == winproc.Identity("", "")   # alive, cannot be proven ours
    assert winproc.identity(13, k) is None
    assert len(k.closed) == len(k.opened)


def test_terminate_opens_with_terminate_rights_and_reports_a_missing_process():
    k = FakeKernel32({10: (winproc.STILL_ACTIVE, 1, PY)})
    assert winproc.terminate(10, 3, k) is True
    assert winproc.terminate(99, 3, k) is False
    assert k.terminated == [(10, 3)] and k.opened[0][1] == winproc.PROCESS_TERMINATE
    assert k.closed == [k.opened[0][0]]


class FakeJobApi:
    def __init__(self, fail_limits=False):
        self.calls, self.fail_limits = [], fail_limits

    def create(self):
        self.calls.append(("create",))
        return 77

    def set_limits(self, job, info):
        self.calls.append(("set_limits", job, info.BasicLimitInformation.LimitFlags))
        if self.fail_limits:
            raise winproc.ApiError(5, "Access is denied.")

    def assign(self, job, handle):
        self.calls.append(("assign", job, handle))

    def terminate(self, job, code):
        self.calls.append(("terminate", job, code))

    def close(self, job):
        self.calls.append(("close", job))


def test_a_job_is_kill_on_close_and_ends_its_tree_with_one_call():
    api = FakeJobApi()
    job = winjob.Job(api)
    job.assign(555)
    assert job.terminate(9) is True
    job.close()
    job.close()                                   # idempotent
    assert job.terminate() is False
    assert api.calls == [("create",),
                         ("set_limits", 77, winjob.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE),
                         ("assign", 77, 555), ("terminate", 77, 9), ("close", 77)]


def test_a_job_whose_limits_cannot_be_set_is_closed_and_the_error_raised():
    api = FakeJobApi(fail_limits=True)
    with pytest.raises(OSError):
        winjob.Job(api)
    assert api.calls[-1] == ("close", 77)


def test_the_extended_limit_structure_has_the_x64_windows_layout():
    # sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) is 144 on x64 Windows; LimitFlags at 16.
    assert ctypes.sizeof(ctypes.c_void_p) == 8, "the layout checked is x64's"
    assert ctypes.sizeof(winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144
    assert winjob.JOBOBJECT_BASIC_LIMIT_INFORMATION.LimitFlags.offset == 16
    assert winjob.JOBOBJECT_EXTENDED_LIMIT_INFORMATION.IoInfo.offset == 64


class FakeDll:
    """Stands in for ctypes.WinDLL: every function accepts argtypes/restype and returns 1."""

    def __init__(self, *_args, **_kwargs):
        self.called = []

    def __getattr__(self, name):
        dll = self

        class Function:
            def __call__(self, *args):
                dll.called.append(name)
                return 1
        fn = Function()
        setattr(self, name, fn)
        return fn


def test_the_ctypes_bindings_declare_every_function_they_call(monkeypatch):
    # Only Windows can run them; here every signature declaration is at least evaluated
    # (a misspelt wintypes name or structure would fail) and a successful call goes through.
    monkeypatch.setattr(ctypes, "WinDLL", FakeDll, raising=False)
    k = winproc.Kernel32()
    for fn in ("OpenProcess", "GetExitCodeProcess", "GetProcessTimes",
               "QueryFullProcessImageNameW", "TerminateProcess", "CloseHandle"):
        assert getattr(k._k, fn).argtypes is not None, fn
    assert k.open_process(winproc.PROCESS_QUERY_LIMITED_INFORMATION, 4) == 1
    assert k.creation_time(1) == 0 and k.exit_code(1) == 0
    api = winjob.JobApi()
    job = winjob.Job(api)
    job.assign(7)
    assert job.terminate() is True
    job.close()
    assert api._k.called == ["CreateJobObjectW", "SetInformationJobObject",
                             "AssignProcessToJobObject", "TerminateJobObject", "CloseHandle"]
