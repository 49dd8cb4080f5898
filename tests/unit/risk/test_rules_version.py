"""The store writes the rules in force, the config's rules and the disabled accounts' rules only
after RuleSettings.version() moved (round 22): its walks of every account ran at every commit.

A change the version missed would leave a row unwritten, and a restart of risk would read the
rules of before it (a loosening that waited landing early, an override lost). So: any sequence
of the settings' changes (what risk does: an account seen or renamed by the broker, a config
reload tightening or loosening, an admin's override of all or one rule, disable --now, a roll,
a restart's restore), and after each step two stores on the same settings, one deciding by the
version and one walking every account as before, hold the same rows. The config is
etc/riskd.toml's, each step changing one account's entry in it.
"""
from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest
from hypothesis import given, settings, strategies as st

from services.risk.settings import RuleSettings
from services.risk.state import AccountState
from services.risk.store import Store
from shared.config.accounts import AccountConfig
from shared.config.load import load_config
from tests.unit.risk.desk import SHIPPED

BASE = load_config(SHIPPED).config
ACCOUNTS = (1001, 1002, 3005)       # the shipped two, and one the broker reports unlisted
DAY = dt.date(2026, 11, 25)


def config_with(aid: int, limit: int | None, enabled: bool = True):
    """etc/riskd.toml's config with account `aid`'s entry replaced: its own daily loss limit
    (None: the profile's), or not guarded (enabled False)."""
    rules = {"daily_realized_loss": {"limit": limit}} if limit is not None else {}
    entry = AccountConfig(id=aid, enabled=enabled, profile="default", rules=rules)
    others = [a for a in BASE.accounts if a.id != aid]
    return attrs.evolve(BASE, accounts=[*others, entry])


class Hidden:
    """The same settings with no version(): the store walks every account, as before."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        if name == "version":
            raise AttributeError(name)
        return getattr(self._inner, name)


@attrs.define
class Eng:
    settings: object
    day: dt.date


def rows(store) -> tuple:
    db = store.db
    return (sorted(db.execute("SELECT * FROM rules_in_force").fetchall()),
            sorted(db.execute("SELECT * FROM meta WHERE key IN "
                              "('off_rules', 'rules_configured')").fetchall()))


def written(store, engine) -> None:
    store.db.execute("BEGIN IMMEDIATE")
    store._rules(engine)
    store.db.execute("COMMIT")


step = st.one_of(
    st.tuples(st.just("see"), st.sampled_from(ACCOUNTS), st.sampled_from(["", "SIM-X", "SIM-Y"])),
    st.tuples(st.just("reload"), st.sampled_from(ACCOUNTS),
              st.sampled_from([None, 200, 300, 800, 2000]), st.booleans()),
    st.tuples(st.just("disable"), st.sampled_from(ACCOUNTS), st.booleans()),
    st.tuples(st.just("apply_now"), st.sampled_from((None,) + ACCOUNTS),
              st.sampled_from(["", "daily_realized_loss", "max_contracts"])),
    st.tuples(st.just("roll")),
    st.tuples(st.just("restart")),
    st.tuples(st.just("restore_off"), st.sampled_from(ACCOUNTS)),
    st.tuples(st.just("day")),
)


def apply(s: RuleSettings, accts: dict, op: tuple, day: list) -> None:
    kind = op[0]
    if kind == "see":
        _, aid, name = op
        accts[aid] = AccountState(aid, name=name or accts.get(aid, AccountState(aid)).name)
        s.for_account(accts[aid])
    elif kind == "reload":
        _, aid, limit, override = op
        s.update(config_with(aid, limit), list(accts.values()), override=override)
    elif kind == "disable":
        _, aid, now = op
        s.update(config_with(aid, None, enabled=False), list(accts.values()))
        if now:
            s.apply_now(list(accts.values()), aid)
    elif kind == "apply_now":
        s.apply_now(list(accts.values()), op[1], op[2])
    elif kind == "roll":
        s.roll(0)
    elif kind == "restart":
        s.restore({aid: rules for aid, (_name, rules) in s.in_force().items()})
    elif kind == "restore_off":
        s.restore_off({op[1]: s.in_force().get(op[1], ("", None))[1]})
    elif kind == "day":
        day[0] += dt.timedelta(days=1)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """Two stores opened once (an open costs ~60 ms), emptied for each example."""
    d = tmp_path_factory.mktemp("v")
    pair = Store(str(d / "a.db")), Store(str(d / "b.db"))
    yield pair
    for store in pair:
        store.close()


def emptied(store) -> Store:
    store.db.execute("DELETE FROM rules_in_force")
    store.db.execute("DELETE FROM meta")
    store._forget()         # what a fresh store remembers: nothing written
    return store


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(step, min_size=1, max_size=16))
def test_the_version_writes_what_the_walk_writes_after_every_change(stores, steps):
    by_version, walking = (emptied(store) for store in stores)
    s = RuleSettings(BASE)
    accts = {1001: AccountState(1001, name="SIM-DEMO-1")}
    day = [DAY]
    for op in [("see", 1001, "")] + steps:
        apply(s, accts, op, day)
        written(by_version, Eng(s, day[0]))
        written(walking, Eng(Hidden(s), day[0]))
        assert rows(by_version) == rows(walking), op


def test_a_commit_with_nothing_changed_walks_no_account(tmp_path):
    """The locked buy's commit: the settings did not change, in_force and configured are not
    asked (main: both walked every account at every commit)."""
    s = RuleSettings(BASE)
    for aid in ACCOUNTS:
        s.for_account(AccountState(aid))
    store = Store(str(tmp_path / "risk.db"))
    asked = []
    for name in ("in_force", "configured", "off_rules"):
        real = getattr(s, name)
        setattr(s, name, lambda real=real, name=name: asked.append(name) or real())
    try:
        written(store, Eng(s, DAY))
        assert sorted(asked) == ["configured", "in_force", "off_rules"]
        asked.clear()
        written(store, Eng(s, DAY))
        assert asked == []
        s.update(config_with(1002, 200), [AccountState(aid) for aid in ACCOUNTS])  # tightens
        written(store, Eng(s, DAY))
        assert "in_force" in asked
        saved = dict(store.db.execute("SELECT account_id, body FROM rules_in_force"))
        assert json.loads(saved[1002])["daily_realized_loss"]["limit"] == 200
    finally:
        store.close()
