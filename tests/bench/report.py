"""The benchmark report: rows of (figure, value, unit, floor, ratio, goal), printed and saved as
JSON.

The floor is a reference measured in the same run (the bare path with nothing of riskd on it);
the goal is the requirement written in the issues, beside the row: a bound on the value
("< 2 % core") or on the ratio to the floor ("<= 2x floor"). `python -m tests.bench --check`
(make bench CHECK=1) exits 1 when a row misses its goal.
"""
from __future__ import annotations

import json
import platform
import statistics
import time
from typing import Optional

import attrs


@attrs.frozen
class Goal:
    """value `op` bound, or (of_floor) value / floor `op` bound; op is "<", "<=", ">" or ">="."""
    op: str
    bound: float
    of_floor: bool = False

    def text(self, unit: str) -> str:
        return f"{self.op} {self.bound:g}x floor" if self.of_floor else \
            f"{self.op} {self.bound:g} {unit}"

    def met(self, value: float, ratio: Optional[float]) -> Optional[bool]:
        x = ratio if self.of_floor else value
        if x is None:
            return None
        return {"<": x < self.bound, "<=": x <= self.bound, ">": x > self.bound,
                ">=": x >= self.bound}[self.op]


def below(bound: float) -> Goal:
    return Goal("<", bound)


def above(bound: float) -> Goal:
    return Goal(">", bound)


def within(times: float) -> Goal:
    """At most `times` the floor measured in the same run."""
    return Goal("<=", times, of_floor=True)


@attrs.define
class Row:
    name: str
    value: float
    unit: str
    floor: Optional[float] = None
    note: str = ""
    goal: Optional[Goal] = None

    @property
    def ratio(self) -> Optional[float]:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor

    @property
    def met(self) -> Optional[bool]:
        """True / False against the goal; None without a goal (or without its floor)."""
        return None if self.goal is None else self.goal.met(self.value, self.ratio)


@attrs.define
class Report:
    rows: list[Row] = attrs.Factory(list)

    def add(self, name: str, value: float, unit: str, floor: float | None = None,
            note: str = "", goal: Optional[Goal] = None) -> None:
        row = Row(name, value, unit, floor, note, goal)
        self.rows.append(row)
        print(self.format_row(row), flush=True)

    @staticmethod
    def format_row(row: Row) -> str:
        floor = f"{row.floor:>12.1f}" if row.floor is not None else f"{'-':>12}"
        ratio = f"{row.ratio:>7.2f}x" if row.ratio is not None else f"{'-':>8}"
        goal = row.goal.text(row.unit) if row.goal else "-"
        verdict = {True: "met", False: "MISSED", None: ""}[row.met]
        return (f"{row.name:<56} {row.value:>12.1f} {row.unit:<8} {floor} {ratio}  "
                f"{goal:<14} {verdict:<6}  {row.note}")

    def print_table(self) -> None:
        print()
        print(f"{'figure':<56} {'value':>12} {'unit':<8} {'floor':>12} {'ratio':>8}  "
              f"{'goal':<14} {'':<6}  note")
        print("-" * 120)
        for row in self.rows:
            print(self.format_row(row))

    def missed(self) -> list[Row]:
        return [r for r in self.rows if r.met is False]

    def save(self, path: str) -> None:
        doc = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "processor": platform.processor() or platform.machine()},
            "rows": [dict(attrs.asdict(r), ratio=r.ratio, met=r.met,
                          goal=r.goal.text(r.unit) if r.goal else None) for r in self.rows],
        }
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2)


def percentile(samples: list[float], p: float) -> float:
    """p in [0, 100]; nearest-rank on the sorted samples."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def median(samples: list[float]) -> float:
    return statistics.median(samples)
