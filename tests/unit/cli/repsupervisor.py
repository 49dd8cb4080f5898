"""A REP socket on loopback standing in for riskd's supervisor: riskctl's requests reach it
through a real ZeroMQ socket, and `answer(request)` says what riskd answers. The config file
riskctl reads names its address (and, when given, a data folder)."""
from __future__ import annotations

import contextlib
import threading

import zmq

from shared.bus.rpc import handle_request
from shared.bus.sockets import make_socket


@contextlib.contextmanager
def rep_supervisor(tmp_path, monkeypatch, answer, data_dir=None):
    """Yields the config path while a thread answers every request with answer(request)."""
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    rep = make_socket(zmq.Context.instance(), zmq.REP, bind="tcp://127.0.0.1:*")
    address = rep.getsockopt(zmq.LAST_ENDPOINT).decode()
    config = tmp_path / "riskd.toml"
    paths = f'[paths]\ndata_dir = "{data_dir}"\n' if data_dir is not None else ""
    config.write_text(f'[bus]\ncontrol = "{address}"\n{paths}')
    done = threading.Event()

    def serve():
        while not done.is_set():
            if rep.poll(50):
                rep.send(handle_request(rep.recv(), answer))
    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield str(config)
    finally:
        done.set()
        server.join(5)
        rep.close(0)
