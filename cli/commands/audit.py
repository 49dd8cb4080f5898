"""Check the audit trail: riskctl audit verify walks audit.log's hash chain (exit 1 if broken).

Every audit line carries the hash of the line before it and of itself, across rotated
files and restarts; an edited, removed or reordered line breaks the chain. The first
broken line is named by its number over the whole chain (oldest file first) and by
file and line.
"""
from __future__ import annotations

import os

from cli.errors import CliError
from shared import auditchain
from shared.config import ConfigError, load_config

NAME = "audit"


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser("verify", help="check the audit log's hash chain")
    p.add_argument("--json", action="store_true", help="print one JSON document")


def run(args, ctx) -> int:
    try:
        log_dir = load_config(ctx.config_path).log_dir
    except ConfigError as exc:
        raise CliError(f"cannot read the config for the log location:\n{exc.render()}") from None
    files = auditchain.audit_files(log_dir)
    verdict = auditchain.verify_files(files)
    if ctx.json:
        ctx.print_json({"ok": verdict.ok, "lines": verdict.lines, "files": files,
                        "broken_line": verdict.broken_line, "file": verdict.file,
                        "file_line": verdict.file_line, "reason": verdict.reason})
    elif not files:
        print(f"no audit log yet in {log_dir}")
    elif verdict.ok:
        print(f"audit chain ok: {verdict.lines} lines in {len(files)} file(s)")
    else:
        print(f"audit chain BROKEN at line {verdict.broken_line} "
              f"({os.path.basename(verdict.file)} line {verdict.file_line}): {verdict.reason}")
    return 0 if verdict.ok else 1
