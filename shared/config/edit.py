"""Safe edits of the config file: tomlkit (comments and order survive), validate, back up, swap.

Every change goes through edit_config(): parse the file with tomlkit, apply the change to
the document, validate the WHOLE new text (ConfigError and the file untouched when
invalid), copy the previous file to a timestamped backup (the last KEEP_BACKUPS kept), then
write the new text atomically (temp file in the same folder, fsync, os.replace), so a
crash at any point leaves either the old or the new file, never a half-written one.
Keys are dotted paths as problems print them: `profiles.default.rules.max_contracts.limit`,
`accounts[0].profile`, `...limits."CON.F.US.EP.Z26"`.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

import attrs

from shared.accountname import listed
from shared.config.accounts import DEFAULT_PROFILE, AmbiguousAccount, accounts_in_rows, find_account
from shared.config.errors import ConfigError, Problem
from shared.config.load import parse_toml, validate_text
from shared.config.rules import NEVER_WARN, RULE_CLASS, RULE_NAMES
from shared.digest import sha256_hex

if TYPE_CHECKING:
    from tomlkit.container import Container

# tomlkit is imported where an edit runs, not with this module: every riskd process imports
# the config package, only the supervisor edits (docs/performance.md, "Memory").

KEEP_BACKUPS = 10
BACKUP_MODE = 0o600     # a backup holds password hashes and maybe tokens: owner only
BACKUP_DIR_NAME = "config-backups"
_STAMP = "%Y%m%dT%H%M%S%fZ"
_STAMP_RE = re.compile(r"^\d{8}T\d{12}Z(-\d+)?$")


class EditError(ValueError):
    """An edit that cannot be applied (bad key, unknown target); the file is untouched."""


@attrs.frozen
class EditResult:
    path: str
    backup: str             # the backup of the previous file ("" when there was none)
    digest: str             # sha256 of the new text
    warnings: tuple = ()
    changes: tuple = ()     # "KEY: OLD -> NEW" per changed value (secrets masked): the audit
    # the changed keys themselves ("accounts[0].rules.daily_realized_loss.limit"): changes
    # words a rule's edit for people (shared/config/changewords.py), code reads these
    changed_keys: tuple = ()
    # a dry run's new text (nothing written): what risk is asked about before a rule edit
    # that may act at once is applied (services/supervisor/commands/rule_confirm.py)
    text: str = attrs.field(default="", repr=False)


@attrs.frozen
class Backup:
    stamp: str
    path: str
    size: int
    # which edit it is the file before: "the file before the edit of broker.api_key" (key
    # names, never a value; "" for a backup older than these notes)
    note: str = ""


# -- key paths ------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:"(?P<q>[^"]*)"|(?P<bare>[A-Za-z0-9_\-]+))(?P<idx>(?:\[\d+\])*)\s*')


def split_key(key: str) -> list[str | int]:
    """'accounts[0].rules."CON.F.US.EP.Z26"' -> ['accounts', 0, 'rules', 'CON.F.US.EP.Z26']."""
    parts: list[str | int] = []
    pos = 0
    while True:
        m = _TOKEN.match(key, pos)
        if not m or m.end() == pos:
            raise EditError(f"expected a dotted key like profiles.default.rules.max_contracts."
                            f"limit, got {key!r}")
        parts.append(m["q"] if m["q"] is not None else m["bare"])
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", m["idx"])]
        pos = m.end()
        if pos == len(key):
            return parts
        if key[pos] != ".":
            raise EditError(f"expected '.' at position {pos} of {key!r}")
        pos += 1


def parse_value(text: str, current: Any = None, key: Optional[str] = None) -> Any:
    """A command-line value: TOML syntax (500, 0.5, true, [\"CL\"], {a = 1}), else a string.

    A text setting keeps the text as a string (an account name "12345"); which settings are
    text is the schema's (shared/config/declared.py, by `key`), not the old value's type: a
    number hand-typed as "fifteen" is set again by `config set KEY 10` (trial14b). A key the
    schema does not type: the text stays a string when the key already holds one.
    """
    text_setting = None
    if key is not None:
        from shared.config.declared import declared_type, is_text
        try:
            text_setting = is_text(declared_type(split_key(key)))
        except EditError:
            text_setting = None
    if isinstance(current, str) and text_setting is not False:
        return text
    import tomlkit
    try:
        value = tomlkit.parse(f"v = {text}")["v"]
    except Exception:  # noqa: BLE001 -- not TOML syntax: a plain string
        return text
    value = value.unwrap() if hasattr(value, "unwrap") else value
    if isinstance(value, (dt.date, dt.time)):     # our schema writes dates/times as strings
        return text
    if text_setting and not isinstance(value, str):
        return text         # a name 12345 is text where the schema says text
    return value


def _container(node: Any) -> Container | None:
    from tomlkit.container import Container
    from tomlkit.items import Table
    if isinstance(node, Container):
        return node
    if isinstance(node, Table):
        return node.value
    return None


def _example_at(body: Container, name: str) -> int | None:
    """Where body has a commented-out example of the key ('# line = 48000   # why'), if any."""
    from tomlkit.items import Comment
    pattern = re.compile(rf"#\s*{re.escape(name)}\s*=")
    for i, (key, item) in enumerate(body.body):
        if key is None and isinstance(item, Comment) and pattern.match(item.trivia.comment):
            return i
    return None


def _in_place_of_example(body: Container, idx: int, name: str, item: Any) -> Any:
    """The new key where its commented-out example was, the example's own note kept as the
    key's comment at the same column: '# line = 48000      # optional: ...' becomes
    'line = 48100      # optional: ...'. Trial 2026-12-06: `rules set default drawdown_guard
    line 48000` wrote 'line = 48000' above '# line = 48000', the example left as if unset."""
    import tomlkit
    from tomlkit.items import Whitespace
    example = body.body[idx][1].trivia.comment
    note_at = example.find("#", 1)
    item = tomlkit.item(item) if not hasattr(item, "trivia") else item
    if note_at > 0 and not isinstance(item, (dict, list)) and hasattr(item, "comment"):
        item.comment(example[note_at + 1:].strip())
        width = len(f"{name} = {item.as_string()}")
        item.trivia.comment_ws = " " * max(1, note_at - width)
    body._insert_at(idx, name, item)  # noqa: SLF001 -- tomlkit has no public insert
    body.body[idx + 1] = (None, Whitespace(""))         # the example, now the key itself
    return item


def _add(node: Any, name: str, item: Any) -> Any:
    """Add a new key to node: in place of a commented-out example of it, else before the
    comments and blank lines that end node's body (in TOML those belong to whatever header
    follows, so they must stay above it)."""
    from tomlkit.container import Container
    from tomlkit.items import Comment, Table, Whitespace
    body = _container(node)
    if body is None or isinstance(node, Container):
        node[name] = item
        return node[name]
    example = None if isinstance(item, Table) else _example_at(body, name)
    if example is not None:
        _in_place_of_example(body, example, name, item)
        return node[name]
    idx = len(body.body)
    while idx > 0 and body.body[idx - 1][0] is None and isinstance(
            body.body[idx - 1][1], (Comment, Whitespace)):
        idx -= 1
    if idx == len(body.body):
        body.append(name, item)
    else:
        body._insert_at(idx, name, item)  # noqa: SLF001 -- tomlkit has no public insert
    return node[name]


def _child(node: Any, part: str | int, key: str, super_table: bool) -> Any:
    import tomlkit
    from tomlkit.items import AoT
    if isinstance(part, int):
        if not isinstance(node, (list, AoT)) or part >= len(node):
            raise EditError(f"{key}: no entry [{part}] (there are "
                            f"{len(node) if isinstance(node, (list, AoT)) else 0})")
        return node[part]
    if not hasattr(node, "__contains__") or not hasattr(node, "__setitem__"):
        raise EditError(f"{key}: {part!r} is inside a value, not a table")
    if part not in node:
        return _add(node, part, tomlkit.table(is_super_table=super_table))
    return node[part]


def set_key(doc: Any, key: str, value: Any) -> None:
    """Set a dotted key in a tomlkit document, creating missing tables on the way."""
    parts = split_key(key)
    node = doc
    for i, part in enumerate(parts[:-1]):
        # a table created only to hold further tables is a super table (no [header] line)
        node = _child(node, part, key, super_table=i < len(parts) - 2)
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise EditError(f"{key}: no entry [{last}]")
        node[last] = value
    elif hasattr(node, "__contains__") and hasattr(node, "__setitem__"):
        if last in node:
            node[last] = value
        else:
            _add(node, last, value)
    else:
        raise EditError(f"{key}: {parts[-2]!r} holds a value, not a table")


def get_key(doc: Any, key: str, default: Any = None) -> Any:
    node = doc
    for part in split_key(key):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


# -- targets of rule edits --------------------------------------------------------------------

def check_rule_param(rule: str, param: str) -> None:
    """EditError unless RULE names a rule and PARAM (its first dotted part) one of its keys."""
    if rule not in RULE_CLASS:
        raise EditError(f"unknown rule {rule!r}; expected one of: {', '.join(RULE_NAMES)}")
    params = [f.name for f in attrs.fields(RULE_CLASS[rule])]
    root = param.split(".", 1)[0]
    if root not in params:
        raise EditError(f"{rule} has no parameter {root!r}; expected one of: "
                        + ", ".join(params))
    refuse_unused_warn_at(rule, root)


def refuse_unused_warn_at(rule: str, param: str) -> None:
    """EditError for warn_at of a rule that never warns (NEVER_WARN): the value would be
    saved and never used (round 21: `rules set ... symbol_blocks warn_at 0.5` was accepted
    silently, and `rules list` shows no warn_at for such a rule)."""
    if param == "warn_at" and rule in NEVER_WARN:
        raise EditError(f"{rule} never warns (it has no limit to come near), so it has no "
                        f"warn_at; nothing was written. The rules that warn: "
                        + ", ".join(n for n in RULE_NAMES if n not in NEVER_WARN)
                        + " (docs/rules.md, What every rule has)")


_RULE_KEY = re.compile(r"^(?:profiles\.[^.]+|profiles\.\"[^\"]+\"|accounts\[\d+\])\.rules\."
                       r"(?P<rule>[a-z_]+)\.(?P<param>[a-z_]+)$")


def check_config_key(key: str) -> None:
    """The checks of a rule edit for `config set KEY`, when KEY names a rule's parameter."""
    m = _RULE_KEY.match(key)
    if m:
        refuse_unused_warn_at(m["rule"], m["param"])


def refuse_ambiguous(rows, ref: str) -> None:
    """EditError, in find_account's words, when ref is a name two of the file's [[accounts]]
    go by (any case: "demo 1" beside two "Demo 1"), as every command that names an account
    refuses it (docs/operations.md, Account names)."""
    try:
        find_account(accounts_in_rows(rows), (ref or "").strip())
    except AmbiguousAccount as exc:
        raise EditError(str(exc)) from None


NEW_PROFILE_FLAG = "--new-profile"


def rule_key(doc: Any, target: str, rule: str, param: str, new_profile: bool = False) -> str:
    """The dotted key of RULE.PARAM for a profile or an account named `target`.

    target: "profile:NAME", "account:REF", or a bare name that is a profile or an account
    (id, name or display name) -- ambiguous names must use the prefix. A profile the file
    does not have is refused, listing those it has, unless new_profile (`--new-profile`):
    trial17a, `rules set profile:defualt ...` created a profile no account runs and exited 0.
    """
    check_rule_param(rule, param)
    kind, _, name = target.partition(":") if ":" in target else ("", "", target)
    profiles = dict(doc.get("profiles", {}))
    accounts = list(doc.get("accounts", []))
    if kind in ("", "account"):
        refuse_ambiguous(accounts, name)
    matches = [i for i, a in enumerate(accounts)
               if name and name in (str(a.get("id", "")), a.get("name", ""),
                                    a.get("display_name", ""))]
    is_profile = name in profiles or name == DEFAULT_PROFILE
    if kind == "profile" or (not kind and is_profile and not matches):
        # `profile:NEW --new-profile` creates it, as `config set profiles.NEW...` does (its
        # key names the table); without the flag a typo is refused (trial17a section 4)
        if kind == "profile" and not name:
            raise EditError("expected profile:NAME, got no name")
        if not is_profile and not new_profile:
            raise EditError(f"no profile named {name!r}; profiles: "
                            + ", ".join(sorted({DEFAULT_PROFILE, *profiles}))
                            + f"; to create profile {name}, re-run with {NEW_PROFILE_FLAG}")
        return f'profiles.{_q(name)}.rules.{rule}.{param}'
    if kind in ("account", "") and len(matches) == 1:
        return f"accounts[{matches[0]}].rules.{rule}.{param}"
    if not kind and is_profile and matches:
        raise EditError(f"{name!r} is both a profile and an account: write profile:{name} or "
                        f"account:{name}")
    if len(matches) > 1:
        raise EditError(f"{name!r} names more than one account "
                        f"({listed([accounts[i] for i in matches])}): give the account's id")
    raise EditError(f"no profile or account named {name!r}; profiles: "
                    + ", ".join(sorted({DEFAULT_PROFILE, *profiles})) + "; accounts: "
                    + listed(accounts) + _add_first(kind, name))


def _add_first(kind: str, name: str) -> str:
    """The step an account the config does not list needs before a per-account edit (riskd
    guards it as the broker reports it, with the default profile: docs/rules.md); trial17b:
    the drawdown note's `rules set 1004 ...` was refused without it."""
    if kind == "profile" or not name:
        return ""
    ref = name if re.fullmatch(r"[A-Za-z0-9_\-]+", name) else f'"{name}"'
    return (f"; an account the broker reports that the config does not list takes "
            f"`riskctl accounts add {ref}` first")


def _q(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_\-]+", name) else f'"{name}"'


# -- files ----------------------------------------------------------------------------------

def digest_of(text: str) -> str:
    return sha256_hex(text)


REPLACE_RETRY_S = 2.0       # how long a rename over a file held open is retried (Windows)


def replace_retrying(replace: Callable[[str, str], None], src: str, dst: str, *,
                     retry_s: float = REPLACE_RETRY_S,
                     sleep: Callable[[float], None] = time.sleep,
                     monotonic: Callable[[], float] = time.monotonic) -> None:
    """replace(src, dst), retried briefly on PermissionError: on Windows a rename over a file
    another process has open (a worker re-reading the config, an editor, a virus scan) fails
    with WinError 5 or 32 until it is closed. Raises the last PermissionError after retry_s."""
    deadline = monotonic() + retry_s
    delay = 0.01
    while True:
        try:
            replace(src, dst)
            return
        except PermissionError:
            if monotonic() >= deadline:
                raise
            sleep(delay)
            delay = min(delay * 2, 0.2)


def atomic_write(path: str, text: str, *, replace: Callable[[str, str], None] = os.replace,
                 mode: int | None = None, retry_s: float = REPLACE_RETRY_S) -> None:
    """Write text to path via a temp file in the same folder, fsync, then rename over path.

    The new file keeps the permissions of the file it replaces (or gets `mode`; mkstemp's
    0600 when neither is known): a config holding password hashes stays private. A rename
    refused because the file is held open is retried for retry_s; if it still fails the
    temp file is removed, the file keeps its old content and EditError says why: the edit
    is made whole or not at all.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777 if os.path.exists(path)
                     else (0o600 if mode is None else mode))
        except OSError:
            pass
        try:
            replace_retrying(replace, tmp, path, retry_s=retry_s)
        except PermissionError as exc:
            raise EditError(f"cannot replace {path}: {exc.strerror or exc} (another program "
                            f"keeps it open; close it and try again); the file is unchanged"
                            ) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def default_backup_dir(config_path: str, data_dir: str | None = None) -> str:
    """<data_dir>/config-backups when the data dir is known, else beside the file."""
    if data_dir:
        return os.path.join(data_dir, BACKUP_DIR_NAME)
    return os.path.join(os.path.dirname(os.path.abspath(config_path)), BACKUP_DIR_NAME)


def _backup_name(config_path: str, stamp: str) -> str:
    stem = os.path.splitext(os.path.basename(config_path))[0]
    return f"{stem}-{stamp}.toml"


def list_backups(config_path: str, backup_dir: str) -> list[Backup]:
    """Backups of this config file, newest first."""
    stem = os.path.splitext(os.path.basename(config_path))[0] + "-"
    out = []
    try:
        names = os.listdir(backup_dir)
    except FileNotFoundError:
        return []
    for name in names:
        if name.startswith(stem) and name.endswith(".toml"):
            stamp = name[len(stem):-len(".toml")]
            if _STAMP_RE.match(stamp):
                full = os.path.join(backup_dir, name)
                out.append(Backup(stamp=stamp, path=full, size=os.path.getsize(full),
                                  note=_read_note(full)))
    return sorted(out, key=lambda b: _stamp_order(b.stamp), reverse=True)


def stamp_ns(stamp: str) -> int | None:
    """When a backup was made (UTC ns) from its stamp ('20261205T213103246192Z', '...Z-1');
    None for a stamp that is not one."""
    base = stamp.partition("-")[0]
    try:
        when = dt.datetime.strptime(base, _STAMP).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    from shared.clock import to_ns
    return to_ns(when)


def _stamp_order(stamp: str) -> tuple[str, int]:
    base, _, n = stamp.partition("-")
    return base, int(n or 0)


def _note_path(backup_path: str) -> str:
    return backup_path[:-len(".toml")] + ".why"


def _read_note(backup_path: str) -> str:
    try:
        with open(_note_path(backup_path), encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def before_note(old_text: str, new_text: str) -> str:
    """Which edit a backup of old_text precedes, by the keys it changes (never a value):
    "the file before the edit of broker.api_key" (trial 15c: a backup listed only by its
    time read as the config riskd ran then, and restoring it dropped that edit)."""
    try:
        parse_toml(old_text, "")
    except ConfigError:
        return "the file before an edit that replaced it whole (this file did not read as TOML)"
    keys = changed_keys(old_text, new_text)
    if not keys:
        return "the file before an edit that changed no value"
    shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
    return f"the file before the edit of {shown}"


def make_backup(config_path: str, text: str, backup_dir: str, now: dt.datetime | None = None,
                keep: int = KEEP_BACKUPS, note: str = "") -> str:
    """Write text as a new timestamped backup (note: which edit it precedes, beside it in
    <backup>.why); prune to the newest `keep`. Returns its path."""
    os.makedirs(backup_dir, mode=0o700, exist_ok=True)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime(_STAMP)
    path = os.path.join(backup_dir, _backup_name(config_path, stamp))
    n = 0
    while os.path.exists(path):
        n += 1
        path = os.path.join(backup_dir, _backup_name(config_path, f"{stamp}-{n}"))
    atomic_write(path, text, mode=BACKUP_MODE)
    os.chmod(path, BACKUP_MODE)      # owner only, whatever the config file's own mode
    if note:
        atomic_write(_note_path(path), note + "\n", mode=BACKUP_MODE)
    for old in list_backups(config_path, backup_dir)[keep:]:
        for gone in (old.path, _note_path(old.path)):
            try:
                os.unlink(gone)
            except FileNotFoundError:
                pass
    return path


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except OSError as exc:
        raise ConfigError(path, [Problem("", f"cannot read the file: {exc.strerror}")]) from None


def replace_config_text(path: str, new_text: str, backup_dir: str, *,
                        expect_digest: str = "", env: Mapping[str, str] | None = None,
                        replace: Callable[[str, str], None] = os.replace,
                        dry_run: bool = False, edit: bool = False) -> EditResult:
    """Validate new_text as the config at path; back up the old file; write atomically.
    dry_run: validate only, write nothing; the result carries the new text. edit: new_text is
    an edit of the file (a key set): a problem cites the file's line, never the edit's."""
    path = os.path.abspath(path)
    old_text = _read(path)
    if expect_digest and digest_of(old_text) != expect_digest:
        raise EditError(f"{path} changed since it was read; read it again and retry")
    config, warnings = validate_text(new_text, path, env,        # ConfigError: file untouched
                                     file_text=old_text if edit else None)
    if any("already the name of" in p.message for p in warnings):
        refuse_new_duplicates(old_text, new_text, config, path, env, edit)
    if dry_run:
        return EditResult(path=path, backup="", digest=digest_of(new_text), warnings=warnings,
                          changed_keys=tuple(changed_keys(old_text, new_text)), text=new_text)
    backup = make_backup(path, old_text, backup_dir, note=before_note(old_text, new_text))
    atomic_write(path, new_text, replace=replace)
    return EditResult(path=path, backup=backup, digest=digest_of(new_text), warnings=warnings,
                      changes=tuple(changes_of(path, old_text, new_text, backup_dir)),
                      changed_keys=tuple(changed_keys(old_text, new_text)))


def refuse_new_duplicates(old_text: str, new_text: str, config, path: str, env,
                          edit: bool) -> None:
    """ConfigError (file untouched) when new_text gives an account a name another already goes
    by that old_text had not (shared/config/checks.new_duplicate_names); an old file that does
    not read is not compared (fixing a broken file must work)."""
    from shared.config.checks import new_duplicate_names
    from shared.config.where import locate_all
    try:
        old, _ = validate_text(old_text, path, env)
    except ConfigError:
        return
    refused = new_duplicate_names(old, config)
    if refused:
        raise ConfigError(path, locate_all(refused, new_text, parse_toml(new_text, path),
                                           old_text if edit else None))


def edit_config(path: str, change: Callable[[Any], None], backup_dir: str, *,
                env: Mapping[str, str] | None = None,
                replace: Callable[[str, str], None] = os.replace,
                dry_run: bool = False) -> EditResult:
    """Apply change(doc) to the tomlkit document of path, validate, back up, write (dry_run:
    validate only; the result's text is the new file, nothing is written)."""
    import tomlkit
    path = os.path.abspath(path)
    old_text = _read(path)
    parse_toml(old_text, path)                 # a clear error when the file is not TOML
    doc = tomlkit.parse(old_text)
    change(doc)
    new_text = laid_out(old_text, tomlkit.dumps(doc))
    if new_text == old_text:
        validate_text(new_text, path, env)
        return EditResult(path=path, backup="", digest=digest_of(new_text),
                          text=new_text if dry_run else "")
    return replace_config_text(path, new_text, backup_dir, expect_digest=digest_of(old_text),
                               env=env, replace=replace, dry_run=dry_run, edit=True)


def laid_out(old_text: str, new_text: str) -> str:
    """new_text with the file's comments above their tables and its tables apart
    (shared/config/layout.py); new_text itself if the mended text would read as other data."""
    from shared.config.layout import keep_layout
    mended = keep_layout(old_text, new_text)
    try:
        same = mended == new_text or parse_toml(mended, "") == parse_toml(new_text, "")
    except Exception:       # noqa: BLE001 - never worse than the edit as tomlkit wrote it
        same = False
    return mended if same else new_text


def set_config_value(path: str, key: str, text: str, backup_dir: str, **kw) -> EditResult:
    """`riskctl config set KEY VALUE`: VALUE in TOML syntax, else taken as a string."""
    def change(doc):
        check_config_key(key)
        set_key(doc, key, parse_value(text, get_key(doc, key), key))
    return edit_config(path, change, backup_dir, **kw)


def set_rule_param(path: str, target: str, rule: str, param: str, text: str, backup_dir: str,
                   new_profile: bool = False, **kw) -> EditResult:
    """`riskctl rules set ACCOUNT_OR_PROFILE RULE PARAM VALUE [--new-profile]`."""
    def change(doc):
        key = rule_key(doc, target, rule, param, new_profile)
        set_key(doc, key, parse_value(text, get_key(doc, key), key))
    return edit_config(path, change, backup_dir, **kw)


def set_rule_enabled(path: str, target: str, rule: str, enabled: bool, backup_dir: str,
                     new_profile: bool = False, **kw) -> EditResult:
    """`riskctl rules enable|disable ACCOUNT_OR_PROFILE RULE [--new-profile]`."""
    def change(doc):
        set_key(doc, rule_key(doc, target, rule, "enabled", new_profile), enabled)
    return edit_config(path, change, backup_dir, **kw)


def changes_of(path: str, old_text: str, new_text: str, backup_dir: str) -> list[str]:
    """What an edit changes, by key (config_changes); when the file it replaces does not read
    (a broken hand edit), against the config riskd last ran instead (shared/config/lastrun.py),
    said first, never "(the whole file)" (trial 15c: a restore that dropped broker.api_key
    said only that)."""
    try:
        parse_toml(old_text, path)
    except ConfigError as exc:
        from shared.config import lastrun
        ran = lastrun.read(path, backup_dir)
        broken = exc.problems[0].message if exc.problems else "it does not read"
        if ran is None:
            return [f"(the file it replaced did not read: {broken}; riskd kept no copy of a "
                    f"config it ran to compare with)"]
        said = config_changes(ran, new_text)
        return [f"(the file it replaced did not read: {broken}; compared with the config "
                f"riskd last ran instead)"] + (said or ["nothing: it is the config riskd last "
                                                        "ran"])
    return config_changes(old_text, new_text)


def restore_backup(path: str, stamp: str, backup_dir: str, **kw) -> EditResult:
    """`riskctl config restore STAMP`: validated like any edit; the current file is backed up.
    STAMP last-run: the config riskd last ran (shared/config/lastrun.py)."""
    from shared.config import lastrun
    if stamp == lastrun.STAMP:
        text = lastrun.read(path, backup_dir)
        if text is None:
            raise EditError(f"no copy of the config riskd last ran in {backup_dir} (riskd "
                            f"keeps one from its first start with this version on)")
        return replace_config_text(path, text, backup_dir, **kw)
    for b in list_backups(path, backup_dir):
        if b.stamp == stamp:
            return replace_config_text(path, _read(b.path), backup_dir, **kw)
    known = ", ".join(b.stamp for b in list_backups(path, backup_dir)) or "none"
    raise EditError(f"no backup {stamp!r} in {backup_dir}; backups: {known}")


# -- what an edit changed (the audit trail) and which keys are secret --------------------------

def _secret_patterns() -> list[list[str]]:
    from shared.config.model import Config
    from shared.config.secrets import secret_paths
    return [p.split(".") for p in secret_paths(Config)]


def is_secret_key(key: str) -> bool:
    """True for a key whose value is a secret (broker.api_key, admin.password_hash,
    notify.telegram.bot_token, ...): such a value never appears on a command line or in
    the audit trail."""
    try:
        parts = [str(p) for p in split_key(key) if not isinstance(p, int)]
    except EditError:
        return False
    for pattern in _secret_patterns():
        plain = [p for p in pattern if p != "*"]
        if parts[-len(plain):] == plain and parts[:1] == plain[:1]:
            return True
    return bool(parts) and parts[-1] in ("password_hash", "bot_token", "webhook_url", "api_key")


def _flatten(node: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _flatten(v, f"{prefix}.{_q(str(k))}" if prefix else _q(str(k)), out)
    elif isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        for i, v in enumerate(node):
            _flatten(v, f"{prefix}[{i}]", out)
    else:
        out[prefix] = node


def _shown(value: Any) -> str:
    if value is _MISSING or value is None:
        return "(unset)"
    import tomlkit
    return tomlkit.item(value).as_string()


def _change(key: str, old: Any, new: Any) -> str:
    if is_secret_key(key):       # never the value, not even a hash
        had, has = old not in (_MISSING, None, ""), new not in (_MISSING, None, "")
        return f"{key}: secret " + ("changed" if had and has else "set" if has else "removed")
    return f"{key}: {_shown(old)} -> {_shown(new)}"


_MISSING = object()


def account_change(key: str, old: Any, new: Any, old_data: dict, new_data: dict
                   ) -> Optional[str]:
    """An [[accounts]] entry's own setting (not a rule: changewords says those), said with the
    account as riskd names it: "Demo 2 (strict, id 1002): enabled true -> false: risk keeps
    guarding it until the trading-day roll, then stops", "SIM-DEMO-3 (id 1003): removed from
    the config" (once per account). None: not such a key. Trial16c: `config restore` listed
    "accounts[1].enabled: true -> false" and "accounts[2].id: 1003 -> (unset)" beside
    "Demo 2 (strict, id 1002): max_contracts limit 1 -> 2", and did not say what the disable
    means, as `accounts disable` does."""
    from shared.config.changewords import _label, _same_account
    parts = split_key(key) if key.startswith("accounts[") else []
    if len(parts) != 3 or parts[0] != "accounts" or not isinstance(parts[1], int):
        return None
    entry_old, entry_new = (_entry(data, parts[1]) for data in (old_data, new_data))
    if _same_account(entry_old, entry_new):
        line = f"{_label(entry_new)}: {parts[2]} {_shown(old)} -> {_shown(new)}"
        if parts[2] == "enabled" and old is not False and new is False:
            line += ": risk keeps guarding it until the trading-day roll, then stops"
        elif parts[2] == "enabled" and new is not False and old is False:
            line += ": guarded again"
        return line
    gone = entry_old is not None and not any(_same_account(entry_old, e)
                                             for e in new_data.get("accounts") or [])
    came = entry_new is not None and not any(_same_account(entry_new, e)
                                             for e in old_data.get("accounts") or [])
    if entry_old is not None and gone and key in _keys_of(entry_old, parts[1]):
        return (f"{_label(entry_old)}: removed from the config (risk guards it with the "
                f"default profile's rules while the broker reports it)")
    if entry_new is not None and came:
        return f"{_label(entry_new)}: added to the config"
    return None


def _entry(data: dict, index: int) -> Optional[dict]:
    rows = data.get("accounts") if isinstance(data, dict) else None
    if isinstance(rows, list) and 0 <= index < len(rows) and isinstance(rows[index], dict):
        return rows[index]
    return None


def _keys_of(entry: dict, index: int) -> set:
    return {f"accounts[{index}].{k}" for k in entry}


def _worded(keys: list[str], old: dict, new: dict, old_data: dict, new_data: dict) -> list[str]:
    """_change of each key; a rule parameter's edit said as shared/config/changewords.py says
    it (the account by name, the values in force), once per parameter (a list of tiers
    changes several keys)."""
    from shared.config.changewords import rule_change, rule_param_of
    out, said = [], set()
    for key in keys:
        try:
            where = rule_param_of(split_key(key))
        except EditError:
            where = None
        line = rule_change(old_data, new_data, where) if where is not None else None
        if line is None:
            line = account_change(key, old.get(key, _MISSING), new.get(key, _MISSING),
                                  old_data, new_data)
            if line is None:
                out.append(_change(key, old.get(key, _MISSING), new.get(key, _MISSING)))
            elif line and line not in said:
                said.add(line)
                out.append(line)
        elif where not in said:
            said.add(where)
            out.append(line)
    return out


def changed_keys(old_text: str, new_text: str) -> list[str]:
    """Every key whose value differs between two config texts ([] when one is unreadable)."""
    import tomlkit
    try:
        old, new = {}, {}
        _flatten(tomlkit.parse(old_text).unwrap(), "", old)
        _flatten(tomlkit.parse(new_text).unwrap(), "", new)
    except Exception:  # noqa: BLE001 -- config_changes says "(the whole file)"
        return []
    return [k for k in {**old, **new} if old.get(k, _MISSING) != new.get(k, _MISSING)]


def loosening_changes(old_text: str, new_text: str, judge=None) -> set[str]:
    """The lines of config_changes that are loosenings risk keeps waiting until the trading-day
    roll (shared/config/changewords.loosens); empty when a side is unreadable. judge: another
    test of changewords' (by_own_line: the changes risk judges against its own drawdown line)."""
    import tomlkit
    from shared.config.changewords import loosens, rule_change, rule_param_of
    loosens = judge or loosens
    try:
        old_data, new_data = tomlkit.parse(old_text).unwrap(), tomlkit.parse(new_text).unwrap()
    except Exception:  # noqa: BLE001 -- config_changes says "(the whole file)"
        return set()
    out = set()
    for key in changed_keys(old_text, new_text):
        try:
            where = rule_param_of(split_key(key))
        except EditError:
            where = None
        if where is not None and loosens(old_data, new_data, where):
            line = rule_change(old_data, new_data, where)
            if line is not None:
                out.add(line)
    return out


def only_loosens(old_text: str, new_text: str) -> bool:
    """Whether every key the edit changes is a rule parameter's loosening (changewords.loosens:
    risk keeps it waiting until the trading-day roll), so it acts on no account at once;
    False when a side is unreadable or any change is something else (an account, a profile
    switch, the trading day, a tightening, a drawdown_guard line judged against risk's own)."""
    import tomlkit
    from shared.config.changewords import loosens, rule_param_of
    try:
        old_data, new_data = tomlkit.parse(old_text).unwrap(), tomlkit.parse(new_text).unwrap()
    except Exception:  # noqa: BLE001 -- unreadable: not known to loosen
        return False
    keys = changed_keys(old_text, new_text)
    if not keys:
        return False
    for key in keys:
        try:
            where = rule_param_of(split_key(key))
        except EditError:
            return False
        if where is None or not loosens(old_data, new_data, where):
            return False
    return True


def own_line_changes(old_text: str, new_text: str) -> set[str]:
    """The lines of config_changes that set or remove a drawdown_guard line where none was or
    will be: risk judges them against its own line (shared/config/changewords.by_own_line)."""
    from shared.config.changewords import by_own_line
    return loosening_changes(old_text, new_text, by_own_line)


def _with_default_lists(flat: dict, other: dict) -> None:
    """A table list the other side sets that this side's text leaves out has its built-in
    default here (broker.sim.accounts: the sim's two accounts), not "(unset)": fresh-user trial
    17g, `config set broker.sim.accounts` of three accounts was audited "broker.sim.accounts[0].id:
    (unset) -> 1001" for an account the sim had before."""
    lists = {k.split("[", 1)[0] for k in other if "[" in k}
    for prefix in lists:
        if any(k.startswith(prefix + "[") for k in flat):
            continue
        default = _schema_default(prefix)
        if not (isinstance(default, list) and default
                and all(attrs.has(type(v)) for v in default)):
            continue
        for i, v in enumerate(default):
            for name, field in attrs.fields_dict(type(v)).items():
                key, value = f"{prefix}[{i}].{_q(name)}", getattr(v, name)
                # a field left at its own default where the other side leaves it out too
                # is the same value on both sides: not said
                if key not in other and field.default is not attrs.NOTHING \
                        and value == field.default:
                    continue
                flat[key] = value


def _schema_default(key: str) -> Any:
    """The built-in default of a config key that names a field of the model (None when it
    does not: a profile's rule, an account's own key)."""
    from shared.config.model import Config
    cls: Any = Config
    try:
        parts = split_key(key)
    except EditError:
        return None
    for i, part in enumerate(parts):
        if not isinstance(part, str) or cls is None or not attrs.has(cls):
            return None
        field = attrs.fields_dict(cls).get(part)
        if field is None:
            return None
        default = field.default
        if isinstance(default, attrs.Factory):        # type: ignore[arg-type]
            default = default.factory()
        if i == len(parts) - 1:
            return default
        cls = type(default) if attrs.has(type(default)) else None
    return None


def config_changes(old_text: str, new_text: str, limit: int = 20) -> list[str]:
    """Every value that differs between two config texts, as "KEY: OLD -> NEW" (secrets
    masked: "admin.password_hash: secret changed"), at most `limit` lines."""
    import tomlkit
    try:
        old, new = {}, {}
        _flatten(tomlkit.parse(old_text).unwrap(), "", old)
        _flatten(tomlkit.parse(new_text).unwrap(), "", new)
    except Exception:  # noqa: BLE001 -- an unreadable side: say so rather than guess
        return ["(the whole file)"]
    _with_default_lists(old, new)
    _with_default_lists(new, old)
    keys = [k for k in {**old, **new} if old.get(k, _MISSING) != new.get(k, _MISSING)]
    out = _worded(keys[:limit], old, new, tomlkit.parse(old_text).unwrap(),
                  tomlkit.parse(new_text).unwrap())
    if len(keys) > limit:
        out.append(f"... and {len(keys) - limit} more")
    return out
