"""Config messages: riskctl's config and rule-parameter commands and their typed answers.

Edits (ConfigSet, ConfigRestore, RulesSet, RulesEnable) are admin commands served by the
supervisor, which owns the file: validated, backed up, written atomically, then applied
live; the answer is ConfigEdited. Reads: ConfigShow (secrets masked), ConfigBackupsRequest,
RuleParamsRequest (the configured parameters; current values come from the risk worker's
RulesRequest).
"""
from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class ConfigShow:
    """The running config as TOML, secrets masked."""


@attrs.frozen(kw_only=True)
class ConfigView:
    path: str
    digest: str = ""
    generation: int = 0                 # live reloads applied since riskd started
    toml: str = ""                      # the running config, secrets replaced by ***
    warnings: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class ConfigSet:
    """Set one key of the config file (TOML value syntax; validated, backed up, applied live)."""
    key: str
    value: str = attrs.field(repr=False)      # may be a secret (a token, a hash)
    reason: str = ""                          # why, for the audit trail
    # asked and answered: apply even when risk would act at once (flatten, reduce, lock
    # out); without it such an edit is answered 'confirm_needed' (riskctl --yes sets it)
    confirmed: bool = False
    # how the admin answers if riskd would act at once (shared/editasking.py): 'prompt',
    # 'no terminal', '--yes', 'declined' (answered no: record it, change nothing)
    asking: str = ""
    # the riskctl command that sent it when not `config set`: "passwd" (`riskctl passwd
    # ROLE`), so the audit trail names it as typed (shared/commandwords.py)
    via: str = ""


@attrs.frozen(kw_only=True)
class ConfigReload:
    """Re-read the config file now; an invalid file leaves the running config as it is."""
    reason: str = ""


@attrs.frozen(kw_only=True)
class ConfigBackupsRequest:
    """List the config file's backups, newest first."""


@attrs.frozen(kw_only=True)
class BackupInfo:
    stamp: str
    size: int
    note: str = ""          # which edit it is the file before; for last-run, what it is
    saved_ns: int = 0       # 0: read from the stamp


@attrs.frozen(kw_only=True)
class ConfigBackups:
    folder: str
    backups: list[BackupInfo] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class ConfigRestore:
    """Restore a config backup by its stamp (validated like any edit; the current file is kept)."""
    stamp: str
    reason: str = ""
    # asked and answered: apply even when risk would act at once (flatten, reduce, lock
    # out); without it such an edit is answered 'confirm_needed' (riskctl --yes sets it)
    confirmed: bool = False
    # how the admin answers if riskd would act at once (shared/editasking.py): 'prompt',
    # 'no terminal', '--yes', 'declined' (answered no: record it, change nothing)
    asking: str = ""


@attrs.frozen(kw_only=True)
class ConfigEdited:
    """The answer to an edit: what changed and whether it is live."""
    path: str
    key: str = ""
    backup: str = ""                    # the previous file's backup
    digest: str = ""
    applied: bool = False               # the running riskd took it live
    restart_needed: list[str] = attrs.Factory(list)    # this edit's restart-only sections
    restart: str = ""                   # what to restart for it, and how, in words ('' none)
    warnings: list[str] = attrs.Factory(list)
    changes: list[str] = attrs.Factory(list)   # "KEY: OLD -> NEW" per changed value, secrets masked


@attrs.frozen(kw_only=True)
class RuleParamsRequest:
    """The configured rule parameters of every account and profile (or one of them)."""
    target: str = ""                    # an account (id, name, display name) or profile:NAME


@attrs.frozen(kw_only=True)
class RuleParams:
    target: str                         # "profile:default" or "account:<name or id>"
    profile: str
    rule: str
    enabled: bool
    mode: str
    warn_at: float
    params: dict[str, str] = attrs.Factory(dict)      # TOML-formatted values
    overridden: list[str] = attrs.Factory(list)       # parameters the account overrides


@attrs.frozen(kw_only=True)
class RuleParamsTable:
    rows: list[RuleParams] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class RulesSet:
    """Set one parameter of one rule for an account or a profile."""
    target: str
    rule: str
    param: str
    value: str
    reason: str = ""
    # asked and answered: apply even when risk would act at once (flatten, reduce, lock
    # out); without it such an edit is answered 'confirm_needed' (riskctl --yes sets it)
    confirmed: bool = False
    # how the admin answers if riskd would act at once (shared/editasking.py): 'prompt',
    # 'no terminal', '--yes', 'declined' (answered no: record it, change nothing)
    asking: str = ""
    # `--new-profile`: a profile:NAME the file does not have is created (else refused)
    new_profile: bool = False


@attrs.frozen(kw_only=True)
class RulesEnable:
    """Enable or disable one rule for an account or a profile."""
    target: str
    rule: str
    enabled: bool
    reason: str = ""
    # asked and answered: apply even when risk would act at once (flatten, reduce, lock
    # out); without it such an edit is answered 'confirm_needed' (riskctl --yes sets it)
    confirmed: bool = False
    # how the admin answers if riskd would act at once (shared/editasking.py): 'prompt',
    # 'no terminal', '--yes', 'declined' (answered no: record it, change nothing)
    asking: str = ""
    # `--new-profile`: a profile:NAME the file does not have is created (else refused)
    new_profile: bool = False


ALL = (ConfigShow, ConfigView, ConfigSet, ConfigReload, ConfigBackupsRequest, BackupInfo,
       ConfigBackups, ConfigRestore, ConfigEdited, RuleParamsRequest, RuleParams,
       RuleParamsTable, RulesSet, RulesEnable)
