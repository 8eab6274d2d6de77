#!/usr/bin/python3
"""Known answers for PCIe IDE sealing (src/hw/ide.c, src/hw/tlp.c), computed here without
ccada's code: the TLP bytes are laid out from the PCIe 6.2 §2.2 header figures (and the IDE
prefix as src/hw/tlp.h documents it), the MAC and ciphertext by python3-cryptography's AESGCM
(OpenSSL underneath, but not through ccada's lib/aead), IV = 0x00000000 || 64-bit invocation
counter big-endian starting at the IFV 1 (facts §4), the MAC the leading 12 bytes of the tag.

usage: ide_kat.py IDE_KAT_WRITE_BINARY   runs the binary, compares every line, exit 0 if equal
       ide_kat.py --print                prints the expected lines (as committed in test_ide.c)
"""
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

STREAM_ID = 0x2A
PR, NPR, CPL = 0, 1, 2


def key(sub_stream, key_set):
    """The fixed keys ide_kat_write programs: 32 consecutive bytes from 0x20*sub_stream,
    each XOR 0xff for K1."""
    return bytes(((0x20 * sub_stream + i) ^ (0xFF if key_set else 0)) & 0xFF for i in range(32))


def prefix(t, k, sub_stream, pr_sent):
    # byte 0: Fmt 100b, Type 1_0010b; byte 1: M K T P 0 SubStream[2:0]
    return bytes([0x92, 0x80 | (0x40 if k else 0) | (0x20 if t else 0) | sub_stream, STREAM_ID, pr_sent])


def dw0(fmt_type, length_dw):
    return bytes([fmt_type, 0, (length_dw >> 8) & 3, length_dw & 0xFF])


def request(write, requester, tag, addr, nbytes):
    dws = nbytes // 4
    be = (0xF0 if dws > 1 else 0) | 0x0F
    if addr >= 1 << 32:
        ft = 0x60 if write else 0x20
        tail = addr.to_bytes(8, "big")
    else:
        ft = 0x40 if write else 0x00
        tail = addr.to_bytes(4, "big")
    return dw0(ft, dws % 1024) + requester.to_bytes(2, "big") + bytes([tag, be]) + tail


def completion_d(completer, requester, tag, lower, nbytes):
    bc = nbytes % 4096
    return (dw0(0x4A, (nbytes // 4) % 1024) + completer.to_bytes(2, "big") + bytes([bc >> 8, bc & 0xFF]) +
            requester.to_bytes(2, "big") + bytes([tag, lower]))


def seal(aad, data, sub_stream, key_set, counter):
    nonce = bytes(4) + counter.to_bytes(8, "big")
    out = AESGCM(key(sub_stream, key_set)).encrypt(nonce, data, aad)
    return aad + out[:len(data)] + out[len(data):len(data) + 12]


def vectors():
    """The TLPs ide_kat_write sends from a Secure Root Port, in this order."""
    counters = {}

    def next_counter(ss, ks):
        counters[(ss, ks)] = counters.get((ss, ks), 1)
        c = counters[(ss, ks)]
        counters[(ss, ks)] += 1
        return c

    out = []
    pr_sent = 0
    # 1. MWr T=1, 3-DW header, 16 bytes
    d = bytes(range(16))
    out.append(seal(prefix(1, 0, PR, 0) + request(True, 0x0100, 0x01, 0x80001000, 16), d, PR, 0, next_counter(PR, 0)))
    pr_sent += 1
    # 2. MWr T=1, 4-DW header (address above 4 GiB), 8 bytes
    d = bytes(range(0xA0, 0xA8))
    out.append(seal(prefix(1, 0, PR, 0) + request(True, 0x0100, 0x02, 0x1234567000, 8), d, PR, 0,
                    next_counter(PR, 0)))
    pr_sent += 1
    # 3. MRd T=1, 64 bytes asked: no payload, MAC over the header only
    out.append(seal(prefix(1, 0, NPR, pr_sent) + request(False, 0x0100, 0x03, 0x80002000, 64), b"", NPR, 0,
                    next_counter(NPR, 0)))
    # 4. CplD T=1, 12 bytes, lower address 0x40
    d = b"IDE-KAT-CPLD"
    out.append(seal(prefix(1, 0, CPL, pr_sent) + completion_d(0x0000, 0x0100, 0x07, 0x40, 12), d, CPL, 0,
                    next_counter(CPL, 0)))
    # 5. MWr T=0 on the stream (still an IDE TLP), 4 bytes
    d = bytes([0xDE, 0xAD, 0xBE, 0xEF])
    out.append(seal(prefix(0, 0, PR, 0) + request(True, 0x0100, 0x05, 0x1000, 4), d, PR, 0, next_counter(PR, 0)))
    pr_sent += 1
    # 6. after K1 PR Tx is programmed (IFV 1) and goes: MWr T=1 under K1
    d = bytes([1, 2, 3, 4])
    out.append(seal(prefix(1, 1, PR, 0) + request(True, 0x0100, 0x06, 0x2000, 4), d, PR, 1, next_counter(PR, 1)))
    return [v.hex() for v in out]


def main():
    want = vectors()
    if len(sys.argv) == 2 and sys.argv[1] == "--print":
        print("\n".join(want))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    got = subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout.split()
    if len(got) != len(want):
        sys.exit("ide_kat: %d lines from the writer, %d expected" % (len(got), len(want)))
    bad = 0
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            print("ide_kat: TLP %d differs\n  got  %s\n  want %s" % (i + 1, g, w))
            bad += 1
    if bad:
        sys.exit(1)
    print("ide_kat: %d sealed TLPs match" % len(want))


if __name__ == "__main__":
    main()
