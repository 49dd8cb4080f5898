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
