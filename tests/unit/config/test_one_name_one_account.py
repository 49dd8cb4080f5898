"""A name riskd takes for an account names one account (fresh-user trial 15b, finding 5:
`riskctl accounts set 1003 display_name "Demo 1"` was saved while 1001 was "Demo 1", and
`riskctl flatten "Demo 1"` then flattened one of the two without a word).

The edit riskctl's `accounts set` runs (supervisor and --offline alike), on a copy of
etc/riskd.toml as shipped with a third account added by `accounts add`; the kill switch's
and risk's resolvers of a typed name."""
from __future__ import annotations

import shutil

import pytest

from services.enforcement.killswitch import resolve
from shared.config.account_edit import add_account, set_account_field
from shared.config.accounts import AccountConfig, AmbiguousAccount, find_account
from shared.config.errors import ConfigError
from shared.config.load import load_config
from shared.messages.enforce import FlattenRequest
from shared.projectx.models import Account
from tests.support.env import SHIPPED_CONFIG


@pytest.fixture
def three(tmp_path):
    path = tmp_path / "riskd.toml"
    shutil.copy(SHIPPED_CONFIG, path)
    backups = str(tmp_path / "backups")
    add_account(str(path), "1003", backups, display_name="Carl eval")
    return str(path), backups


def test_a_name_that_differs_only_by_case_is_refused_too(three):
    """trial15c: "demo 1" was saved beside "Demo 1", and `positions --account "demo 1"` then
    showed Demo 1's positions (its name matched ignoring case) while lockout acted on 1003."""
    path, backups = three
    with pytest.raises(ConfigError) as refused:
        set_account_field(path, "1003", "display_name", "demo 1", backups)
    assert "'demo 1' is already the name of account Demo 1 (id 1001)" in refused.value.render()


def test_a_display_name_another_account_has_is_refused_naming_it(three):
    path, backups = three
    before = open(path).read()
    with pytest.raises(ConfigError) as refused:
        set_account_field(path, "1003", "display_name", "Demo 1", backups)
    text = refused.value.render()
    assert "accounts[2].display_name: 'Demo 1' is already the name of account Demo 1 " \
           "(id 1001)" in text, text
    assert open(path).read() == before
    # another account's broker name (or id) is taken too: it names that account already
    with pytest.raises(ConfigError) as refused:
        set_account_field(path, "1003", "display_name", "SIM-DEMO-2", backups)
    assert "is already the name of account Demo 2 (strict, id 1002)" in refused.value.render()
    set_account_field(path, "1003", "display_name", "Demo 3", backups)   # a name of its own
    assert find_account(load_config(path).config.accounts, "Demo 3").id == 1003


def test_a_name_two_accounts_go_by_is_refused_listing_both():
    twins = [AccountConfig(id=1001, display_name="Demo 1"),
             AccountConfig(id=1003, display_name="Demo 1")]
    with pytest.raises(AmbiguousAccount) as refused:
        find_account(twins, "Demo 1")
    assert "'Demo 1' names more than one account (Demo 1 (id 1001), Demo 1 (id 1003))" \
        in str(refused.value)
    assert find_account(twins, "1003").id == 1003


BROKER = [Account(id=1001, name="SIM-DEMO-1", balance=1, can_trade=True, is_visible=True,
                  simulated=True),
          Account(id=1002, name="SIM-DEMO-2", balance=1, can_trade=True, is_visible=True,
                  simulated=True)]


def test_flatten_refuses_a_display_name_that_is_another_accounts_broker_name():
    """The config check cannot see the broker's names: 1001 shown as "SIM-DEMO-2" while the
    broker calls 1002 so. The kill switch took 1001; risk's unlock took 1002."""
    config = [AccountConfig(id=1001, display_name="SIM-DEMO-2")]
    ids, why = resolve(FlattenRequest(account="SIM-DEMO-2", reason="which one?"), config,
                       BROKER)
    assert ids == [], ids
    assert "'SIM-DEMO-2' names more than one account (SIM-DEMO-2 (id 1001), " \
           "SIM-DEMO-2 (id 1002))" in why and "nothing was flattened" in why, why
    assert resolve(FlattenRequest(account="1002", reason="x"), config, BROKER) == ([1002], "")


