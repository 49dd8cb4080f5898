"""Test configs with admin/ops passwords (bcrypt cost 4: a login takes milliseconds) and logins."""
from __future__ import annotations

import json
import os

from shared.config import load_config
from shared.config.access import hash_password
from tests.support.env import make_config

ADMIN_PW, OPS_PW = "correct horse", "battery staple"


def config_with_passwords(tmp_path, workers=("logging",), session_minutes=15, **sections):
    return make_config(tmp_path, workers=list(workers),
                       admin={"password_hash": hash_password(ADMIN_PW, cost=4),
                              "session_minutes": session_minutes},
                       ops={"password_hash": hash_password(OPS_PW, cost=4)}, **sections)


def login(procs, config: str, role: str = "admin") -> None:
    """Log riskctl in (the session is cached in $RISKD_SESSION_DIR: set it per test)."""
    password = ADMIN_PW if role == "admin" else OPS_PW
    result = procs.riskctl(config, "login", "--role", role, "--password-stdin",
                           input=password + "\n")
    assert result.returncode == 0, result.stderr


def audit_lines(config: str) -> list[dict]:
    """Every line of the audit log (the current file), parsed."""
    path = os.path.join(load_config(config).log_dir, "audit.log")
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []


def audited(config: str, *words) -> list[dict]:
    """The audit lines holding every one of `words`."""
    return [r for r in audit_lines(config) if all(w in json.dumps(r, ensure_ascii=False)
                                                  for w in words)]
