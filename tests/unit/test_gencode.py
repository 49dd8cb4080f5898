"""shared.gencode: attrs' compiled methods kept between starts are the code compile() makes."""
from __future__ import annotations

import builtins
import marshal
import os
import subprocess
import sys

import attr._make
import attrs
import pytest

from shared import gencode
from shared.gencode import CodeCache, keep_generated_code, type_hash_of
from tests.support.env import REPO


def build():
    """A frozen attrs class (its generated __hash__ carries the type hash), built now."""
    @attrs.frozen
    class Limit:
        value: int
        name: str = "x"
    return Limit


@pytest.fixture
def recorded(monkeypatch):
    """Every compile() attrs makes: [(source, filename, code)], through builtins.compile."""
    seen = []

    def compile_(source, filename, mode, *args, **kwargs):
        code = builtins.compile(source, filename, mode, *args, **kwargs)
        seen.append((source, filename, code))
        return code
    monkeypatch.setattr(attr._make, "compile", compile_, raising=False)
    return seen


def same_code(a, b) -> bool:
    """Equal code (bytecode, constants, names, flags, line and position tables, nested code)
    with the same file names; marshal's bytes are no test, they vary with reference counts."""
    def names(code):
        return [code.co_filename] + [n for c in code.co_consts if type(c) is type(code)
                                     for n in names(c)]
    return a == b and names(a) == names(b)


def test_a_stored_class_is_the_code_compile_makes(tmp_path, recorded):
    build()
    (source, filename, compiled), = recorded
    first = CodeCache(str(tmp_path / "store"))
    assert same_code(first.compile(source, filename, "exec"), compiled)
    assert first.compiled == 1 and first.save() is True
    again = CodeCache(str(tmp_path / "store"))
    from_store = again.compile(source, filename, "exec")
    assert again.compiled == 0
    assert same_code(from_store, compiled)


def test_another_starts_type_hash_is_replaced_by_this_ones(tmp_path, recorded):
    """What another start stored (its string hashes seeded differently, so another number
    in __hash__) comes back as this process's text compiles."""
    build()
    (source, filename, compiled), = recorded
    own = type_hash_of(filename)
    assert own == hash(filename.replace(" methods ", " hash ", 1))
    assert source.count(f" {own},") == 1
    other = same_width(own)
    # what a start whose hash("<attrs generated hash ...>") was `other` stored: its text
    # compiled, under the key of the text with the number taken out (the same as here)
    theirs = builtins.compile(source.replace(f" {own},", f" {other},"), filename, "exec")
    assert not same_code(theirs, compiled)
    key, taken_out = gencode._key(source, filename)
    assert taken_out == own
    assert gencode._key(source.replace(f" {own},", f" {other},"), filename)[0] != key
    elsewhere = CodeCache(str(tmp_path / "store"))
    elsewhere.used[key], elsewhere.compiled = (other, marshal.dumps(theirs)), 1
    assert elsewhere.save()
    here = CodeCache(str(tmp_path / "store"))
    code = here.compile(source, filename, "exec")
    assert here.compiled == 0
    assert same_code(code, compiled)


def same_width(number: int) -> int:
    """Another number written with as many characters."""
    text = str(number)
    return int(text[:-1] + ("1" if text[-1] != "1" else "2"))


STARTS = """from __future__ import annotations  # as attr/_make.py compiles
import builtins, sys
import attr._make, attrs
from shared.gencode import CodeCache
cache = CodeCache(sys.argv[1])
made = []
def compile_(source, filename, mode):
    made.append((source, filename, cache.compile(source, filename, mode)))
    return made[-1][2]
attr._make.compile = compile_
@attrs.frozen
class Limit:
    value: int
    name: str = "x"
(source, filename, code), = made
print("hit" if cache.compiled + cache.variants == 0 else "compiled",
      code == builtins.compile(source, filename, "exec"))
cache.save()
"""


