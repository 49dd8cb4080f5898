"""Bad input and security across the whole running system (riskd, every worker, the sim broker).

- every socket riskd's processes listen on is on loopback;
- garbage on every socket that takes input (control sockets, the log intake) gets an error
  reply or is dropped and counted, and no process dies;
- after a session with trades, a breach, a failed and a good login, no secret of the config
  appears in any log file, process output, status reply or alert.
"""
from __future__ import annotations

import json
import os
import random
import time

import pytest
import zmq

from shared import codec
from shared.config import load_config
from shared.messages.control import StatusRequest
from shared.messages.system import Ping, Reply
from tests.e2e.harness import SimDesk
from tests.support.auth import ADMIN_PW, config_with_passwords, login
from tests.support.env import wait_for
from tests.support.ports import free_ports
from tests.support.procs import Procs

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

ALL = ["simbroker", "logging", "notify", "market", "risk", "enforcement"]
BOT_TOKEN = "123456789:AAFakeBotTokenForTestsOnly_abcdefghij"
WEBHOOK = "https://discord.com/api/webhooks/1234/SecretWebhookPathForTests"
API_KEY = "sim-key-Zq9Xw2Lk7Pm4"


def _listening_ports_of(pids: set[int]) -> list[tuple[str, int]]:
    """(local address, port) of every LISTEN TCP socket owned by these processes (Linux /proc)."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = open(table, encoding="ascii").read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state, inode = parts[1], parts[3], parts[9]
            if state != "0A" or inode not in inodes:     # 0A = LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            if v6:
                addr = "::1" if addr_hex == "0" * 24 + "01000000" else addr_hex
            else:
                addr = ".".join(str(int(addr_hex[i:i + 2], 16)) for i in (6, 4, 2, 0))
            found.append((addr, int(port_hex, 16)))
    return found


@pytest.fixture(scope="module")
def hardened(tmp_path_factory):
    """One riskd with every worker for this module's three tests, not one each (~2.5 s of CPU
    and a whole start-up per riskd, testtime22): the loopback check only reads; the garbage
    test leaves every process as it found it (it checks that: same pids, all answering); the
    secrets test then reads every log of the run, the garbage's error replies and log lines
    included. Its folder: the riskd's data, logs and the sessions folder."""
    tmp = tmp_path_factory.mktemp("hardening")
    started = Procs(tmp, riskctl_in_process=True)   # as the marker (pytestmark) asks
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RISKD_SESSION_DIR", str(tmp / "sessions"))
        mp.setenv("RISKD_TEST_API_KEY", API_KEY)
        dead = free_ports(1)[0]   # nothing listens here: alerts fail and are retried, not leaked
        try:
            config = config_with_passwords(
                tmp, workers=ALL,
                broker={"api_key": "${RISKD_TEST_API_KEY}"},
                notify={"telegram": {"bot_token": BOT_TOKEN, "chat_ids": ["42"],
                                     "api_base": f"http://127.0.0.1:{dead}"},
                        "discord": {"webhook_url": WEBHOOK}})
            started.riskd(config)
            started.wait_running(config, ALL, timeout=30)
            yield started, config, tmp
        finally:
            started.end()


@pytest.fixture
def procs(hardened):
    """The module's riskd's Procs (hardened), in place of a new one per test."""
    return hardened[0]


@pytest.fixture
def system(hardened):
    return hardened[1]


def test_every_listening_socket_is_on_loopback(procs, system):
    pids = {w.pid for w in procs.workers(system).values()} | {procs.started[0].pid}
    listening = _listening_ports_of(pids)
    bus = load_config(system).config.bus
    assert len(listening) >= len(bus.address_keys()) - 2      # the sim's ports come on top
    assert all(addr in ("127.0.0.1", "::1") for addr, _port in listening), listening


