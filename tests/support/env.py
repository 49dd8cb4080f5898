"""Test environments: configs on free loopback ports in a temp dir, and waiting with deadlines."""
from __future__ import annotations

import os
import signal
import time
from typing import Any, Callable

import tomlkit

from shared.config.sections import BusConfig
from tests.support.ports import free_port_block, free_ports

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def deep_merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for k, v in extra.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


SHIPPED_CONFIG = os.path.join(REPO, "etc", "riskd.toml")

# The sim's contract calendar in tests: its front months (MNQ, ES ... Z26) are the contract ids
# the tests name. Without a pinned day, the sim lists next year's months after the December
# roll and the tests would break with the calendar, not with the code.
SIM_CALENDAR_DATE = "2026-12-04"


def shipped_rules() -> dict:
    """[profiles.default.rules] of etc/riskd.toml as plain data: the rules a trader starts
    with, every default on. Tests start from these and change only what a scenario needs."""
    with open(SHIPPED_CONFIG, encoding="utf-8") as fh:
        doc = tomlkit.parse(fh.read()).unwrap()
    return doc["profiles"]["default"]["rules"]


def shipped_accounts() -> list:
    """[[accounts]] of etc/riskd.toml as plain data: Demo 1 and Demo 2 (strict), as shipped."""
    with open(SHIPPED_CONFIG, encoding="utf-8") as fh:
        return tomlkit.parse(fh.read()).unwrap()["accounts"]


def roll_hours_from_now(hours: float = 12) -> dict:
    """[trading_day] of etc/riskd.toml with its roll moved to `hours` from now (a whole minute,
    in its zone): a test whose timer lockouts must end before the roll does not depend on the
    hour it runs. CI at 16:30 CT: a 30-minute cooldown outlasted the 17:00 roll, so an unlock
    rightly warned of no daily limit (the day's PnL starts again before the cooldown ends), and
    `lockout --until 30m` rightly extended a lockout to the roll. Its "roll" is "HH:MM"."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    with open(SHIPPED_CONFIG, encoding="utf-8") as fh:
        day = tomlkit.parse(fh.read()).unwrap()["trading_day"]
    at = datetime.now(ZoneInfo(day["timezone"])) + timedelta(hours=hours)
    return {**day, "roll": at.strftime("%H:%M")}


def make_config(tmp_path, workers: list[str] | None = None, **sections: Any) -> str:
    """Write riskd.toml into tmp_path with every bus address on a free port (tests/support/
    ports.py: never one handed out before in this test process); return its path.

    workers: the supervisor's worker list (default: none but what the test names).
    The default profile's rules are etc/riskd.toml's, as shipped (shipped_rules()).
    sections: extra TOML tables merged over the defaults, e.g. broker={"kind": "sim"}; a
    test that changes a rule says why at that place.
    """
    keys = [k for k in BusConfig.address_keys() if k != "risk_shards_from"]   # a block, below
    ports = free_ports(len(keys) + 2)
    data: dict = {
        "paths": {"data_dir": str(tmp_path / "data")},
        "bus": {k: f"tcp://127.0.0.1:{p}" for k, p in zip(keys, ports)},
        "broker": {"kind": "sim", "sim": {"port": ports[-2], "hub_port": ports[-1],
                                          "calendar_date": SIM_CALENDAR_DATE}},
        "supervisor": {"workers": list(workers or [])},
        "logging": {"level": "INFO"},
        "profiles": {"default": {"description": "etc/riskd.toml's rules, as shipped",
                                 "rules": shipped_rules()}},
    }
    # risk shards 1 .. N-1 bind the port pairs counted from risk_shards_from: all of them free
    shards = int(sections.get("supervisor", {}).get("risk_shards", 1))
    data["bus"]["risk_shards_from"] = f"tcp://127.0.0.1:{free_port_block(2 * max(1, shards - 1))}"
    data = deep_merge(data, sections)
    path = tmp_path / "riskd.toml"
    path.write_text(tomlkit.dumps(data))
    return str(path)


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05,
             what: str = "condition", fail_fast: type | tuple = ()) -> Any:
    """Poll condition until it returns something truthy; fail with `what` after timeout s.

    Exceptions of the fail_fast types end the wait at once (e.g. the process died).
    """
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except fail_fast:
            raise
        except Exception as exc:   # the peer may not be up yet
            last_exc = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                         + (f" (last error: {last_exc})" if last_exc else ""))


def test_env() -> dict:
    """Environment for child processes: the repo importable (tests/ modules as workers)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def ctrl_c_as_in_a_terminal() -> None:
    """Popen's preexec_fn for a child a test ends with SIGINT (Ctrl-C): SIGINT acts as in a
    terminal even when the tests themselves run with it ignored (a shell starts a background
    job, `make test &`, with SIGINT ignored, and a child inherits that: Python then raises no
    KeyboardInterrupt; round 11's fresh-clone runs lost two tests to it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
