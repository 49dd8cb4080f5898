"""Windows process queries, asked of the OS (kernel32 through ctypes), never of a tool's text.

Used on Windows only (services/supervisor/procident.py picks it); no tasklist or
wmic parsing, whose output is localised and in the OEM code page. The exact calls:

    OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION = 0x1000, FALSE, pid)
        fails with ERROR_INVALID_PARAMETER (87): no process has this pid;
        fails with ERROR_ACCESS_DENIED (5): it exists but is not ours to query.
    GetExitCodeProcess(h, &code)            alive while code == STILL_ACTIVE (259)
    GetProcessTimes(h, &creation, &exit, &kernel, &user)
                                            creation: a FILETIME, 100 ns units since 1601
    QueryFullProcessImageNameW(h, 0, buf, &size)       the image (the .exe) path
    OpenProcess(PROCESS_TERMINATE = 0x0001, FALSE, pid); TerminateProcess(h, code)
    CloseHandle(h)                          after every successful OpenProcess

A process that has exited while someone still holds a handle to it keeps its
pid; GetExitCodeProcess tells it apart. (A process that itself exits with code
259 would read as alive until its last handle closes: documented Windows caveat.)

All of the logic takes a `Kernel32`-like object, so tests run it on any OS
with a fake that records the calls; `Kernel32()` is the ctypes binding.
"""
from __future__ import annotations

import ctypes
from typing import NamedTuple, Optional

PROCESS_TERMINATE = 0x0001
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
STILL_ACTIVE = 259
ERROR_ACCESS_DENIED = 5
ERROR_INVALID_PARAMETER = 87
MAX_IMAGE_CHARS = 32768


class ApiError(OSError):
    """A failed kernel32 call; `code` is GetLastError()'s value."""

    def __init__(self, code: int, message: str = ""):
        super().__init__(message or f"Windows error {code}")
        self.code = code


class Identity(NamedTuple):
    """What tells one process apart from a later one that reuses its pid."""
    started: str          # the creation FILETIME as a decimal string ('' when unknown)
    image: str            # the full image path ('' when unknown)


class Kernel32:
    """The ctypes binding of the few kernel32 calls above (Windows only)."""

    def __init__(self) -> None:
        from ctypes import wintypes
        k = ctypes.WinDLL("kernel32", use_last_error=True)      # type: ignore[attr-defined]
        k.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
        k.OpenProcess.restype = wintypes.HANDLE
        k.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        k.GetExitCodeProcess.restype = wintypes.BOOL
        k.GetProcessTimes.argtypes = [wintypes.HANDLE] + [ctypes.POINTER(wintypes.FILETIME)] * 4
        k.GetProcessTimes.restype = wintypes.BOOL
        k.QueryFullProcessImageNameW.argtypes = [wintypes.HANDLE, wintypes.DWORD,
                                                 wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD)]
        k.QueryFullProcessImageNameW.restype = wintypes.BOOL
        k.TerminateProcess.argtypes = [wintypes.HANDLE, wintypes.UINT]
        k.TerminateProcess.restype = wintypes.BOOL
        k.CloseHandle.argtypes = [wintypes.HANDLE]
        k.CloseHandle.restype = wintypes.BOOL
        self._k, self._wt = k, wintypes

    def _fail(self) -> ApiError:
        err = ctypes.get_last_error()                            # type: ignore[attr-defined]
        return ApiError(err, ctypes.FormatError(err).strip())   # type: ignore[attr-defined]

    def open_process(self, access: int, pid: int) -> int:
        handle = self._k.OpenProcess(access, False, pid)
        if not handle:
            raise self._fail()
        return handle

    def exit_code(self, handle: int) -> int:
        code = self._wt.DWORD()
        if not self._k.GetExitCodeProcess(handle, ctypes.byref(code)):
            raise self._fail()
        return code.value

    def creation_time(self, handle: int) -> int:
        times = [self._wt.FILETIME() for _ in range(4)]
        if not self._k.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            raise self._fail()
        return (times[0].dwHighDateTime << 32) | times[0].dwLowDateTime

    def image_path(self, handle: int) -> str:
        buf = ctypes.create_unicode_buffer(MAX_IMAGE_CHARS)
        size = self._wt.DWORD(MAX_IMAGE_CHARS)
        if not self._k.QueryFullProcessImageNameW(handle, 0, buf, ctypes.byref(size)):
            raise self._fail()
        return buf.value

    def terminate(self, handle: int, code: int) -> None:
        if not self._k.TerminateProcess(handle, code):
            raise self._fail()

    def close(self, handle: int) -> None:
        self._k.CloseHandle(handle)


_default: Optional[Kernel32] = None


def _k32(k) -> "Kernel32":
    global _default
    if k is not None:
        return k
    if _default is None:
        _default = Kernel32()
    return _default


def pid_alive(pid: int, k=None) -> bool:
    """True while a process with this pid exists and has not exited."""
    k = _k32(k)
    try:
        handle = k.open_process(PROCESS_QUERY_LIMITED_INFORMATION, pid)
    except OSError as exc:
        return getattr(exc, "code", None) == ERROR_ACCESS_DENIED   # 87: no such pid
    try:
        return k.exit_code(handle) == STILL_ACTIVE
    except OSError:
        return True          # opened, so it exists; its exit code is not ours to read
    finally:
        k.close(handle)


def identity(pid: int, k=None) -> Optional[Identity]:
    """Creation time and image of a live process; None when gone; '' parts when not ours."""
    k = _k32(k)
    try:
        handle = k.open_process(PROCESS_QUERY_LIMITED_INFORMATION, pid)
    except OSError as exc:
        return Identity("", "") if getattr(exc, "code", None) == ERROR_ACCESS_DENIED else None
    try:
        try:
            if k.exit_code(handle) != STILL_ACTIVE:
                return None
        except OSError:
            pass
        try:
            started = str(k.creation_time(handle))
        except OSError:
            started = ""
        try:
            image = k.image_path(handle)
        except OSError:
            image = ""
        return Identity(started, image)
    finally:
        k.close(handle)


def terminate(pid: int, code: int = 1, k=None) -> bool:
    """End one process now (TerminateProcess); False when it is gone or not ours to end."""
    k = _k32(k)
    try:
        handle = k.open_process(PROCESS_TERMINATE, pid)
    except OSError:
        return False
    try:
        k.terminate(handle, code)
        return True
    except OSError:
        return False
    finally:
        k.close(handle)
