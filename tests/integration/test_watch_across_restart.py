"""`riskctl watch` across a restart of its own riskd, and after another riskd is gone
(trial16a finding 4).

A watch left open across Ctrl-C of `make run` and a new `make run` (same clone, same config)
said for good "messages from another riskd on this machine were not shown (supervisor of riskd
instance ...): it holds a port of this riskd's; give every riskd its own ports": the restarted
riskd's first frames (its new instance id) came before the watch's snapshot learned that id.
A restarted riskd is not another riskd: the same control socket answers with the same config.
And a line about a real other riskd leaves the screen once its frames stop coming.

Real processes: riskd (from etc/riskd.toml's defaults, tests/support/env.make_config, with the
logging and enforcement workers: they publish on the streams the screen reads) and, for the
second test, another riskd's risk on this riskd's free risk port (tests/support/otherrisk.py).
The watch is riskctl's own data source (cli/watch/source.py) folded into its screen state
(cli/watch/model.py) as `riskctl watch` does.
"""
from __future__ import annotations

import signal
import time

import pytest

from cli.watch import source as watch_source
from cli.watch.model import WatchState
from cli.watch.source import Source
from shared.config import load_config
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

OTHER = "fedcba9876543210"


def folded(state: WatchState, watch: Source) -> WatchState:
    for msg in watch.drain():
        state.apply(msg)
    return state


def test_a_watch_open_across_a_restart_of_its_riskd_says_no_other_riskd(procs, tmp_path):
    config = make_config(tmp_path, workers=["logging", "enforcement"])
    riskd = procs.riskd(config)
    procs.wait_running(config, ["logging", "enforcement"], timeout=30)
    watch = Source(load_config(config).config.bus, config_path=config).start()
    state = WatchState()
    try:
        first = wait_for(lambda: watch.instance, 15, what="the watch to learn riskd's id")
        riskd.signal(signal.SIGINT)                      # Ctrl-C in `make run`
        assert riskd.wait(20) is not None, "riskd did not stop"
        time.sleep(2.0)                                  # the watch says riskd is down
        procs.riskd(config)                              # `make run` again
        procs.wait_running(config, ["logging", "enforcement"], timeout=30)
        wait_for(lambda: watch.instance not in (None, first), 15,
                 what="the watch to learn the restarted riskd's id")
        time.sleep(4.0)                                  # the new run's frames keep coming
        folded(state, watch)
        assert state.foreign == [], state.foreign
    finally:
        watch.stop()


def test_the_line_about_another_riskd_leaves_once_it_is_gone(procs, tmp_path, monkeypatch):
    monkeypatch.setattr(watch_source, "FOREIGN_FORGET", 3.0)     # 30 s as shipped
    config = make_config(tmp_path, workers=["logging", "enforcement"])   # risk's port free
    procs.riskd(config)
    procs.wait_running(config, ["logging", "enforcement"], timeout=30)
    watch = Source(load_config(config).config.bus, config_path=config).start()
    state = WatchState()
    try:
        wait_for(lambda: watch.instance, 15, what="the watch to learn riskd's id")
        other = procs.worker("tests.support.otherrisk", config, label="other-riskd-risk",
                             env={"RISKD_INSTANCE": OTHER, "OTHER_COMMAND_ID": "theirs-1",
                                  "OTHER_ACCOUNT": "1001"})
        wait_for(lambda: folded(state, watch).foreign, 20, interval=0.2,
                 what="the watch to say another riskd's messages were not shown")
        assert [s.instance for s in state.foreign] == [OTHER]
        time.sleep(4.0)                          # its frames keep coming: still said
        assert [s.instance for s in folded(state, watch).foreign] == [OTHER]
        other.kill_tree()
        wait_for(lambda: not folded(state, watch).foreign, 10, interval=0.2,
                 what="the line about the other riskd to leave once it is gone")
    finally:
        watch.stop()