def test_starts_with_other_hash_seeds_get_the_code_compile_makes(tmp_path):
    """Real starts, each with its own string-hash seed (seeds 3 and 4 write the number with
    one character fewer than 1 and 2: the column table differs, so they must not share an
    entry): each gets code equal to what compile() makes of its own text."""
    store = str(tmp_path / "store")
    said = []
    for seed in (1, 2, 3, 4, 5):
        done = subprocess.run([sys.executable, "-c", STARTS, store], cwd=REPO, text=True,
                              capture_output=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": str(seed)})
        said.append(done.stdout.strip() or done.stderr)
    assert said[0] == "compiled True" and "hit True" in said[1:], said
    assert all(line.endswith(" True") for line in said), said


def test_another_width_is_compiled_and_kept_without_a_write(tmp_path, recorded):
    """A number of a width the store lacks: compiled (nothing to reuse), kept in what this
    process saves, but no write for it alone (starts meet new widths often)."""
    build()
    (source, filename, compiled), = recorded
    own = type_hash_of(filename)
    key, _ = gencode._key(source, filename)
    width = str(len(str(own)))
    other_key = key.replace(f"\0{width}\0", f"\0{int(width) + 1}\0", 1)
    theirs = builtins.compile(source.replace(f" {own},", f" {own}0,"), filename, "exec")
    elsewhere = CodeCache(str(tmp_path / "store"))
    elsewhere.used[other_key], elsewhere.compiled = (own * 10, marshal.dumps(theirs)), 1
    assert elsewhere.save()
    here = CodeCache(str(tmp_path / "store"))
    assert same_code(here.compile(source, filename, "exec"), compiled)
    assert (here.compiled, here.variants) == (0, 1) and key in here.used
    assert here.save() is False
    here.compile("x = 1\n", "<attrs generated methods m.New>", "exec")
    assert here.compiled == 1 and here.save() is True
    assert CodeCache(str(tmp_path / "store")).stored.keys() == {key, other_key} | {
        k for k in here.used}


def test_classes_built_from_the_store_behave_the_same(tmp_path, monkeypatch):
    path = str(tmp_path / "store")
    plain = build()
    for _ in range(2):
        cache = CodeCache(path)
        monkeypatch.setattr(attr._make, "compile", cache.compile, raising=False)
        cached = build()
        cache.save()
    assert cache.compiled == 0 and len(cache.used) == 1
    a, b = plain(3, "y"), cached(3, "y")
    assert hash(a) == hash(b) and repr(a) == repr(b)
    assert cached(3, "y") == b and cached(4) != b
    for name in ("__init__", "__eq__", "__hash__", "__repr__"):
        assert same_code(getattr(cached, name).__code__, getattr(plain, name).__code__), name
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        b.value = 5


@pytest.mark.parametrize("content", [b"", b"not marshal", marshal.dumps((b"other", {})),
                                     marshal.dumps([1, 2, 3])])
def test_an_unusable_store_means_compiling(tmp_path, recorded, content):
    build()
    (source, filename, compiled), = recorded
    (tmp_path / "store").write_bytes(content)
    cache = CodeCache(str(tmp_path / "store"))
    assert cache.stored == {}
    assert same_code(cache.compile(source, filename, "exec"), compiled)
    assert cache.compiled == 1


def test_a_damaged_entry_means_compiling(tmp_path, recorded):
    build()
    (source, filename, compiled), = recorded
    cache = CodeCache(str(tmp_path / "store"))
    cache.compile(source, filename, "exec")
    cache.save()
    cache = CodeCache(str(tmp_path / "store"))
    key, = cache.stored
    cache.stored[key] = (cache.stored[key][0], b"\x00broken")
    assert same_code(cache.compile(source, filename, "exec"), compiled)
    assert cache.compiled == 1


def test_written_only_when_compiled_and_allowed(tmp_path, recorded):
    build()
    (source, filename, _), = recorded
    path = str(tmp_path / "sub" / "store")
    off = CodeCache(path, write=False)
    off.compile(source, filename, "exec")
    assert off.save() is False and not os.path.exists(path)
    on = CodeCache(path)
    assert on.save() is False and not os.path.exists(path)      # nothing compiled
    on.compile(source, filename, "exec")
    assert on.save() is True and os.listdir(tmp_path / "sub") == ["store"]
    assert CodeCache(path).stored.keys() == on.used.keys()


def test_save_keeps_other_processes_entries_up_to_the_bound(tmp_path, monkeypatch):
    path = str(tmp_path / "store")
    one, two = CodeCache(path), CodeCache(path)
    one.compile("a = 1\n", "<attrs generated methods m.A>", "exec")
    two.compile("b = 2\n", "<attrs generated methods m.B>", "exec")
    one.save()
    two.save()
    assert CodeCache(path).stored.keys() == one.used.keys() | two.used.keys()
    monkeypatch.setattr(gencode, "MAX_ENTRIES", 1)
    three = CodeCache(path)
    three.compile("c = 3\n", "<attrs generated methods m.C>", "exec")
    three.save()
    assert CodeCache(path).stored.keys() == three.used.keys()


def test_other_compiles_go_to_compile_unchanged(tmp_path):
    cache = CodeCache(str(tmp_path / "store"))
    assert cache.compile("1 + 1", "<x>", "eval") == builtins.compile("1 + 1", "<x>", "eval")
    assert cache.compile(b"x = 1\n", "<x>", "exec") == builtins.compile(b"x = 1\n", "<x>", "exec")
    assert cache.used == {} and cache.compiled == 0


def test_riskd_processes_use_it():
    """services/ (every riskd worker) installs it before its classes are built; a second
    install does nothing."""
    import services  # noqa: F401  (installs it, as every `python -m services.<name>` does)
    assert isinstance(attr._make.compile.__self__, CodeCache)
    assert keep_generated_code() is None


def test_started_saves_and_frees_the_store(tmp_path, monkeypatch):
    """A worker's main (and the supervisor's) call started() once its classes are built: what
    was compiled is written, the store is freed, and later classes compile as without it."""
    cache = CodeCache(str(tmp_path / "store"))
    monkeypatch.setattr(attr._make, "compile", cache.compile, raising=False)
    plain = build()
    gencode.started()
    assert cache.released and cache.stored == {} and cache.used == {}
    assert len(CodeCache(str(tmp_path / "store")).stored) == 1
    later = build()
    assert cache.used == {} and cache.compiled == 0
    assert same_code(later.__init__.__code__, plain.__init__.__code__)
