"""Config errors that people can act on: file, dotted key path, bad value, what was expected."""
from __future__ import annotations

import attrs

from shared.plural import plural


@attrs.frozen
class Problem:
    path: str          # dotted key path, e.g. "profiles.default.rules.daily_realized_loss.limit"
    message: str       # "expected a positive number, got -5"
    severity: str = "error"   # error | warning

    def __str__(self) -> str:
        where = self.path or "(top level)"
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{self.message}"


class ConfigError(Exception):
    """An invalid config file; carries every problem found, not only the first."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        # errors first, then the warnings found beside them (trial16g)
        self.problems = sorted(problems, key=lambda p: p.severity == "warning")
        super().__init__(self.render())

    def render(self) -> str:
        warned = sum(p.severity == "warning" for p in self.problems)
        head = plural(len(self.problems), "problem") if not warned else (
            f"{plural(len(self.problems) - warned, 'error')}, {plural(warned, 'warning')}")
        lines = [f"{self.file}: {head}"]
        lines += [f"  {self.file}: {p}" for p in self.problems]
        return "\n".join(lines)
