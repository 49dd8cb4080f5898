"""[admin] and [ops]: password hashes (bcrypt, cost 12) and session lengths of the two roles.

An empty password_hash means the role has no password yet: nobody can log in as it
(`riskctl passwd admin` sets one). Hashes are secrets: never shown, never logged.
"""
from __future__ import annotations

import re

import attrs

from shared.config.validators import FieldError, in_range

BCRYPT_COST = 12
_BCRYPT = re.compile(r"^\$2[aby]\$(?P<cost>\d{2})\$[./A-Za-z0-9]{53}$")


def secret(default: str = "", validator=None):
    """A field that holds a secret: masked by `config show`, left out of repr."""
    return attrs.field(default=default, repr=False, metadata={"secret": True},
                       validator=validator)


def _bcrypt_hash(_inst, attribute, value: str) -> None:
    if value and not _BCRYPT.match(value):
        raise FieldError(attribute.name, "expected a bcrypt hash (set it with `riskctl passwd "
                         "admin|ops`) or \"\" for no password, got a value that is not one")


def hash_password(password: str, cost: int = BCRYPT_COST) -> str:
    import bcrypt
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=cost)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    """True when password matches the bcrypt hash; False for an empty or malformed hash."""
    import bcrypt
    if not hashed or not _BCRYPT.match(hashed):
        return False
    return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))


@attrs.frozen(kw_only=True)
class OpsConfig:
    """The ops role: restart/start single workers, reload the config, read logs."""
    password_hash: str = secret(validator=_bcrypt_hash)
    session_minutes: float = attrs.field(default=15, validator=in_range(0.05, 24 * 60))


@attrs.frozen(kw_only=True)
class AdminConfig(OpsConfig):
    """The admin role: everything, including unlocks and edits."""
    allow_unlock: bool = True     # false: lockouts end only on their timer / schedule / broker


# How to stop a running riskd without riskctl (`riskctl shutdown` needs the admin session
# that does not exist yet): docs/operations.md, "The first admin password".
STOP_WITHOUT_RISKCTL = ("Ctrl-C in the terminal where `make run` runs, `sudo systemctl stop "
                        "riskd` for the Linux service, `sc stop riskd` for the Windows service")


def first_admin_password_steps() -> str:
    """The way to set the first admin password that works while riskd runs: stop it without
    riskctl, edit the file offline, start it again (said by login and by the offline edit)."""
    return ("the first admin password is set while riskd is stopped, as the user who owns "
            f"the config file: stop riskd ({STOP_WITHOUT_RISKCTL}; `riskctl shutdown` needs an admin "
            "session), run `riskctl passwd admin --offline`, then start riskd again. "
            "See docs/operations.md (Roles and passwords)")


def login_role(role: str, ops_password_set: bool, admin_password_set: bool) -> str:
    """The role to log in as for a command that needs `role`: the role itself when it has a
    password, else admin when only admin has one (an admin session serves ops commands too);
    '' when no login can serve it yet."""
    if admin_password_set if role == "admin" else ops_password_set:
        return role
    return "admin" if role == "ops" and admin_password_set else ""


def login_hint(role: str, login_as: str) -> str:
    """How to get a session for a command that needs `role` (login_as: login_role's answer)."""
    if login_as == role:
        return f"run riskctl login --role {role}"
    if login_as == "admin":
        return ("run riskctl login --role admin (no ops password is set; an admin session "
                "serves ops commands too, and `riskctl passwd ops` sets an ops password)")
    return no_password_hint(role, False)


def no_password_hint(role: str, admin_password_set: bool) -> str:
    """What `riskctl login --role ROLE` says when ROLE has no password."""
    if role == "ops" and admin_password_set:
        return ("no ops password is set: an admin sets it while riskd runs: `riskctl login "
                "--role admin`, then `riskctl passwd ops`")
    return f"no {role} password is set and no admin can set it yet: " + \
        first_admin_password_steps()
