"""Keep the compiled code of attrs' generated methods between process starts.

attrs builds each class's methods (__init__, __eq__, __repr__ ...) from source text and
compiles it: some 160-350 compile() calls per riskd process, 30-45 % of its import CPU, paid
again at every start of every worker and riskctl. The text depends only on the class, so its
code object is the same at every start: this module keeps the code objects attrs compiled in
one file beside riskd's own bytecode (shared/__pycache__, as Python keeps a module's .pyc)
and gives them back instead of compiling again.

Nothing else changes: the cache answers only for a (source, file name) it has seen and
compiled with this Python; the code object is the one compile() made (marshal, as a .pyc
holds it). One number in the text changes from process to process: a generated __hash__
starts from hash("<attrs generated hash CLASS>"), which string hashing's random seed makes
different at each start. The store keys that text with the number taken out (its length
kept: the code's column table records where it ends) and puts this process's number back
into the __hash__ code's constants, so the code given back is the one compile() makes of
this process's text (tests/unit/test_gencode.py compares them). A missing, unreadable,
foreign or damaged file means compiling as before; the file is written only when something
was compiled, atomically, and not at all where Python writes no bytecode
(PYTHONDONTWRITEBYTECODE) or the directory is read-only.
(docs/performance.md, "Process start-up (round 22)")
"""
from __future__ import annotations     # the same compiler flags as attr/_make.py's compile()

import atexit
import builtins
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER

MAX_ENTRIES = 4000          # more (stale text after many edits): keep only this process's
FORMAT = b"riskd-attrs-code-3"


def default_path() -> str:
    """Where Python would put shared/'s bytecode (beside it, or under PYTHONPYCACHEPREFIX)."""
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.pycache_prefix:
        here = os.path.join(sys.pycache_prefix, os.path.splitdrive(here)[1].lstrip(os.sep))
    else:
        here = os.path.join(here, "__pycache__")
    return os.path.join(here, f"attrsgen.{sys.implementation.cache_tag}.marshal")


GENERATED = "<attrs generated "
HASH_MARK = " <type hash>,"


def type_hash_of(filename: str) -> int | None:
    """The number attrs writes into the generated __hash__ of the class `filename` names
    (hash("<attrs generated hash module.Class>")); None for a name attrs did not make."""
    if not filename.startswith(GENERATED) or not filename.endswith(">"):
        return None
    _, sep, cls = filename[len(GENERATED):].partition(" ")
    return hash(f"{GENERATED}hash {cls}") if sep and cls else None


def _key(source: str, filename: str) -> tuple[str, int | None]:
    """(store key: the whole text, so no two texts share one; the type hash taken out of the
    text or None). No hashlib: it would load OpenSSL into processes that have none."""
    type_hash = type_hash_of(filename)
    if type_hash is not None:
        mark = f" {type_hash},"
        if source.count(mark) == 1:
            source = source.replace(mark, HASH_MARK)
        else:
            type_hash = None
    # the number's length is in the key: the code's column table holds where it ends
    width = len(str(type_hash)) if type_hash is not None else ""
    return f"{filename}\0{width}\0{source}", type_hash


def with_type_hash(code, old: int, new: int):
    """`code` with the constant `old` of each __hash__ code in it made `new`."""
    consts = tuple(
        with_type_hash(c, old, new) if type(c) is CODE
        else new if code.co_name == "__hash__" and type(c) is int and c == old else c
        for c in code.co_consts)
    return code.replace(co_consts=consts) if consts != code.co_consts else code


CODE = type(_key.__code__)


class CodeCache:
    """compile() for attrs' generated source, answered from `path` when it was compiled
    before; `save()` writes what this process compiled or used."""

    def __init__(self, path: str, write: bool = True):
        self.path, self.write = path, write
        self.stored: dict[str, tuple] = self._load()
        self.used: dict[str, tuple] = {}
        self.compiled = 0       # texts the store did not have: save() writes them
        self.variants = 0       # texts it had with a number of another width
        self.released = False

    def _load(self) -> dict[str, tuple]:
        try:
            with open(self.path, "rb") as fh:
                header, entries = marshal.loads(fh.read())
        except Exception:        # missing, unreadable, damaged, or not a pair: start empty
            return {}
        if header != FORMAT + MAGIC_NUMBER or not isinstance(entries, dict):
            return {}
        return entries

    def compile(self, source, filename, mode, *args, **kwargs):
        """builtins.compile; a plain (str source, str name, "exec") from the store."""
        if self.released or args or kwargs or mode != "exec" or type(source) is not str \
                or type(filename) is not str:
            return builtins.compile(source, filename, mode, *args, **kwargs)
        key, type_hash = _key(source, filename)
        entry = self.stored.get(key)
        if entry is not None:
            try:
                stored_hash, data = entry
                code = marshal.loads(data)
            except Exception:
                code = None
            if type(code) is CODE and code.co_filename == filename \
                    and (stored_hash is None) == (type_hash is None):
                self.used[key] = entry
                if type_hash is not None and stored_hash != type_hash:
                    code = with_type_hash(code, stored_hash, type_hash)
                return code
        code = builtins.compile(source, filename, mode)
        self.used[key] = (type_hash, marshal.dumps(code))
        if type_hash is not None and self._other_width_stored(key, filename):
            self.variants += 1      # written with the next text the store does not have
        else:
            self.compiled += 1
        return code

    def _other_width_stored(self, key: str, filename: str) -> bool:
        """The store has this text with its number of another width: most numbers are 19
        or 20 characters, some shorter, so a start often meets a width not stored yet;
        writing the whole store for each would cost more than the compile it saves."""
        width, _, text = key[len(filename) + 1:].partition("\0")
        return any(f"{filename}\0{other}\0{text}" in self.stored
                   for other in range(1, 22) if str(other) != width)

    def save(self) -> bool:
        """Write the store when a text it did not have was compiled; False when nothing was
        written."""
        if not self.compiled or not self.write:
            return False
        entries = dict(self._load())
        entries.update(self.used)
        if len(entries) > MAX_ENTRIES:
            entries = dict(self.used)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(marshal.dumps((FORMAT + MAGIC_NUMBER, entries)))
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return False
        self.compiled = 0
        return True

    def release(self) -> None:
        """Start-up is over: save, and free the store (~1 MB a process would otherwise keep
        for its life); a class built later is compiled as without the store."""
        if not self.released:
            self.save()
            self.released = True
            self.stored, self.used = {}, {}


def keep_generated_code(path: str | None = None) -> CodeCache | None:
    """attrs' generated methods compiled through a CodeCache from now on, until
    started() (or the process's exit); None when attrs is not the attrs this knows (it
    compiles some other way) or it is in place already."""
    import attr._make as make
    if not hasattr(make, "_compile_and_eval") or "compile" in vars(make):
        return None
    cache = CodeCache(path or default_path(), write=not sys.dont_write_bytecode)
    make.compile = cache.compile        # a module global before builtins in its lookups
    atexit.register(cache.release)
    return cache


def started() -> None:
    """A process's start-up is over (its classes are built): save what was compiled and free
    the store. Nothing when keep_generated_code() was not called."""
    import attr._make as make
    cache = getattr(vars(make).get("compile"), "__self__", None)
    if isinstance(cache, CodeCache):
        cache.release()
