"""`riskctl config set admin.password_hash ""` is refused: it removed the admin password of a
running riskd with no question (the hole trial 14b found in config restore, left open in
config set). `riskctl passwd` sets a new hash through the same request: that still goes."""
import pytest

from services.supervisor.commands import config_set
from shared.messages.config import ConfigSet

pytestmark = pytest.mark.timeout(30)


class NoEdit:
    """A supervisor that must not be reached: the request is refused before any edit."""
    def __getattr__(self, name):
        raise AssertionError(f"the supervisor's {name} was used")


@pytest.mark.parametrize("key", ["admin.password_hash", "ops.password_hash"])
@pytest.mark.parametrize("value", ["", '""', "''"])
def test_a_password_is_not_removed_with_config_set(key, value):
    got = []
    config_set.COMMAND.execute(NoEdit(), ConfigSet(key=key, value=value), got.append)
    [reply] = got
    assert (reply.ok, reply.code) == (False, "refused")
    role = key.split(".")[0]
    assert reply.reason.startswith(f"{key}: not saved: config set does not remove a password "
                                   f"(no one could log in as {role}); a password is changed "
                                   f"with `riskctl passwd {role}`"), reply.reason
