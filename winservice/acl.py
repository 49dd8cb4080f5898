"""Folder ownership and ACLs for the installer, and the trust check of an existing config.

A standard user who creates %PROGRAMDATA%\\riskd before the install owns it, and an
owner can always re-grant themselves access; a config they wrote there could carry
their own admin password hash or broker. So, for every folder riskd keeps (config,
data dir, the traders' client config), the installer:

    takeown /F <dir> /A                          the folder itself: owner Administrators
    icacls <dir> /setowner *S-1-5-32-544 /T /C /Q   owner Administrators below it too
    icacls <dir> /reset /T /C /Q                 every ACL back to inherited-only (drops any
                                                 grant a user added to a file)
    icacls <dir> /inheritance:r /grant:r <grants>   the folder: these grants only, inherited
                                                 (OI)(CI) by everything in it

SIDs, never names, so it works on any Windows language (takeown /A names the
Administrators group itself; takeown's /D answer letter is localised, so /R is not
used and icacls /setowner does the recursion). And before any of it, a config file
that already exists must be owned by Administrators, SYSTEM or TrustedInstaller
(owner_sid: GetNamedSecurityInfoW(path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION)
then ConvertSidToStringSidW, both advapi32), or the installer refuses it.
"""
from __future__ import annotations

import ctypes
import sys
from typing import Optional

ADMINISTRATORS = "S-1-5-32-544"
SYSTEM = "S-1-5-18"
USERS = "S-1-5-32-545"
TRUSTED_INSTALLER = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
TRUSTED_OWNERS = {ADMINISTRATORS: "Administrators", SYSTEM: "SYSTEM",
                  TRUSTED_INSTALLER: "TrustedInstaller"}

ADMIN_ONLY = (f"*{ADMINISTRATORS}:(OI)(CI)F", f"*{SYSTEM}:(OI)(CI)F")
USERS_READ = ADMIN_ONLY + (f"*{USERS}:(OI)(CI)RX",)


def ownership_steps(folder: str, grants: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The commands that give `folder` to Administrators and leave exactly `grants` on it."""
    return [("takeown", "/F", folder, "/A"),
            ("icacls", folder, "/setowner", f"*{ADMINISTRATORS}", "/T", "/C", "/Q"),
            ("icacls", folder, "/reset", "/T", "/C", "/Q"),
            ("icacls", folder, "/inheritance:r", "/grant:r", *grants)]


def trust_problem(path: str, owner: Optional[str]) -> Optional[str]:
    """Why an existing config must not be used as it is (None: trusted). Pure."""
    if owner in TRUSTED_OWNERS:
        return None
    who = owner or "an owner that cannot be read"
    return (f"{path} already exists and is owned by {who}, not by Administrators: a standard "
            f"user may have written it (its admin password hash, its broker). Check its "
            f"content, then either delete it (a fresh one is written) or make it "
            f"Administrators': icacls \"{path}\" /setowner *{ADMINISTRATORS}; and install again")


def owner_sid(path: str) -> Optional[str]:
    """The owner SID of a file as a string (Windows only; None if it cannot be read)."""
    if sys.platform != "win32":
        return None
    from ctypes import wintypes
    advapi32 = ctypes.WinDLL("advapi32")                                  # type: ignore
    kernel32 = ctypes.WinDLL("kernel32")                                  # type: ignore
    advapi32.GetNamedSecurityInfoW.argtypes = [
        wintypes.LPCWSTR, ctypes.c_int, wintypes.DWORD, ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    advapi32.GetNamedSecurityInfoW.restype = wintypes.DWORD
    advapi32.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p,
                                                ctypes.POINTER(wintypes.LPWSTR)]
    advapi32.ConvertSidToStringSidW.restype = wintypes.BOOL
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    kernel32.LocalFree.restype = ctypes.c_void_p
    se_file_object, owner_security_information = 1, 1
    owner = ctypes.c_void_p()
    descriptor = ctypes.c_void_p()
    err = advapi32.GetNamedSecurityInfoW(
        path, se_file_object, owner_security_information,
        ctypes.byref(owner), None, None, None, ctypes.byref(descriptor))
    if err != 0:
        return None
    try:
        text = wintypes.LPWSTR()
        if not advapi32.ConvertSidToStringSidW(owner, ctypes.byref(text)):
            return None
        try:
            return text.value
        finally:
            kernel32.LocalFree(ctypes.cast(text, ctypes.c_void_p))
    finally:
        kernel32.LocalFree(descriptor)
