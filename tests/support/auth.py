"""Test configs with admin/ops passwords (bcrypt cost 4: a login takes milliseconds) and logins."""
from __future__ import annotations

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
