#!/usr/bin/env python3
"""ike_init_probe.py DST [SRC]: send one IKE_SA_INIT request (AES-GCM-16-256,
PRF-HMAC-SHA2-256, Curve25519, random KE value and nonce) to DST:500 from an
ephemeral port and wait for the answer, leaving a half-open IKE SA at the
responder. Exit 0 if it answered with an SA payload (state was created),
1 otherwise. Used by interop/cases/auth.sh to push charon over its COOKIE
threshold before our initiator arrives."""
import os
import socket
import struct
import sys


def payload(next_type, body):
    return struct.pack("!BBH", next_type, 0, 4 + len(body)) + body


def transform(last, ttype, tid, attrs=b""):
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def main():
    dst = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else ""
    transforms = (
        transform(False, 1, 20, struct.pack("!HH", 0x800E, 256))  # ENCR_AES_GCM_16, 256 bits
        + transform(False, 2, 5)  # PRF_HMAC_SHA2_256
        + transform(True, 4, 31)  # Curve25519
    )
    proposal = struct.pack("!BBHBBBB", 0, 0, 8 + len(transforms), 1, 1, 0, 3) + transforms
    sa = payload(34, proposal)  # next: KE
    ke = payload(40, struct.pack("!HH", 31, 0) + os.urandom(32))  # next: Nonce
    nonce = payload(0, os.urandom(32))
    body = sa + ke + nonce
    header = os.urandom(8) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(1.0)
    for _ in range(3):
        s.sendto(header + body, (dst, 500))
        try:
            data, _ = s.recvfrom(65535)
        except socket.timeout:
            continue
        ok = len(data) > 28 and data[16] == 33 and data[8:16] != bytes(8)
        print("probe: responder answered with", "SA (half-open SA created)" if ok else "no SA")
        return 0 if ok else 1
    print("probe: no answer")
    return 1


if __name__ == "__main__":
    sys.exit(main())
