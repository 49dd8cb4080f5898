"""Another riskd's worker on this riskd's free port is never acted on.

Two riskds on one machine with the same ports (docs/operations.md, "Two riskd on one machine"):
while one of this riskd's worker ports is free (the worker restarting, or stopped), a worker of
the other riskd binds it, and this riskd's subscribers, which connect to that address, took
what it published as their own worker's. Here riskd A runs without its risk worker (its port
free, as while `riskctl stop risk` holds), and the other riskd's risk (tests/support/otherrisk.py:
a real process binding A's bus.risk_pub as a worker does, its frames carrying its own riskd's
instance id) publishes a flatten Command for an account: A's enforcement must neither accept
nor run it, and must say once, in A's system.log, that it ignored another riskd's messages,
naming that riskd. Then the same publisher with A's own instance id (A's own risk, back) is
acted on at once: the stand-in is heard, so the silence before was the check, not a lost
subscription.

The second test does the same for market's snapshot, the answer risk re-syncs from: with A's
market stopped, the other riskd's market (tests/support/othermarket.py) answers risk's request
on A's market_control; risk must not judge its accounts.

riskd A starts from etc/riskd.toml (tests/support/env.make_config) with only the workers the
scenario needs: logging (the log line) and enforcement (what a command acts on); no broker
runs: acting shows as enforcement's "accepted" (journaled, published before any broker call).
"""
from __future__ import annotations

import glob
import json
import os
import time

import pytest
import zmq

from shared import codec, topics
from shared.bus.sockets import make_socket
from shared.config import load_config
from cli.watch.model import ForeignSeen, foreign_words
from cli.watch.source import Source
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

SAID = "messages from another riskd on this machine were ignored, not acted on"
OTHER = "fedcba9876543210"


class Tap:
    """A reader of A's enforcement PUB: its results by command id, and A's instance id."""

    def __init__(self, address: str):
        self.sock = make_socket(zmq.Context.instance(), zmq.SUB, connect=address)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"")
        self.results: dict[str, list[str]] = {}
        self.instances: set[bytes] = set()

    def pump(self) -> None:
        while self.sock.poll(20):
            _topic, body = self.sock.recv_multipart()
            env = codec.decode(body)
            self.instances.add(env.instance)
            if isinstance(env.msg, CommandResult):
                self.results.setdefault(env.msg.command_id, []).append(env.msg.status)


def system_lines(config: str) -> list[dict]:
    path = os.path.join(load_config(config).log_dir, "system.log")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def decisions(msgs: list) -> list[str]:
    return [m.id for m in msgs if isinstance(m, Decision)]


def test_a_command_from_another_riskds_risk_is_not_acted_on(procs, tmp_path):
    """...and `riskctl watch` (its data source, cli/watch/source.py, reading A's streams as
    the screen does) shows neither it nor its Decision, and says once that it saw another
    riskd's messages; A's own risk's Decision it shows."""
    config = make_config(tmp_path, workers=["logging", "enforcement"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "enforcement"], timeout=30)
    bus = load_config(config).config.bus
    tap = Tap(bus.enforcement_pub)
    watch = Source(bus, config_path=config).start()
    seen: list = []
    try:
        ours = wait_for(lambda: tap.pump() or (tap.instances - {b""}), 15,
                        what="A's enforcement heartbeat (with A's instance id)")
        assert len(ours) == 1 and OTHER.encode() not in ours

        other = procs.worker("tests.support.otherrisk", config, label="other-riskd-risk",
                             env={"RISKD_INSTANCE": OTHER, "OTHER_COMMAND_ID": "theirs-1",
                                  "OTHER_ACCOUNT": "1001"})

        def dropped_or_acted():
            tap.pump()
            return "theirs-1" in tap.results or any(
                r["message"].startswith(SAID) for r in system_lines(config))
        wait_for(dropped_or_acted, 20, interval=0.1,
                 what="A's enforcement to act on or drop the other riskd's command")
        # the watch: told once, the other riskd's Decision never among what it shows
        wait_for(lambda: seen.extend(watch.drain()) or "d-theirs-1" in decisions(seen) or any(
            isinstance(m, ForeignSeen) for m in seen), 10, interval=0.1,
            what="the watch to show or drop the other riskd's Decision")
        assert "d-theirs-1" not in decisions(seen), decisions(seen)
        time.sleep(1.0)                  # ten more re-sends, each dropped (and said once)
        tap.pump()
        seen.extend(watch.drain())
        other.kill_tree()
        assert "theirs-1" not in tap.results, tap.results
        assert "d-theirs-1" not in decisions(seen), decisions(seen)
        assert [m for m in seen if isinstance(m, ForeignSeen)] == [
            ForeignSeen(instance=OTHER, publisher="risk")]
        assert f"risk of riskd instance {OTHER}" in foreign_words(
            [ForeignSeen(instance=OTHER, publisher="risk")])

        # the same publisher as A's own risk: acted on at once (the check, not a deaf socket)
        own = procs.worker("tests.support.otherrisk", config, label="own-risk",
                           env={"RISKD_INSTANCE": next(iter(ours)).decode(),
                                "OTHER_COMMAND_ID": "ours-1", "OTHER_ACCOUNT": "1001"})
        wait_for(lambda: tap.pump() or "ours-1" in tap.results, 20,
                 what="A's enforcement to accept its own riskd's command")
        wait_for(lambda: seen.extend(watch.drain()) or "d-ours-1" in decisions(seen), 10,
                 interval=0.1, what="the watch to show A's own risk's Decision")
        own.kill_tree()
        tap.pump()
        assert "theirs-1" not in tap.results, tap.results
        assert "accepted" in tap.results["ours-1"]
    finally:
        tap.sock.close(0)
        watch.stop()
    assert "d-theirs-1" not in decisions(seen)
    assert sum(isinstance(m, ForeignSeen) for m in seen) == 1

    said = wait_for(lambda: [r for r in system_lines(config) if r["message"].startswith(SAID)],
                    5, what="the drop in A's system.log")
    assert len(said) == 1, said                               # once, not once a message
    line = said[0]
    assert line["process"] == "enforcement" and line["level"] == "WARNING"
    assert f"a Command published by risk of riskd instance {OTHER} (topic 'cmd')" \
        in line["message"], line["message"]
    assert line["foreign_instance"] == OTHER
    # and no log of A's names the other riskd's command (enforcement logs each command it takes)
    for path in glob.glob(os.path.join(load_config(config).log_dir, "*.log")):
        with open(path, encoding="utf-8") as fh:
            assert "theirs-1" not in fh.read(), path


