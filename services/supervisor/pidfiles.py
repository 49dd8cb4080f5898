"""Pid files of the workers, and proof that a pid still names the process that wrote it.

One JSON file per worker in <data_dir>/run/<name>.pid:

    {"name": "notify", "module": "services.notify", "pgid": 4242,
     "procs": [{"pid": 4242, "started": "123456", "image": "/usr/bin/python3.11"}, ...]}

`procs` is the process the supervisor started and, once it has answered with
its token, the worker itself when that is another process (a launcher on
Windows). `started` is the OS's creation time of the process: on Linux field 22
of /proc/<pid>/stat (clock ticks since boot), on Windows GetProcessTimes'
creation FILETIME (shared/winproc.py). A new riskd ends a leftover only when the
pid is alive, its creation time is the recorded one AND its image/command line
still is the worker's (Linux: the module in /proc/<pid>/cmdline; Windows: the
recorded image path). A pid reused by any other process fails the check and is
left alone, whoever that process is; so is a pid file in the old "pid module"
form, which carries no creation time.
"""
from __future__ import annotations

import json
import logging
import os
from typing import NamedTuple, Optional

log = logging.getLogger(__name__)

IS_WINDOWS = os.name == "nt"


class Identity(NamedTuple):
    started: str        # creation time as the OS gives it ('' when unknown)
    image: str          # Windows: image path; Linux: the executable path ('' when unknown)
    cmdline: str        # Linux: the command line; Windows: '' (not needed: the image is checked)


def _linux_identity(pid: int) -> Optional[Identity]:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    except OSError:
        return Identity("", "", "")
    if fields[0] == "Z":
        return None                       # a zombie: already ended
    started = fields[19]                  # field 22 overall: starttime (fields[0] is field 3)
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        cmdline = ""
    try:
        image = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        image = ""
    return Identity(started, image, cmdline)


def identity(pid: int) -> Optional[Identity]:
    """The identity of a live process, None when no live process has this pid."""
    if IS_WINDOWS:
        from shared import winproc
        found = winproc.identity(pid)
        return None if found is None else Identity(found.started, found.image, "")
    return _linux_identity(pid)


def same_process(recorded: dict, module: str, now: Optional[Identity],
                 normcase=os.path.normcase) -> tuple[bool, str]:
    """Is the live process `now` the one `recorded` in a pid file? (answer, why not). Pure."""
    if now is None:
        return False, "gone"
    started = str(recorded.get("started", ""))
    if not started or not now.started:
        return False, "its creation time cannot be checked"
    if started != now.started:
        return False, "the pid now belongs to a process created later"
    image = str(recorded.get("image", ""))
    if now.cmdline:
        if module not in now.cmdline:
            return False, "its command line no longer names " + module
    elif image and now.image:
        if normcase(image) != normcase(now.image):
            return False, f"its image is now {now.image}"
    else:
        return False, "its image cannot be checked"
    return True, ""


def path_of(run_dir: str, name: str) -> str:
    return os.path.join(run_dir, f"{name}.pid")


def record(pid: int) -> dict:
    """What to store about one process we started (call while it is alive)."""
    now = identity(pid)
    return {"pid": pid, "started": now.started if now else "", "image": now.image if now else ""}


def write(run_dir: str, name: str, module: str, pgid: int, procs: list[dict]) -> None:
    os.makedirs(run_dir, exist_ok=True)
    path = path_of(run_dir, name)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"name": name, "module": module, "pgid": pgid, "procs": procs}, fh)
    os.replace(tmp, path)


def read(path: str) -> Optional[dict]:
    """The pid file's content; None if unreadable or in the old "pid module" form."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("procs"), list):
        return None
    return doc


def remove(run_dir: str, name: str, pgid: int) -> None:
    """Delete the worker's pid file if it is still the one of this process (pgid)."""
    path = path_of(run_dir, name)
    doc = read(path)
    if doc is not None and doc.get("pgid") != pgid:
        return           # a newer process of this worker owns it
    try:
        os.remove(path)
    except OSError:
        pass


def verified_pids(doc: dict) -> list[int]:
    """The recorded processes that provably are still the ones that were started."""
    out = []
    for proc in doc.get("procs", []):
        try:
            pid = int(proc["pid"])
        except (KeyError, TypeError, ValueError):
            continue
        ok, why = same_process(proc, str(doc.get("module", "")), identity(pid))
        if ok:
            out.append(pid)
        elif why != "gone":
            log.info("pid %d of the %s pid file is left alone: %s", pid, doc.get("name"), why)
    return out
