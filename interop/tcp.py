#!/usr/bin/env python3
"""tcp.py: one TCP transfer through a tunnel, checked end to end.

  tcp.py serve ADDR PORT        accept one connection, read to EOF, answer
                                with the byte count and SHA-256 of what came
  tcp.py send ADDR PORT BYTES [SRC]
                                connect (from SRC if given), send BYTES random
                                octets, half-close, check the answer; prints
                                bytes, time, rate
Exits non-zero on a short transfer, a digest mismatch or a timeout (10 s).
"""
import hashlib
import os
import socket
import sys
import time


def serve(addr, port):
    with socket.create_server((addr, port)) as srv:
        srv.settimeout(10)
        print('listening', flush=True)
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(10)
            h, n = hashlib.sha256(), 0
            while True:
                b = conn.recv(65536)
                if not b:
                    break
                h.update(b)
                n += len(b)
            conn.sendall(('%d %s\n' % (n, h.hexdigest())).encode())


def send(addr, port, size, src=None):
    data = os.urandom(size)
    t0 = time.monotonic()
    bind = (src, 0) if src else None
    with socket.create_connection((addr, port), timeout=10, source_address=bind) as c:
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        answer = b''
        while not answer.endswith(b'\n'):
            b = c.recv(256)
            if not b:
                break
            answer += b
    dt = time.monotonic() - t0
    want = '%d %s' % (size, hashlib.sha256(data).hexdigest())
    if answer.decode().strip() != want:
        sys.exit('tcp.py: sent %s, the far end got %r' % (want, answer))
    print('%d bytes in %.3f s (%.1f Mbit/s), digest matches' % (size, dt, size * 8 / dt / 1e6))


if __name__ == '__main__':
    if sys.argv[1:2] == ['serve']:
        serve(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ['send']:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:6])
    else:
        sys.exit(__doc__)
