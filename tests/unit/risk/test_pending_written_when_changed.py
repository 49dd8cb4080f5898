"""riskd's pending whose-trade state (services/risk/exits.py dump_pending: held, claimed,
guessed, late_fits, named_on, ...) is encoded only after it changed, and then only its parts
whose containers changed (services/risk/counted.py), not at every commit of a breach
(round 22's profile: ~15 % of risk's CPU on the headline path). The stored state must stay
what the old always-dump stored, at every commit, whatever changed it, and a kill -9 +
restart must restore it (DESIGN.md, state: committed in the step's transaction, before
publishing). `always_dump` below is the old code, the oracle."""
from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.risk.exits import RiskdExits
from services.risk.store import Store
from shared.messages.market import ORDER_MARKET, SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import MNQ
from tests.unit.risk.test_riskd_closes_in_a_burst import locked
from tests.unit.risk.test_whose_across_a_risk_restart import restarted, saved
from tests.unit.risk.test_whose_by_order_ids import answered, closes


def always_dump(r: RiskdExits) -> str:
    """dump_pending as it was before round 23: the whole body at every call."""
    if not r.held and not r.claimed and not r.not_market and not r.gone_sizes \
            and not r.named_on and not r.guessed:
        return ""
    fits = {t: f for t, f in r.late_fits.items() if t in r.held or t in r.claimed}
    cmds = set().union(*(c[2] for c in r.claimed.values()), *r.guessed.values())
    return json.dumps({
        "held": sorted([t, c, s] for t, (c, s) in r.held.items()),
        "reversing": sorted([t, o] for t, o in r.reversing.items() if t in r.held),
        "claimed": sorted([t, c, s, sorted(k)] for t, (c, s, k) in r.claimed.items()),
        "known": sorted(r.known_cmds & cmds),
        "not_market": sorted([o, t] for o, t in r.not_market.items()),
        "gone_sizes": sorted([o, n, t] for o, (n, t) in r.gone_sizes.items()),
        "named_on": sorted([c, k] for c, k in r.named_on),
        "late_fits": sorted([t, fl, m, n] for t, (fl, m, n) in fits.items()),
        "guessed": sorted([o, sorted(k)] for o, k in r.guessed.items())})


# -- every way to change the containers -------------------------------------------------
CMDS = st.frozensets(st.sampled_from(["c1", "c2", "c3"]), max_size=3)
KEYS = st.integers(1, 4)
VALUES = {
    "held": st.tuples(st.sampled_from(["MNQ", "ES"]), st.sampled_from([1, 2])),
    "reversing": st.integers(100, 103),
    "claimed": st.tuples(st.sampled_from(["MNQ", "ES"]), st.sampled_from([1, 2]), CMDS),
    "not_market": st.integers(0, 3),
    "gone_sizes": st.tuples(st.integers(1, 3), st.integers(0, 3)),
    "late_fits": st.tuples(st.booleans(), st.booleans(), st.none() | st.integers(1, 3)),
    "guessed": CMDS,
}
SET_ITEMS = {"known_cmds": st.sampled_from(["c1", "c2", "c3"]),
             "named_on": st.tuples(st.sampled_from(["c1", "c2"]), st.sampled_from(["MNQ", "ES"]))}


@st.composite
def change(draw):
    """One change to one container: by any mutating method, or a whole assignment."""
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(VALUES)))
        key, value = draw(KEYS), draw(VALUES[name])
        how = draw(st.sampled_from(["set", "del", "pop", "setdefault", "update", "ior",
                                    "clear", "popitem", "assign", "assign_same", "dump"]))
        return name, how, key, value
    name = draw(st.sampled_from(sorted(SET_ITEMS)))
    items = draw(st.frozensets(SET_ITEMS[name], max_size=3))
    how = draw(st.sampled_from(["add", "discard", "remove", "pop", "clear", "update",
                                "ior", "iand", "isub", "ixor", "difference_update",
                                "intersection_update", "symmetric_difference_update",
                                "assign", "assign_same", "dump"]))
    return name, how, None, items


def apply(r: RiskdExits, name: str, how: str, key, value) -> None:
    c = getattr(r, name)
    if how == "dump":
        r.dump_pending()
    elif how == "assign":
        setattr(r, name, type(value)(value) if isinstance(c, set) else {key: value})
    elif how == "assign_same":
        setattr(r, name, set(c) if isinstance(c, set) else dict(c))
    elif isinstance(c, set):
        item = next(iter(value), None)
        if how in ("add", "discard", "remove"):
            if item is not None and (how != "remove" or item in c):
                getattr(c, how)(item)
        elif how == "pop":
            if c:
                c.pop()
        elif how == "clear":
            c.clear()
        elif how.startswith("i"):
            op = {"ior": "__ior__", "iand": "__iand__", "isub": "__isub__",
                  "ixor": "__ixor__"}.get(how)
            if op:
                setattr(r, name, getattr(c, op)(set(value)))   # c |= value
            else:
                getattr(c, how)(set(value))
        else:
            getattr(c, how)(set(value))
    elif how == "set":
        c[key] = value
    elif how == "del":
        if key in c:
            del c[key]
    elif how == "pop":
        c.pop(key, None)
    elif how == "setdefault":
        c.setdefault(key, value)
    elif how == "update":
        c.update({key: value})
    elif how == "ior":
        setattr(r, name, c.__ior__({key: value}))               # c |= {key: value}
    elif how == "clear":
        c.clear()
    elif how == "popitem":
        if c:
            c.popitem()


