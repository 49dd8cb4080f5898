"""The kill switch's account resolution: ids, names, display names, --all (switched-off
accounts included)."""
from __future__ import annotations

from shared.config.accounts import AccountConfig
from shared.messages.enforce import FlattenRequest
from shared.projectx.models import Account
from services.enforcement.killswitch import commands, resolve, unreported

BROKER = [Account(id=11, name="TC-11", balance=1, can_trade=True, is_visible=True, simulated=True),
          Account(id=12, name="TC-12", balance=1, can_trade=True, is_visible=True, simulated=True),
          Account(id=13, name="TC-13", balance=1, can_trade=True, is_visible=True, simulated=True)]
CONFIG = [AccountConfig(name="TC-12", display_name="evening"),
          AccountConfig(id=13, enabled=False)]


def req(**kw) -> FlattenRequest:
    return FlattenRequest(reason=kw.pop("reason", "tilt"), **kw)


def test_an_account_is_found_by_id_name_or_display_name():
    assert resolve(req(account="11"), CONFIG, BROKER) == ([11], "")
    assert resolve(req(account="TC-11"), CONFIG, BROKER) == ([11], "")
    assert resolve(req(account="evening"), CONFIG, BROKER) == ([12], "")


def test_all_means_every_account_of_the_login_disabled_ones_too():
    """Fresh-user trial 2026-12-06: after `riskctl accounts disable 1002 --now`, the kill
    switch's `flatten --all` left 1002 long ES with a working order and answered only for
    1001, exit 0. A disabled account is one riskd's rules do not judge; the admin who asks
    for all means it too (13 is disabled in CONFIG)."""
    assert resolve(req(all=True), CONFIG, BROKER) == ([11, 12, 13], "")
    # disabled by name; a configured id the broker does not report is skipped (below)
    by_name = [AccountConfig(name="TC-11", enabled=False), AccountConfig(id=14, enabled=False)]
    assert resolve(req(all=True), by_name, BROKER) == ([11, 12, 13], "")


def test_all_skips_a_configured_account_the_broker_does_not_report():
    """Fresh-user trial 15b, finding 11: `flatten --all` sent a flatten to configured 1003 the
    broker does not have ("account 1003 not found"), showed it failed, paged "Enforcement
    FAILED ... act now" and exited 1. It is skipped now; before the broker's list is read
    riskd cannot tell, and skips nothing."""
    config = CONFIG + [AccountConfig(id=14, display_name="Carl eval")]
    assert resolve(req(all=True), config, BROKER) == ([11, 12, 13], "")
    assert unreported(req(all=True), config, BROKER) == [14]
    assert unreported(req(account="11"), config, BROKER) == []
    assert resolve(req(all=True), config, []) == ([13, 14], "")
    assert unreported(req(all=True), config, []) == []


def test_mistakes_are_explained():
    ids, why = resolve(req(account="nope"), CONFIG, BROKER)
    assert ids == [] and "does not know account 'nope'" in why and "TC-11 (id 11)" in why
    assert "reason" in resolve(req(account="11", reason=" "), CONFIG, BROKER)[1]
    assert "not both" in resolve(req(account="11", all=True), CONFIG, BROKER)[1]
    assert "knows no account" in resolve(req(all=True), [], [])[1]


def test_each_account_gets_an_ordinary_flatten_command_with_a_fresh_id():
    cmds = commands([11, 12], "tilt", 5)
    assert [(c.id, c.action, c.rule, c.account_id) for c in cmds] == [
        ("admin-5.11", "flatten", "admin", 11), ("admin-5.12", "flatten", "admin", 12)]   # one name
    assert all(c.event_ns == 5 and c.mode == "enforce" for c in cmds)


def test_the_admin_and_the_reason_travel_with_the_command_and_its_result(tmp_path):
    """Trial finding 8: risk learns of a kill switch only from its results; they carry who
    asked and why, so history shows admin:<user> and the admin's words."""
    from services.enforcement.journal import Journal
    [cmd] = commands([11], "desk risk check 42", 5, by="admin:root")
    assert (cmd.reason, cmd.by) == ("desk risk check 42", "admin:root")
    journal = Journal(str(tmp_path / "journal.db"))
    entry, _new = journal.receive(cmd, 6)
    result = entry.result()
    assert (result.reason, result.by) == ("desk risk check 42", "admin:root")


def test_an_id_the_broker_does_not_list_is_refused_like_a_mistyped_name():
    """Fresh-user trial 13b: `riskctl flatten 9999 --reason x` (no such account) was accepted
    ("flatten of 1 account accepted" in the audit), sent to the broker, failed there and
    raised a CRITICAL "Enforcement FAILED on 9999: act now" alert; `flatten nosuch` was
    refused up front. An all-digit id now has to be one the broker lists."""
    ids, why = resolve(req(account="9999"), CONFIG, BROKER)
    assert ids == [] and "does not know account '9999'" in why and "TC-11 (id 11)" in why
    assert "/api/" not in why
    # a configured id the broker does not list is refused too (nothing would be flattened)
    ids, why = resolve(req(account="14"), [AccountConfig(id=14)], BROKER)
    assert ids == [] and "does not list it" in why and "TC-11 (id 11)" in why
    # before the broker's list is read, nothing is guessed
    ids, why = resolve(req(account="11"), CONFIG, [])
    assert ids == [] and "reachable" in why


def test_unknown_accounts_are_listed_as_every_other_command_lists_them():
    """`riskctl flatten 9999` listed the known accounts by the broker's words, "the broker
    lists: 11 (TC-11), 12 (TC-12)", while every other command (risk's: status, lockout,
    history, positions, orders) says "risk does not know account '9999' (known: Demo 1 (id
    1001), ...)": riskd's name (the configured label, else the broker's name) and the id."""
    ids, why = resolve(req(account="9999"), CONFIG, BROKER)
    # 13 is configured by its id alone: riskd names it by the broker's name, as risk does
    # (display_name, else name, else the broker's name: trial17b)
    assert (ids, why) == ([], "enforcement does not know account '9999' (known: TC-11 (id 11), "
                              "evening (id 12), TC-13 (id 13))")
