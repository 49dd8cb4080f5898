"""The repo folder's own config: etc/riskd.local.toml, a copy of etc/riskd.toml made once.

Fresh-user trial: `make run` ran riskd on the tracked etc/riskd.toml, so `riskctl passwd admin
--offline`, `riskctl rules set` and every other edit wrote into it: `git status` showed it
modified, a later `git pull` conflicted, and the password hash sat in the working tree.
`make run` (dev.py run) and riskctl from the repo folder now use etc/riskd.local.toml instead:
created from etc/riskd.toml the first time either needs it, owner-only (it will hold password
hashes), and ignored by git (.gitignore). Deleting it starts over from the shipped defaults.
Standard library only: dev.py imports it before .venv exists.
"""
from __future__ import annotations

import os
import shutil

SHIPPED = os.path.join("etc", "riskd.toml")
LOCAL = os.path.join("etc", "riskd.local.toml")


def ensure(repo: str = ".") -> str:
    """The local copy's path under repo (LOCAL when repo is "."), created from the shipped
    file when missing. OSError when it cannot be made (no shipped file, a read-only folder)."""
    local = os.path.join(repo, LOCAL) if repo != "." else LOCAL
    if os.path.exists(local):
        return local
    shipped = os.path.join(repo, SHIPPED)
    tmp = f"{local}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, open(shipped, "rb") as src:
            shutil.copyfileobj(src, out)
        if not os.path.exists(local):          # another riskctl may have made it meanwhile
            os.replace(tmp, local)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return local


def default_path(repo: str = ".") -> str:
    """What riskctl and `make run` use when no config is named: the local copy when there is a
    shipped etc/riskd.toml to make it from (made now if it is missing), else the shipped path
    (then riskctl says it cannot read it, as before)."""
    if not os.path.exists(os.path.join(repo, SHIPPED)):
        return os.path.join(repo, SHIPPED) if repo != "." else SHIPPED
    try:
        return ensure(repo)
    except OSError:
        return os.path.join(repo, SHIPPED) if repo != "." else SHIPPED
