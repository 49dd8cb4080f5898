"""Test configs with admin/ops passwords (bcrypt cost 4: a login takes milliseconds) and logins."""
from __future__ import annotations

import json
import os

from shared.config import load_config
from shared.config.access import hash_password
from tests.support.env import make_config, wait_for

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


GUARDS = ["simbroker", "market", "risk"]


def admin_riskd(procs, tmp_path, monkeypatch, workers=GUARDS) -> str:
    """A real riskd on the shipped rules (the sim's random walk off), one account (Demo 1,
    SIM-DEMO-1, id 1001) that risk reports, and riskctl logged in as admin: the config path."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=list(workers),
                                   broker={"sim": {"tick_interval": 0}},
                                   accounts=[{"id": 1001, "name": "SIM-DEMO-1",
                                              "display_name": "Demo 1"}])
    procs.riskd(config)
    procs.wait_running(config, [w for w in workers if w != "logging"], timeout=30)
    wait_for(lambda: '"current": "0 / 5"' in procs.riskctl(config, "rules", "list", "--json")
             .stdout.replace(".00", ""), 20, what="risk to report the account")
    login(procs, config, "admin")
    return config
