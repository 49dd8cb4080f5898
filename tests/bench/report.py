"""The benchmark report: rows of (figure, value, unit, floor, ratio), printed and saved as JSON."""
from __future__ import annotations

import json
import platform
import statistics
import time
from typing import Optional

import attrs


@attrs.define
class Row:
    name: str
    value: float
    unit: str
    floor: Optional[float] = None
    note: str = ""

    @property
    def ratio(self) -> Optional[float]:
        if self.floor in (None, 0):
            return None
        return self.value / self.floor


@attrs.define
class Report:
    rows: list[Row] = attrs.Factory(list)

    def add(self, name: str, value: float, unit: str, floor: float | None = None,
            note: str = "") -> None:
        row = Row(name, value, unit, floor, note)
        self.rows.append(row)
        print(self.format_row(row), flush=True)

    @staticmethod
    def format_row(row: Row) -> str:
        floor = f"{row.floor:>12.1f}" if row.floor is not None else f"{'-':>12}"
        ratio = f"{row.ratio:>7.2f}x" if row.ratio is not None else f"{'-':>8}"
        return f"{row.name:<52} {row.value:>12.1f} {row.unit:<8} {floor} {ratio}  {row.note}"

    def print_table(self) -> None:
        print()
        print(f"{'figure':<52} {'value':>12} {'unit':<8} {'floor':>12} {'ratio':>8}")
        print("-" * 100)
        for row in self.rows:
            print(self.format_row(row))

    def save(self, path: str) -> None:
        doc = {
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "processor": platform.processor() or platform.machine()},
            "rows": [dict(attrs.asdict(r), ratio=r.ratio) for r in self.rows],
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