def test_risk_refuses_a_name_that_is_one_accounts_display_name_and_anothers_broker_name(
        tmp_path):
    """risk's resolver (unlock, lockout, history, rules): it took the broker's name first
    (1002 here) while the kill switch took the display name (1001)."""
    from shared.clock import FakeClock
    from shared.messages.risk import UnlockRequest
    from tests.unit.risk.desk import chi
    from tests.unit.risk.worker_rig import risk_worker
    # the config lists 1001 only; the broker also reports 1002, which it calls SIM-DEMO-2
    with risk_worker(tmp_path, [{"id": 1001, "name": "SIM-DEMO-1",
                                 "display_name": "SIM-DEMO-2"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as (w, _path, _backups, _sent):
        w.engine.account(1002).name = "SIM-DEMO-2"
        reply = w._handlers[UnlockRequest](UnlockRequest(account="SIM-DEMO-2", reason="x",
                                                         by="admin:ana"))
        assert not reply.ok and reply.code == "ambiguous_account", reply
        assert "'SIM-DEMO-2' names more than one account (" in reply.reason, reply.reason
        assert "id 1001" in reply.reason and "id 1002" in reply.reason, reply.reason
        # by id it is one account
        assert w._handlers[UnlockRequest](UnlockRequest(
            account="1002", reason="x", by="admin:ana")).reason.endswith("is not locked")


def test_the_refusal_names_the_edited_account_by_its_name_now_not_the_refused_one(three):
    # trial 15c: `accounts set 1002 display_name "1001"` said "(line 102: account 1001 (id
    # 1002))", the refused name as if it were 1002's
    path, backups = three
    for refused_name in ("1001", "SIM-DEMO-1"):
        with pytest.raises(ConfigError) as refused:
            set_account_field(path, "1002", "display_name", refused_name, backups)
        text = refused.value.render()
        assert f"'{refused_name}' is already the name of account Demo 1 (id 1001)" in text, text
        assert "account Demo 2 (strict, id 1002))" in text, text
        assert f"account {refused_name} (id 1002)" not in text, text


def _twins(path) -> None:
    """The shipped file with 1002 renamed 'demo 1' by hand, as round 14 allowed."""
    text = open(path).read().replace('display_name = "Demo 2 (strict)"',
                                     'display_name = "demo 1"')
    assert 'display_name = "demo 1"' in text
    open(path, "w").write(text)


def test_a_file_that_already_has_two_of_one_name_loads_warned_with_its_line(three):
    """Round 15's note: the upgraded riskd refused to start on such a file (accounts
    unguarded). It loads; the warning names the line to fix; only the name is refused."""
    path, backups = three
    _twins(path)
    loaded = load_config(path)
    warned = [str(w) for w in loaded.warnings if "already the name" in w.message]
    assert len(warned) == 1 and "'demo 1' is already the name of account Demo 1 (id 1001)" \
        in warned[0] and "(line " in warned[0], warned
    accounts = loaded.config.accounts
    for name in ("demo 1", "Demo 1"):           # one name to a reader: refused, both listed
        with pytest.raises(AmbiguousAccount, match=r"Demo 1 \(id 1001\), demo 1 \(id 1002\)"):
            find_account(accounts, name)
    assert find_account(accounts, 1002).id == 1002     # riskd's own look-up by id
    # another edit of the file works (the old pair stays a warning); a new pair is refused
    set_account_field(path, "1003", "display_name", "Carl", backups)
    with pytest.raises(ConfigError, match="'DEMO 1' is already the name of account"):
        set_account_field(path, "1003", "display_name", "DEMO 1", backups)