def risk_accounts(config: str) -> tuple[list[int], bool] | None:
    """The accounts risk judges, and whether it is synced with a market; None: no answer."""
    from shared.bus.rpc import RpcClient, RpcTimeout
    from shared.messages.risk import RiskStatusRequest
    try:
        with RpcClient(load_config(config).config.bus.risk_control, "risk", timeout=2,
                       retries=0, name="test") as c:
            reply = c.call(RiskStatusRequest())
    except RpcTimeout:
        return None
    return ([a.account_id for a in reply.body.accounts], reply.body.market_synced) \
        if reply.ok else None


def test_risk_takes_no_snapshot_from_another_riskds_market(procs, tmp_path):
    """risk re-syncs from market's snapshot (its control socket, a request and its reply):
    with A's market stopped, the other riskd's market on its ports answers that request too.
    risk must not judge the accounts of that answer (here 4242, "THEIRS-4242"); with A's own
    market back (the same stand-in with A's id) it does at once. Workers: logging (the line)
    and risk; market is the stopped worker."""
    config = make_config(tmp_path, workers=["logging", "risk"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "risk"], timeout=30)
    tap = Tap(load_config(config).config.bus.risk_pub)
    try:
        ours = wait_for(lambda: tap.pump() or (tap.instances - {b""}), 15,
                        what="A's risk heartbeat (with A's instance id)")
    finally:
        tap.sock.close(0)
    other = procs.worker("tests.support.othermarket", config, label="other-riskd-market",
                         env={"RISKD_INSTANCE": OTHER, "OTHER_ACCOUNT": "4242"})

    def dropped_or_taken():
        status = risk_accounts(config)
        return (status and 4242 in status[0]) or any(
            r["message"].startswith(SAID) for r in system_lines(config))
    wait_for(dropped_or_taken, 30, interval=0.2,
             what="A's risk to take or drop the other riskd's market snapshot")
    status = risk_accounts(config)
    assert status is not None and 4242 not in status[0] and not status[1], status
    other.kill_tree()

    procs.worker("tests.support.othermarket", config, label="own-market",
                 env={"RISKD_INSTANCE": next(iter(ours)).decode(), "OTHER_ACCOUNT": "4242"})
    wait_for(lambda: (risk_accounts(config) or ([], False))[0] == [4242], 30, interval=0.2,
             what="A's risk to sync from its own riskd's market")

    said = [r for r in system_lines(config) if r["message"].startswith(SAID)]
    assert len(said) == 1, said
    assert said[0]["process"] == "risk" and said[0]["foreign_instance"] == OTHER
    assert (f"a Reply sent by market of riskd instance {OTHER} (its answer to risk's snapshot "
            f"request at {load_config(config).config.bus.market_control})") \
        in said[0]["message"], said[0]["message"]


