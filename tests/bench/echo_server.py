"""A bare ZeroMQ REP echo server: the floor for the control round trip (no decode, no logic)."""
import sys

import zmq

if __name__ == "__main__":
    ctx = zmq.Context()
    sock = ctx.socket(zmq.REP)
    sock.bind(sys.argv[1])
    while True:
        sock.send(sock.recv())
