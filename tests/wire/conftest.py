"""Sims for the wire conformance suite, started with nothing of the project but its command line.

Each sim is `python -m services.simbroker --config FILE` with a config written
here as TOML text, on free loopback ports (the one test helper used), in its own session (killed with its
group afterwards). The tests talk to it with urllib/requests and the
`websockets` package only, as a third-party client of the gateway would.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.support.ports import free_ports

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALENDAR = "2026-12-04"        # the contract calendar: ESZ6 active, ESH7 next
BUS_KEYS = ("control", "events", "market_pub", "market_control", "risk_pub", "risk_control",
            "enforcement_pub", "enforcement_control", "enforcement_commands", "logging_pub",
            "logging_control", "logging_in", "notify_pub", "notify_control", "simbroker_pub",
            "simbroker_control")       # [bus] of riskd.toml, each on its own free port


class WireSim:
    """One sim process: its URLs and login, and how to stop it."""

    def __init__(self, tmp, name: str, sim_keys: str):
        ports = free_ports(2 + len(BUS_KEYS))
        self.rest = f"http://127.0.0.1:{ports[0]}"
        self.user_hub = f"http://127.0.0.1:{ports[1]}/hubs/user"
        self.market_hub = f"http://127.0.0.1:{ports[1]}/hubs/market"
        self.user_name, self.api_key = "sim-user", "sim-api-key"
        bus = "\n".join(f'{key} = "tcp://127.0.0.1:{port}"' for key, port in zip(BUS_KEYS, ports[2:]))
        config = tmp / f"{name}.toml"
        config.write_text(f"""
[paths]
data_dir = "{tmp / (name + '-data')}"
[bus]
{bus}
[broker]
kind = "sim"
[broker.sim]
port = {ports[0]}
hub_port = {ports[1]}
tick_interval = 0
spread_ticks = 1
ping_interval = 1.0
negotiate_ttl = 1.5
calendar_date = "{CALENDAR}"
{sim_keys}
[supervisor]
workers = []
""")
        env = dict(os.environ, PYTHONPATH=REPO)
        self.log = open(tmp / f"{name}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "services.simbroker", "--config",
                                      str(config)], cwd=REPO, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(self.rest + "/sim/info", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise AssertionError(f"the sim {name} did not come up; see {self.log.name}")
            time.sleep(0.05)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


@pytest.fixture(scope="session")
def wire_sims(tmp_path_factory):
    """{"wrapped": the default (TopstepX) sim, "bare": wrap_events = false,
    "limited": rate_limit = 20 per 60 s} -- always stopped afterwards."""
    tmp = tmp_path_factory.mktemp("wire")
    sims = {}
    try:
        for name, keys in (("wrapped", ""), ("bare", "wrap_events = false"),
                           ("limited", "rate_limit = 20")):
            sims[name] = WireSim(tmp, name, keys)
        yield sims
    finally:
        for sim in sims.values():
            sim.stop()
