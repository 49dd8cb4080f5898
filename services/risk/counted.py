"""Dicts and sets that count every change to them, so a writer can skip what did not change.

A ticket is a list of ints shared by the containers of one owner: every mutating method of
a container bumps ticket[0] (any change) and ticket[slot] (a change of this container), so no
caller can forget to. The owner wraps whatever it assigns (services/risk/settings.py
RuleSettings.version; services/risk/exits.py RiskdExits.dump_pending, which encodes only the
parts whose containers changed). Reads stay the built-in dict's and set's.
"""
from __future__ import annotations


class _Counting:
    """What both containers share: their ticket and slot (each declares the slots: a dict and
    a set cannot share a base with instance fields), the count and the copy."""
    __slots__ = ()

    def __init__(self, ticket: list, slot: int, *args):
        super().__init__(*args)
        self._ticket = ticket
        self._slot = slot

    def __reduce__(self):
        # copy.deepcopy (risk's preview copies the engine): the same ticket, copied once;
        # copy() of a dict's or set's subclass is the plain dict or set
        return type(self), (self._ticket, self._slot, self.copy())

    def _bump(self) -> None:
        ticket = self._ticket
        ticket[0] += 1
        ticket[self._slot] += 1


class CountedDict(_Counting, dict):
    __slots__ = ("_ticket", "_slot")

    def __setitem__(self, key, value):
        self._bump()
        super().__setitem__(key, value)

    def __delitem__(self, key):
        self._bump()
        super().__delitem__(key)

    def __ior__(self, other):
        self._bump()
        return super().__ior__(other)

    def pop(self, key, *default):
        if key in self:     # a pop of what is not there changes nothing (claim_fill's, each fill)
            self._bump()
        return super().pop(key, *default)

    def popitem(self):
        self._bump()
        return super().popitem()

    def clear(self):
        self._bump()
        super().clear()

    def update(self, *args, **kwargs):
        self._bump()
        super().update(*args, **kwargs)

    def setdefault(self, key, default=None):
        self._bump()
        return super().setdefault(key, default)


class CountedSet(_Counting, set):
    __slots__ = ("_ticket", "_slot")

    def add(self, item):
        self._bump()
        super().add(item)

    def discard(self, item):
        if item in self:
            self._bump()
            super().discard(item)

    def remove(self, item):
        self._bump()
        super().remove(item)

    def pop(self):
        self._bump()
        return super().pop()

    def clear(self):
        self._bump()
        super().clear()

    def update(self, *others):
        self._bump()
        super().update(*others)

    def difference_update(self, *others):
        self._bump()
        super().difference_update(*others)

    def intersection_update(self, *others):
        self._bump()
        super().intersection_update(*others)

    def symmetric_difference_update(self, other):
        self._bump()
        super().symmetric_difference_update(other)

    def __ior__(self, other):
        self._bump()
        return super().__ior__(other)

    def __iand__(self, other):
        self._bump()
        return super().__iand__(other)

    def __isub__(self, other):
        self._bump()
        return super().__isub__(other)

    def __ixor__(self, other):
        self._bump()
        return super().__ixor__(other)


def counted(ticket: list, slot: int, value):
    """value (a dict or a set) as the counted container of that slot."""
    if isinstance(value, (set, frozenset)):
        return CountedSet(ticket, slot, value)
    return CountedDict(ticket, slot, value)