def test_a_forwarded_request_answered_by_another_riskds_worker_is_an_error(
        procs, tmp_path, monkeypatch):
    """riskctl's requests for a worker go to the supervisor, which forwards them to the
    worker's control socket. With A's enforcement stopped (`riskctl stop enforcement`, as an
    admin does), the other riskd's enforcement (tests/support/otherenforcement.py) binds that
    socket and answers: its journal (account 4242 "cannot enforce", reason THEIRS) used to be
    relayed to riskctl as A's. Now the asker gets a 'foreign_reply' error naming the other
    riskd, and A's system.log says it once. Workers: logging (the line) and enforcement (the
    one stopped); passwords, since stopping a worker takes an admin session."""
    from tests.support.auth import config_with_passwords, login
    from shared.messages.enforce import EnforcementStatusRequest
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=["logging", "enforcement"])
    procs.riskd(config)
    procs.wait_running(config, ["logging", "enforcement"], timeout=30)
    login(procs, config, "admin")
    stop = procs.riskctl(config, "stop", "enforcement", "--yes", "--reason", "two riskds")
    assert stop.returncode == 0, stop.stdout + stop.stderr
    procs.worker("tests.support.otherenforcement", config, label="other-riskd-enforcement",
                 env={"RISKD_INSTANCE": OTHER, "OTHER_ACCOUNT": "4242"})

    def answered():
        reply = procs.control_call(config, EnforcementStatusRequest(), timeout=5)
        return reply if reply.code != "unreachable" else None    # until the stand-in binds
    reply = wait_for(answered, 20, interval=0.1, what="an answer on enforcement's port")
    assert not reply.ok and reply.code == "foreign_reply", reply
    assert f"riskd instance {OTHER}" in reply.reason and "was not read" in reply.reason, reply
    assert "4242" not in repr(reply) and "THEIRS" not in repr(reply), reply

    # riskctl history (today's actions and their outcomes) says it too, never "4242"
    shown = procs.riskctl(config, "history")
    assert "4242" not in shown.stdout + shown.stderr, shown.stdout + shown.stderr

    said = wait_for(lambda: [r for r in system_lines(config)
                             if r["message"].startswith(SAID)], 5,
                    what="the refused answer in A's system.log")
    assert len(said) == 1 and said[0]["process"] == "supervisor", said
    assert said[0]["foreign_instance"] == OTHER
    assert "(its answer to the supervisor's request to enforcement at " in said[0]["message"], \
        said[0]["message"]


def test_riskctl_logs_follow_shows_only_its_riskds_records(procs, tmp_path, monkeypatch):
    """`riskctl logs -f` reads the logging worker's PUB. With A's logging stopped (an admin's
    `riskctl stop logging`), the other riskd's logging worker (tests/support/otherlogging.py)
    binds that port and republishes its records: they used to be printed as A's. Now riskctl,
    which learns A's id from A's supervisor, leaves them out and says so once on stderr; the
    same stand-in with A's id is shown (the check, not a deaf socket)."""
    import sys
    from tests.support.auth import config_with_passwords, login
    from shared.bus.rpc import RpcClient
    from shared.messages.control import ControlRequest, WorkersRequest
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=["logging"])
    procs.riskd(config)
    procs.wait_running(config, ["logging"], timeout=30)
    login(procs, config, "admin")
    stop = procs.riskctl(config, "stop", "logging", "--yes", "--reason", "two riskds")
    assert stop.returncode == 0, stop.stdout + stop.stderr
    with RpcClient(load_config(config).config.bus.control, "riskd", timeout=5, retries=0,
                   name="test") as client:
        client.call(ControlRequest(command=WorkersRequest()))
        ours = client.answered_by.decode()
    assert ours and ours != OTHER

    tail = procs._start([sys.executable, "-m", "cli.main", "--config", config, "logs", "-f"],
                        "riskctl-logs-f", config)
    other = procs.worker("tests.support.otherlogging", config, label="other-riskd-logging",
                         env={"RISKD_INSTANCE": OTHER, "OTHER_LINE": "theirs-line"})
    said = "records from another riskd on this machine were not shown"
    wait_for(lambda: said in tail.output() or "theirs-line" in tail.output(), 20,
             interval=0.1, what="riskctl logs -f to show or leave out the other riskd's record")
    time.sleep(1.0)                         # ten more of its records, each left out
    other.kill_tree()
    out = tail.output()
    assert "theirs-line" not in out, out
    assert out.count(said) == 1, out
    assert f"(logging of riskd instance {OTHER})" in out, out

    own = procs.worker("tests.support.otherlogging", config, label="own-logging",
                       env={"RISKD_INSTANCE": ours, "OTHER_LINE": "ours-line"})
    wait_for(lambda: "ours-line" in tail.output(), 20, interval=0.1,
             what="riskctl logs -f to show its own riskd's record")
    own.kill_tree()
    tail.kill_tree()
    assert "theirs-line" not in tail.output()
