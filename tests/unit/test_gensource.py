"""shared.gensource: attrs'/cattrs' generated source stays out of linecache, nothing else."""
from __future__ import annotations

import linecache
import traceback

import attrs
import cattrs
import pytest

from shared.gensource import KEEP_ENV, drop_generated_source, is_generated


@pytest.fixture
def fresh_cache(monkeypatch):
    monkeypatch.setattr(linecache, "cache", dict(linecache.cache))


def build():
    """An attrs class whose __init__ runs a validator, and its cattrs hooks."""
    def positive(_inst, _attr, value):
        if value <= 0:
            raise ValueError("not positive")

    @attrs.frozen
    class Limit:
        value: int = attrs.field(validator=positive)

    conv = cattrs.Converter()
    conv.structure({"value": 1}, Limit)
    conv.unstructure(Limit(2))
    return Limit


def generated_entries() -> list:
    return [name for name in linecache.cache if is_generated(name)]


def test_without_drop_generated_source_is_kept(fresh_cache):
    """The check can fail: attrs and cattrs do register their source."""
    build()
    assert any(n.startswith("<attrs generated") for n in generated_entries())
    assert any(n.startswith("<cattrs generated") for n in generated_entries())


def test_generated_source_is_not_kept(fresh_cache):
    build()
    assert drop_generated_source({}) is True
    assert generated_entries() == []             # what was kept is dropped
    limit = build()                              # and nothing new is kept
    assert generated_entries() == []
    assert limit(3).value == 3 and limit(3) == limit(3)


def test_ordinary_files_still_cached(fresh_cache):
    drop_generated_source({})
    assert linecache.getline(__file__, 1).startswith('"""shared.gensource')
    assert __file__ in linecache.cache


def test_a_traceback_through_generated_code_still_names_it(fresh_cache):
    drop_generated_source({})
    limit = build()
    with pytest.raises(ValueError) as err:
        limit(0)
    text = "".join(traceback.format_exception(err.value))
    assert "<attrs generated" in text and "not positive" in text


def test_the_environment_can_keep_it(fresh_cache):
    assert drop_generated_source({KEEP_ENV: "1"}) is False
    build()
    assert generated_entries()
