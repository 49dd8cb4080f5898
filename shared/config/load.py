"""Load a TOML config file into the attrs model, collecting every problem at once.

Steps: parse (tomllib; tomlkit only for a file tomllib refuses), substitute ${ENV_VAR} in
strings, structure with a strict converter (unknown keys and wrong types are errors),
resolve relative paths against the config file's folder.
"""
from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional

import attrs
import cattrs
import tomllib
from cattrs.errors import ForbiddenExtraKeysError

from shared.config.convert import MissingKey, config_converter
from shared.config.checks import check_config
from shared.config.errors import ConfigError, Problem
from shared.config.tomlerror import toml_problem
from shared.config.model import Config
from shared.config.trading_day import read_holidays_file
from shared.config.validators import FieldError
from shared.digest import sha256_hex
from shared import portrange

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@attrs.frozen
class LoadedConfig:
    """A validated config plus where it came from and its resolved directories."""
    path: str
    config: Config
    data_dir: str
    log_dir: str
    warnings: tuple = ()
    digest: str = ""      # sha256 of the file text: tells two readers they saw the same version
    # the text that validated (may hold secrets: never shown; the supervisor snapshots it)
    text: str = attrs.field(default="", repr=False, eq=False)
    # the file's modification time as it was read (None: not known): what a reader that names
    # the config's last change says of the text it judged, not of a later edit (trial19a 5)
    changed_ns: Optional[int] = attrs.field(default=None, eq=False)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def problems_from_exception(exc: BaseException, path: str = "") -> list[Problem]:
    """Walk cattrs' exception groups into (dotted path, message) problems."""
    out: list[Problem] = []
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            key = note.name if hasattr(note, "name") else note.index
            out += problems_from_exception(sub, _join(path, key))
        for sub in without:
            out += problems_from_exception(sub, path)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            allowed = ", ".join(f.name for f in attrs.fields(exc.cl)) if attrs.has(exc.cl) else ""
            out.append(Problem(_join(path, key), f"unknown key; expected one of: {allowed}"))
    elif isinstance(exc, FieldError):
        out.append(Problem(_join(path, exc.field), str(exc)))
    elif isinstance(exc, MissingKey):
        out.append(Problem(path, str(exc)))
    elif isinstance(exc, KeyError):
        out.append(Problem(path, "required key is missing"))
    elif isinstance(exc, TypeError) and "missing" in str(exc) and "required" in str(exc):
        out.append(Problem(path, f"required key is missing ({exc})"))
    elif isinstance(exc, (ValueError, TypeError)):
        out.append(Problem(path, str(exc)))
    else:
        out.append(Problem(path, f"{type(exc).__name__}: {exc}"))
    return out


def substitute_env(data: Any, env: Mapping[str, str], path: str = "",
                   problems: list[Problem] | None = None) -> Any:
    """Replace ${NAME} in every string; a missing variable is a problem naming it."""
    problems = problems if problems is not None else []
    if isinstance(data, dict):
        return {k: substitute_env(v, env, _join(path, k), problems) for k, v in data.items()}
    if isinstance(data, list):
        return [substitute_env(v, env, _join(path, i), problems) for i, v in enumerate(data)]
    if isinstance(data, str):
        def repl(m: re.Match) -> str:
            name = m.group(1)
            if name not in env:
                problems.append(Problem(path, f"environment variable {name} is not set"))
                return ""
            return env[name]
        return _ENV.sub(repl, data)
    return data