def test_garbage_on_every_input_socket_leaves_every_process_running(procs, system):
    bus = load_config(system).config.bus
    before = {n: w.pid for n, w in procs.workers(system).items()}
    ctx = zmq.Context.instance()
    rng = random.Random(3)
    valid = codec.encode(Ping())
    junk = [b"", b"\xc1", valid[:7], valid[:-1], bytes(rng.randrange(256) for _ in range(300)),
            codec.encode(Ping()).replace(b"Ping", b"Pang"), b"\x00" * (9 * 1024 * 1024)]
    controls = [bus.control] + [bus.control_of(n) for n in ALL]
    # every frame to every address at once, then one 5 s deadline for all the answers: an
    # oversized frame gets none (the socket drops it), and waiting 3 s for each of those one
    # after the other was 3 s per process of nothing happening
    sent = []
    for address in controls:
        for frame in junk:
            sock = ctx.socket(zmq.REQ)
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(address)
            sock.send(frame)
            sent.append((address, frame, sock))
    deadline = time.monotonic() + 5.0
    for address, frame, sock in sent:
        if sock.poll(max(0, int((deadline - time.monotonic()) * 1000))):
            reply = codec.decode(sock.recv()).msg
            assert isinstance(reply, Reply) and reply.status == "error", (address, reply)
        else:                        # an oversized frame is dropped by the socket itself
            assert len(frame) > codec.MAX_FRAME_BYTES, f"{address} did not answer {frame[:16]!r}"
        sock.close(0)
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.connect(bus.logging_in)
    for frame in junk[:-1]:
        push.send(frame)
    push.send_multipart([b"a", b"b", b"c"])
    push.close(0)
    for name in ALL:      # every worker still answers, with the same pid
        with ctx.socket(zmq.REQ) as sock:
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(bus.control_of(name))
            sock.send(codec.encode(Ping()))
            assert sock.poll(3000), f"{name} stopped answering"
            assert codec.decode(sock.recv()).msg.body.pid == before[name]
    assert {n: w.pid for n, w in procs.workers(system).items()} == before


def test_no_secret_reaches_a_log_a_reply_or_an_alert(procs, system, hardened):
    tmp_path = hardened[2]
    desk = SimDesk(system)
    desk.sim("/sim/quote", {"contractId": "CON.F.US.MNQ.Z26", "lastPrice": 21000})
    desk.buy(1002, "CON.F.US.MNQ.Z26", 7)           # over the limit of 5: a breach, a reduce
    wait_for(lambda: desk.positions(1002).get("CON.F.US.MNQ.Z26", 0) == 5, 15,
             what="the over-limit position reduced")
    bad = procs.riskctl(system, "login", "--role", "admin", "--password-stdin", input="nope\n")
    assert bad.returncode == 3
    login(procs, system, "admin")
    session_file = next((tmp_path / "sessions").iterdir())
    session_token = json.loads(session_file.read_text())["token"]
    outputs = [procs.riskctl(system, *args).stdout for args in
               (["status", "--json"], ["workers", "--json"], ["config", "show", "--json"],
                ["config", "show"], ["positions", "--json"], ["lockouts", "--json"])]
    outputs.append(repr(procs.control_call(system, StatusRequest())))
    loaded = load_config(system)
    secrets = {"api key": API_KEY, "bot token": BOT_TOKEN, "bot token secret": BOT_TOKEN[10:],
               "webhook": WEBHOOK, "admin hash": loaded.config.admin.password_hash,
               "ops hash": loaded.config.ops.password_hash, "admin password": ADMIN_PW,
               "session token": session_token}
    texts = {f"riskctl output {i}": out for i, out in enumerate(outputs)}
    wait_for(lambda: os.path.exists(os.path.join(loaded.log_dir, "audit.log")), 10,
             what="the audit log")
    for folder in (loaded.log_dir, str(tmp_path)):
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith((".log", ".jsonl")) or "log" in name:
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as fh:
                        texts[os.path.join(root, name)] = fh.read()
    leaks = [(what, where) for where, text in texts.items()
             for what, secret in secrets.items() if secret and secret in text]
    assert leaks == []
    assert any("login" in t and "wrong" in t for t in texts.values())   # the failure was logged