@settings(max_examples=300, deadline=None)
@given(st.lists(change(), max_size=30), st.lists(st.integers(0, 29), max_size=5))
def test_any_change_by_any_method_is_dumped_as_the_old_dump(changes, copies_at):
    """After every change (by each mutating method of dict and set, or an assignment) the
    body is the old always-dump's, byte for byte; so is a deep copy's (risk's preview copies
    the engine) after changes of its own, and the original is not changed by them."""
    r = RiskdExits()
    for n, (name, how, key, value) in enumerate(changes):
        apply(r, name, how, key, value)
        assert r.dump_pending() == always_dump(r)
        if n in copies_at:
            twin = copy.deepcopy(r)
            before = always_dump(r)
            apply(twin, name, "assign", key, value)
            twin.held[99] = ("ES", 2)
            assert twin.dump_pending() == always_dump(twin)
            assert r.dump_pending() == before == always_dump(r)


# -- riskd's own steps, committed as the worker commits them -----------------------------
STEP = st.one_of(
    st.tuples(st.just("buy"), st.integers(1, 2), st.integers(800, 805)),
    st.tuples(st.just("sell"), st.integers(1, 3), st.integers(800, 805)),
    st.tuples(st.just("order"), st.integers(1, 3), st.integers(800, 805)),
    st.tuples(st.just("answer"), st.integers(0, 2), st.integers(800, 805)),
    st.tuples(st.just("answer_none"), st.integers(0, 2), st.just(0)),
    st.tuples(st.just("wait"), st.sampled_from([0.2, 1, 20, 200]), st.just(0)),
)


def stored(store: Store) -> str:
    row = store.db.execute("SELECT body FROM riskd_pending").fetchall()
    return row[0][0] if row else ""


def play(desk, step, held: list) -> None:
    """A locked trader's buys (each a breach riskd closes), sells that fit or flip riskd's
    close, market orders on the closing side (taken by expectation), results that name an
    order or none, and time: what makes held, claimed, guessed, late_fits and named_on."""
    kind, n, oid = step
    if kind in ("buy", "sell"):
        side = SIDE_BUY if kind == "buy" else SIDE_SELL
        desk.trade(None if kind == "buy" else "0", contract=MNQ, side=side, size=n,
                   order_id=oid)
        held[0] += n if kind == "buy" else -n
        if held[0] > 0:
            desk.long(held[0], MNQ, 21000)
        elif held[0] < 0:
            desk.short(-held[0], MNQ, 21000)
        else:
            desk.flat(MNQ)
    elif kind == "order":
        desk.order(oid, contract=MNQ, side=SIDE_SELL, size=n, type=ORDER_MARKET)
    elif kind.startswith("answer"):
        open_ = [e.command for e in closes(desk)]
        if open_:
            cmd = open_[min(n, len(open_) - 1)]
            named = () if kind == "answer_none" else ((oid, SIDE_SELL, 1),)
            answered(desk, cmd, *named)
    else:
        desk.wait(n)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(STEP, min_size=1, max_size=14))
def test_every_commit_stores_what_the_old_dump_stored_and_a_restart_restores_it(
        tmp_path_factory, steps):
    """Each step committed as the worker commits it (Store.commit, before publishing): the
    row is the old always-dump of the state after the step; risk killed after the last
    commit and started again: the restored state dumps the same."""
    tmp = tmp_path_factory.mktemp("pending")
    desk = locked(per_minute=50)
    store, _ = Store.open(str(tmp))
    held = [0]
    for step in steps:
        play(desk, step, held)
        saved(store, desk)
        assert stored(store) == always_dump(desk.account.riskd)
    body = stored(store)
    later = restarted(tmp, store, desk)
    assert always_dump(later.account.riskd) == body
    assert later.account.riskd.dump_pending() == body
    later.store.close()


def test_nothing_changed_nothing_encoded_and_only_the_changed_part_again():
    """The commits of a breach that leave the pending state alone do not encode it again
    (the same text back); a change of one container encodes only its parts. Fails on the
    old always-dump (a new text at every call)."""
    r = RiskdExits()
    r.named_on |= {(f"c{n}", "MNQ") for n in range(200)}   # a close remembered per breach
    r.held[1] = ("MNQ", SIDE_SELL)
    first = r.dump_pending()
    assert r.dump_pending() is first
    r.held = dict(r.held)            # the same content assigned (prune's, 10 times a second)
    assert r.dump_pending() is first
    named_on = r._parts[6][1]
    r.held[2] = ("MNQ", SIDE_SELL)
    assert r.dump_pending() == always_dump(r) != first
    assert r._parts[6][1] is named_on        # named_on's 200 pairs not encoded again
