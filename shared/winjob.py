"""Windows Job objects: every worker's process tree dies with riskd, and can be ended at once.

On POSIX a worker runs in its own session and killpg() ends its tree; when the
supervisor dies, its workers are ended by the next one through the pid files.
On Windows each worker is put in a Job object of its own, created with
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE. The supervisor holds the only handle (it is
not inheritable), so however riskd ends (a crash, taskkill /F, NSSM's
TerminateProcess) the kernel closes the handle and ends every process of the
job; and `kill()` of one worker is TerminateJobObject, which also ends what
the worker started. The exact calls:

    CreateJobObjectW(NULL, NULL)
    SetInformationJobObject(job, JobObjectExtendedLimitInformation = 9,
                            &JOBOBJECT_EXTENDED_LIMIT_INFORMATION{BasicLimitInformation.LimitFlags
                            = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000}, sizeof)
    AssignProcessToJobObject(job, process_handle)     (Popen._handle, right after CreateProcess)
    TerminateJobObject(job, exit_code)
    CloseHandle(job)

A worker spawned by the supervisor starts the base interpreter directly
(children.py, as multiprocessing does since bpo-35797), so no launcher has a
child of its own yet when it is assigned. Nested jobs (Windows 8 and later)
let this work when NSSM or a console host already runs riskd inside a job.
Logic is unit-tested with a fake `api`; `JobApi()` is the ctypes binding.
"""
from __future__ import annotations

import ctypes
from typing import Optional

JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS = 9
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000

_DWORD = ctypes.c_uint32        # explicit widths: the layout is the same when tested on Linux


class IO_COUNTERS(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class JOBOBJECT_BASIC_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64),
                ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", _DWORD),
                ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t),
                ("ActiveProcessLimit", _DWORD),
                ("Affinity", ctypes.c_size_t),
                ("PriorityClass", _DWORD),
                ("SchedulingClass", _DWORD)]


class JOBOBJECT_EXTENDED_LIMIT_INFORMATION(ctypes.Structure):
    _fields_ = [("BasicLimitInformation", JOBOBJECT_BASIC_LIMIT_INFORMATION),
                ("IoInfo", IO_COUNTERS),
                ("ProcessMemoryLimit", ctypes.c_size_t),
                ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t),
                ("PeakJobMemoryUsed", ctypes.c_size_t)]


def kill_on_close_limits() -> JOBOBJECT_EXTENDED_LIMIT_INFORMATION:
    info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION()
    info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    return info


class JobApi:
    """The ctypes binding of the job calls above (Windows only)."""

    def __init__(self) -> None:
        from ctypes import wintypes
        k = ctypes.WinDLL("kernel32", use_last_error=True)      # type: ignore[attr-defined]
        k.CreateJobObjectW.argtypes = [ctypes.c_void_p, wintypes.LPCWSTR]
        k.CreateJobObjectW.restype = wintypes.HANDLE
        k.SetInformationJobObject.argtypes = [
            wintypes.HANDLE, ctypes.c_int, ctypes.POINTER(JOBOBJECT_EXTENDED_LIMIT_INFORMATION),
            wintypes.DWORD]
        k.SetInformationJobObject.restype = wintypes.BOOL
        k.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
        k.AssignProcessToJobObject.restype = wintypes.BOOL
        k.TerminateJobObject.argtypes = [wintypes.HANDLE, wintypes.UINT]
        k.TerminateJobObject.restype = wintypes.BOOL
        k.CloseHandle.argtypes = [wintypes.HANDLE]
        k.CloseHandle.restype = wintypes.BOOL
        self._k = k

    def _check(self, ok) -> None:
        if not ok:
            from shared.winproc import ApiError
            err = ctypes.get_last_error()                        # type: ignore[attr-defined]
            raise ApiError(err, ctypes.FormatError(err).strip())  # type: ignore[attr-defined]

    def create(self) -> int:
        handle = self._k.CreateJobObjectW(None, None)
        self._check(handle)
        return handle

    def set_limits(self, job: int, info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION) -> None:
        self._check(self._k.SetInformationJobObject(
            job, JOB_OBJECT_EXTENDED_LIMIT_INFORMATION_CLASS, ctypes.byref(info),
            ctypes.sizeof(info)))

    def assign(self, job: int, process_handle: int) -> None:
        self._check(self._k.AssignProcessToJobObject(job, process_handle))

    def terminate(self, job: int, code: int) -> None:
        self._check(self._k.TerminateJobObject(job, code))

    def close(self, job: int) -> None:
        self._k.CloseHandle(job)


class Job:
    """One kill-on-close job holding one worker's process tree."""

    def __init__(self, api=None):
        self.api = api if api is not None else JobApi()
        self.handle: Optional[int] = self.api.create()
        try:
            self.api.set_limits(self.handle, kill_on_close_limits())
        except OSError:
            self.api.close(self.handle)
            self.handle = None
            raise

    def assign(self, process_handle: int) -> None:
        self.api.assign(self.handle, process_handle)

    def terminate(self, code: int = 1) -> bool:
        """End every process in the job now; False if the job is already closed or failed."""
        if self.handle is None:
            return False
        try:
            self.api.terminate(self.handle, code)
            return True
        except OSError:
            return False

    def close(self) -> None:
        """Close the handle (kill-on-close: anything still in the job ends now)."""
        handle, self.handle = self.handle, None
        if handle is not None:
            self.api.close(handle)
