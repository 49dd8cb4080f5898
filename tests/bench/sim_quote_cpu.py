"""The sim broker's CPU per quote in a storm: python -m tests.bench.sim_quote_cpu [--runs N].

Runs the sim's storm path in this process -- a Gateway (real clock), its HubServer and
the /sim/burst generator at 20,000 quotes/s over 10 contracts -- with one market-hub
subscriber in a child process taking the quotes of all 10 (a raw websocket client that
only counts records, so its CPU is not ours). Measures this process's CPU time
(time.process_time: every thread, the burst and the hub loop; the GIL switch interval
the sim worker sets) from the burst's start
to the last quote reaching the subscriber, and the burst thread's own share
(time.thread_time inside it), divided by the quotes sent.

CPU time, not wall time: a busy machine slows the storm but hardly changes the CPU
each quote costs, so runs on the shared 2-core box compare. Not part of `make bench`.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time

from services.simbroker.burst import Burst
from services.simbroker.gateway import Gateway
from services.simbroker.hubs import HubServer
from shared.clock import SystemClock
from shared.config.sections import SimConfig
from shared.worker import GIL_SWITCH_INTERVAL
from tests.support.ports import free_ports

RATE = 20_000
CONTRACTS = ("CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26", "CON.F.US.MES.Z26",
             "CON.F.US.CLE.F27", "CON.F.US.GCE.G27", "CON.F.US.M2K.Z26", "CON.F.US.YM.Z26",
             "CON.F.US.MYM.Z26", "CON.F.US.RTY.Z26")

CLIENT = r"""
import sys, threading
from websockets.sync.client import connect
url, contracts = sys.argv[1], sys.argv[2].split(",")
want = []
threading.Thread(target=lambda: want.append(int(sys.stdin.readline())), daemon=True).start()
with connect(url, max_size=2 ** 24) as ws:
    ws.send('{"protocol":"json","version":1}\x1e')
    ws.recv(timeout=5)
    ws.send("".join('{"type":1,"target":"SubscribeContractQuotes","arguments":["%s"]}\x1e' % c
                    for c in contracts))
    print("ready", flush=True)
    seen = frames = 0
    while not want or seen < want[0] + len(contracts):     # the storm plus the full quotes
        try:
            frame = ws.recv(timeout=0.05)    # read all through the storm, as market does
        except TimeoutError:
            continue
        seen += frame.count('"GatewayQuote"')
        frames += 1
    print("done", seen, frames, flush=True)
"""


def one_run(seconds: float) -> dict:
    port = free_ports(1)[0]
    gateway = Gateway(SimConfig(calendar_date="2026-12-04", tick_interval=0), "u", "k",
                      SystemClock())
    contracts = [c for c in CONTRACTS if c in gateway.market.specs]
    hubs = HubServer(gateway, "127.0.0.1", port, ping_interval=60.0, client_timeout=0)
    gateway.hub = hubs
    hubs.start()
    token = gateway.tokens.issue("u")
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT,
         f"ws://127.0.0.1:{port}/hubs/market?access_token={token}", ",".join(contracts)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 5
        while not all(hubs.wants_quotes(c) for c in contracts):
            if time.monotonic() > deadline:
                raise RuntimeError("the subscriber did not subscribe")
            time.sleep(0.01)
        time.sleep(0.2)                  # the full quotes out of the way
        burst = Burst(gateway)
        burst_cpu = [0.0]
        run = burst._run

        def timed_run():
            t = time.thread_time()
            run()
            burst_cpu[0] = time.thread_time() - t
        burst._run = timed_run
        cpu0, wall0 = time.process_time(), time.monotonic()
        burst.start(contracts, RATE, seconds, None, 0)
        burst._thread.join()
        sent = burst.status.quotes_sent
        client.stdin.write(f"{sent}\n")
        client.stdin.flush()
        done = client.stdout.readline().split()
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        assert done and done[0] == "done", done
    finally:
        client.kill()
        client.wait()
        hubs.stop()
    return {"quotes": sent, "us_per_quote": cpu / sent * 1e6,
            "burst_us": burst_cpu[0] / sent * 1e6, "rest_us": (cpu - burst_cpu[0]) / sent * 1e6,
            "achieved": sent / burst.status.elapsed, "wall": wall,
            "per_frame": int(done[1]) / max(1, int(done[2]))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.sim_quote_cpu")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)     # as the sim worker runs (Worker.threaded)
    results = []
    for i in range(args.runs):
        r = one_run(args.seconds)
        results.append(r)
        print(f"run {i + 1}: {r['quotes']} quotes at {r['achieved']:.0f}/s: "
              f"{r['us_per_quote']:.1f} us CPU per quote (burst thread {r['burst_us']:.1f}, "
              f"hub loop and the rest {r['rest_us']:.1f}; {r['per_frame']:.1f} quotes per "
              f"websocket frame)", flush=True)
    per = sorted(r["us_per_quote"] for r in results)
    print(f"median {statistics.median(per):.1f} us per quote "
          f"(min {per[0]:.1f}, max {per[-1]:.1f}); "
          f"burst thread median {statistics.median(r['burst_us'] for r in results):.1f}, "
          f"the rest {statistics.median(r['rest_us'] for r in results):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