def parse_toml(text: str, file: str) -> dict:
    """The file's TOML as plain data. The standard library's parser reads it (tomlkit, which
    keeps comments for edits, costs every worker memory: docs/performance.md, "Memory");
    tomlkit reads what tomllib refuses, so the error text ('... at line L col C', which
    `riskctl watch` points at) and anything only tomlkit accepts stay as they were."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        pass
    import tomlkit    # noqa: PLC0415 -- only for a file tomllib refuses
    try:
        return tomlkit.parse(text).unwrap()
    except Exception as exc:  # tomlkit's ParseError and friends
        # the end of the file read as '\x00': where the value left open starts (tomlerror.py)
        raise ConfigError(file, [Problem("", f"not valid TOML: {toml_problem(text, str(exc))}")]
                          ) from None


def validate_data(data: dict, file: str, env: Mapping[str, str] | None = None,
                  base_dir: str | None = None) -> Config:
    """Plain TOML data -> Config, or ConfigError listing every problem."""
    return validate_full(data, file, env, base_dir)[0]


def validate_full(data: dict, file: str, env: Mapping[str, str] | None = None,
                  base_dir: str | None = None) -> tuple[Config, tuple[Problem, ...]]:
    """Plain TOML data -> (Config, warnings), or ConfigError listing every error (and warning).

    base_dir: where relative files (holidays) are looked up; None skips the file checks.
    """
    problems: list[Problem] = []
    data = substitute_env(data, os.environ if env is None else env, "", problems)
    try:
        config = config_converter.structure(data, Config)
    except Exception as exc:
        problems += problems_from_exception(exc)
        config = None
        # the warnings of the rest of the file, said beside the errors rather than after
        # they are fixed (trial16g: a duplicate name showed only once the hash was right)
        problems += warnings_beside_errors(data, problems)
    if config is not None:
        problems += check_config(config)
        if base_dir is not None:        # the machine's checks: its files, its port range
            problems += check_files(config, base_dir)
            problems += portrange.config_warnings(config)
    errors = [p for p in problems if p.severity == "error"]
    if errors or config is None:
        raise ConfigError(file, problems)
    return config, tuple(problems)


def warnings_beside_errors(data: dict, errors: list[Problem]) -> list[Problem]:
    """The warnings check_config finds in a file whose structure has errors: the tables with
    an error are read as their defaults (dropped from data) and the rest checked again; only
    its warnings count (an error there may come from a dropped table). None when an error is
    at the top level or the rest does not structure either."""
    tops = {p.path.split(".")[0].split("[")[0] for p in errors}
    if "" in tops or not isinstance(data, dict):
        return []
    rest = {k: v for k, v in data.items() if k not in tops}
    try:
        config = config_converter.structure(rest, Config)
        found = check_config(config)
    except Exception:  # noqa: BLE001 -- the errors are already said; no warnings then
        return []
    return [p for p in found if p.severity == "warning"
            and p.path.split(".")[0].split("[")[0] not in tops]


def check_files(config: Config, base_dir: str) -> list[Problem]:
    """Files the config names (holidays) exist and parse."""
    problems: list[Problem] = []
    named = [("trading_day.holidays_file", config.trading_day.holidays_file)]
    named += [(f"profiles.{n}.rules.session_block_outside.holidays_file",
               p.rules.session_block_outside.holidays_file) for n, p in config.profiles.items()]
    for where, name in named:
        if name:
            try:
                read_holidays_file(name, base_dir)
            except OSError as exc:
                problems.append(Problem(where, f"cannot read {name!r}: {exc.strerror}"))
            except ValueError as exc:
                problems.append(Problem(where, str(exc)))
    return problems


def validate_text(text: str, path: str, env: Mapping[str, str] | None = None,
                  file_text: str | None = None) -> tuple[Config, tuple[Problem, ...]]:
    """TOML text meant for `path` -> (Config, warnings), or ConfigError whose problems say
    their line and account (shared/config/where.py); file_text: the file as it is, when text
    is an edit of it (the lines cited are the file's, not the edit's)."""
    data = parse_toml(text, path)
    try:
        config, warnings = validate_full(data, path, env, os.path.dirname(path))
    except ConfigError as exc:
        from shared.config.where import locate_all    # noqa: PLC0415 -- only on a bad file
        raise ConfigError(exc.file, locate_all(exc.problems, text, data, file_text)) from None
    if warnings:        # the line to fix, as for an error (a duplicate name riskd runs with)
        from shared.config.where import locate_all    # noqa: PLC0415 -- only with warnings
        warnings = tuple(locate_all(warnings, text, data, file_text))
    return config, warnings


def refuse_new_names(old: Config, fresh: "LoadedConfig", file_text: str | None = None) -> None:
    """ConfigError (located) when fresh gives an account a name another already goes by that
    old had not (checks.new_duplicate_names): an edit, by riskctl or by hand, may not make
    one; the ones a file already had run, warned."""
    from shared.config.checks import new_duplicate_names    # noqa: PLC0415
    refused = new_duplicate_names(old, fresh.config)
    if refused:
        from shared.config.where import locate_all    # noqa: PLC0415 -- only when refused
        raise ConfigError(fresh.path, locate_all(refused, fresh.text,
                                                 parse_toml(fresh.text, fresh.path), file_text))


def _resolve(base: str, p: str) -> str:
    return os.path.normpath(p if os.path.isabs(p) else os.path.join(base, p))


def resolved_dirs(path: str, config: Config) -> tuple[str, str]:
    """(data_dir, log_dir) of a config read as `path`: relative ones against its folder."""
    base = os.path.dirname(os.path.abspath(path))
    data_dir = _resolve(base, config.paths.data_dir)
    log_dir = _resolve(base, config.paths.log_dir) if config.paths.log_dir else os.path.join(
        data_dir, "logs")
    return data_dir, log_dir


def load_config(path: str, env: Mapping[str, str] | None = None,
                text_from: str | None = None) -> LoadedConfig:
    """Read, validate and resolve a config file. Raises ConfigError.

    text_from: read the text from this file instead (a snapshot of `path` as it was when it
    last validated), still resolved as `path` (relative paths, its folder, its name).
    """
    path = os.path.abspath(path)
    source = text_from or path
    try:
        with open(source, encoding="utf-8") as fh:
            text = fh.read()
            changed_ns = os.fstat(fh.fileno()).st_mtime_ns
    except OSError as exc:
        raise ConfigError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    config, warnings = validate_text(text, path, env)
    data_dir, log_dir = resolved_dirs(path, config)
    return LoadedConfig(path=path, config=config, data_dir=data_dir, log_dir=log_dir,
                        warnings=warnings, text=text,
                        digest=sha256_hex(text), changed_ns=changed_ns)
