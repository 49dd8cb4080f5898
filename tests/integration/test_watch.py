"""`riskctl watch` in a real pseudo-terminal (tmux) against riskd with the sim broker.

A trader's afternoon: the screen shows the account's PnL; a losing trade made through
the sim breaches the daily loss limit and the lockout banner counts down; the terminal
shrinks to 80x24 and stays readable; riskd dies, the screen says so and recovers when
riskd is back; q leaves the alternate screen and shows the cursor again.
tmux is part of the test machine's setup (/usr/bin/tmux): its absence is a failure.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest
import requests

from shared.config import load_config
from shared.projectx.rest import ProjectXRest
from tests.support import env as support_env
from tests.support.env import REPO, make_config, wait_for

pytestmark = pytest.mark.slow

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY, SELL = 2, 0, 1
WORKERS = ["simbroker", "market", "risk", "enforcement"]
# etc/riskd.toml's rules, with one change: a 30 loss limit, so one small MNQ loss (about -40)
# puts a lockout on the screen without moving the price hundreds of points
RULES = {"daily_realized_loss": {"limit": 30}}


class Tmux:
    """One private tmux server running one command in a window of a given size."""

    def __init__(self, command: str, width: int, height: int):
        self.tmux = shutil.which("tmux")
        assert self.tmux, "tmux is required for the watch tests (setup: apt-get install tmux)"
        self.dir = tempfile.mkdtemp(prefix="rw-")          # short: a socket path has a limit
        self.socket = os.path.join(self.dir, "s")
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "w", "-x", str(width),
                 "-y", str(height), command, ";", "set-option", "-t", "w", "remain-on-exit",
                 "on")

    def run(self, *args: str) -> str:
        return subprocess.run([self.tmux, "-S", self.socket, *args], check=True,
                              capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "w")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "w", *keys)

    def resize(self, width: int, height: int) -> None:
        self.run("resize-window", "-t", "w", "-x", str(width), "-y", str(height))

    def pane(self, fmt: str) -> str:
        return self.run("display-message", "-p", "-t", "w", fmt).strip()

    def wait_screen(self, pattern: str, timeout: float, what: str) -> str:
        def shown():
            text = self.screen()
            return text if re.search(pattern, text) else None
        try:
            return wait_for(shown, timeout, interval=0.1, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- screen ---\n{self.screen()}") from None

    def close(self) -> None:
        subprocess.run([self.tmux, "-S", self.socket, "kill-server"], capture_output=True,
                       timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def riskctl_command(config: str, *args: str, **env_extra: str) -> str:
    """A shell line running riskctl in the pane; afterwards the shell stays (a dead pane hides
    its cursor), so the test can look at the terminal riskctl left behind and its exit code."""
    env = support_env.test_env()
    keep = {k: env[k] for k in ("PYTHONPATH", "PATH", "HOME") if k in env}
    keep.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="tmux-256color", TZ="America/Chicago",
                **env_extra)
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in keep.items())
    line = " ".join(shlex.quote(a) for a in args)
    return (f"cd {shlex.quote(REPO)} && env {exports} {shlex.quote(sys.executable)} -m cli.main "
            f"--config {shlex.quote(config)} {line}; echo riskctl-exit=$?; exec sleep 120")


def watch_command(config: str) -> str:
    return riskctl_command(config, "watch")


def lose(rest_url: str, client: ProjectXRest, points: int) -> None:
    """Buy 1 MNQ at 21000, the price falls `points`, sell: 2.00 a point plus fees."""
    def quote(price):
        answer = requests.post(rest_url + "/sim/quote",
                               json={"contractId": MNQ, "lastPrice": price}, timeout=5)
        assert answer.ok, answer.text
    quote(21000)
    client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)
    quote(21000 - points)
    client.place_order(ACCOUNT, MNQ, MARKET, SELL, 1)


def test_the_trader_watches_pnl_a_lockout_a_resize_and_a_riskd_restart(procs, tmp_path):
    config = make_config(tmp_path, workers=WORKERS, broker={"sim": {"tick_interval": 0}},
                         profiles={"default": {"rules": RULES}})
    loaded = load_config(config).config
    riskd = procs.riskd(config)
    procs.wait_running(config, WORKERS)
    rest_url = loaded.broker.endpoints()[0]
    client = ProjectXRest(rest_url, loaded.broker.user_name, loaded.broker.api_key, timeout=5)
    tmux = Tmux(watch_command(config), 120, 40)
    try:
        wait_for(lambda: tmux.pane("#{alternate_on}") == "1", 10, what="the alternate screen")
        tmux.wait_screen(r"SIM-DEMO-1 \(id 1001\)\s+balance [\d,]+\.\d\d\s+realized \+?0\.00", 25,
                         "the account's balance and PnL")
        # the balance comes from the REST snapshot, which can be on screen while the hubs
        # still connect (a loaded machine showed "broker market connecting" here): wait
        tmux.wait_screen(r"broker connected", 25, "the hubs connected")
        first = tmux.screen()
        assert "roll in" in first and "broker connected" in first
        assert "risk\u25cf" in first and "enforcement\u25cf" in first

        lose(rest_url, client, 20)                                  # about -40 with fees
        # the countdown to the roll: 2h05m09s, 46m54s in the last hour before it, or 2d23h53m
        # over a weekend (after Friday's roll the next one is Sunday's: no seconds shown then)
        shown = tmux.wait_screen(r"LOCKED OUT\s+(\d+d)?(\d+h)?\d+m(\d\ds)?", 25,
                                 "the lockout banner with its countdown")
        assert "daily_realized_loss" in shown
        assert re.search(r"realized -4\d\.\d\d", shown), shown
        countdown = re.search(r"LOCKED OUT\s+(\S+)", shown).group(1)
        if countdown.endswith("s"):          # seconds shown: it must tick within seconds
            tmux.wait_screen(r"LOCKED OUT\s+(?!" + re.escape(countdown) + r"\s)(\d+h)?\d+m\d\ds",
                             5, "the countdown to tick")

        # riskctl status prints the same picture once, as text and as JSON
        status = procs.riskctl(config, "status")
        assert status.returncode == 0, status.stderr
        assert "LOCKED OUT" in status.stdout and "daily_realized_loss" in status.stdout
        doc = json.loads(procs.riskctl(config, "status", "--json").stdout)
        mine = [a for a in doc["screen"]["accounts"] if a["account_id"] == ACCOUNT][0]
        assert mine["banners"][0]["kind"] == "LOCKED OUT" and mine["locked"]
        assert [a["account_id"] for a in doc["accounts"]] == [1001, 1002]

        tmux.resize(80, 24)
        small = tmux.wait_screen(r"q quit", 5, "the 80x24 layout")
        lines = small.rstrip("\n").split("\n")
        assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
        assert "LOCKED OUT" in small and re.search(r"net -4\d\.\d\d", small), small

        riskd.signal(signal.SIGTERM)
        assert riskd.wait(20) == 0
        # nothing listens: the words of riskctl status (docs/operations.md)
        tmux.wait_screen(r"riskd is not running: nothing listens[\s\S]*-- retrying", 10,
                         "the not-running line")
        assert tmux.pane("#{pane_dead}") == "0"                     # the screen did not crash
        procs.riskd(config)
        tmux.wait_screen(r"^(?![\s\S]*riskd is not running)[\s\S]*LOCKED OUT", 30,
                         "the screen back with the lockout (persisted by risk)")

        tmux.keys("q")
        after = tmux.wait_screen(r"riskctl-exit=\d+", 10, "riskctl watch to exit")
        assert "riskctl-exit=0" in after
        assert "LOCKED OUT" not in after                            # the screen it left is gone
        assert tmux.pane("#{alternate_on}") == "0"                  # back on the normal screen
        assert tmux.pane("#{cursor_flag}") == "1"                   # and the cursor is visible
    finally:
        tmux.close()
        client.close()


def test_ctrl_c_with_riskd_down_restores_the_terminal(tmp_path):
    config = make_config(tmp_path, workers=[])                   # nothing listens there
    tmux = Tmux(watch_command(config), 100, 30)
    try:
        tmux.wait_screen(r"riskd is not running: nothing listens[\s\S]*-- retrying", 15,
                         "the not-running line")
        assert tmux.pane("#{alternate_on}") == "1" and tmux.pane("#{cursor_flag}") == "0"
        tmux.keys("C-c")
        after = tmux.wait_screen(r"riskctl-exit=\d+", 10, "riskctl watch to end on Ctrl-C")
        assert "riskctl-exit=0" in after and "Traceback" not in after
        assert tmux.pane("#{alternate_on}") == "0" and tmux.pane("#{cursor_flag}") == "1"
    finally:
        tmux.close()
