#!/usr/bin/env python3
"""Writes the seed corpora of the PCIe IDE fuzzers (fuzz/corpus/tlp/, fuzz/corpus/ide_rx/)
from the known-answer TLPs of tests/hw/ide_kat.py (sealed with python3-cryptography, stream
0x2A, the keys fuzz/hw/fuzz_ide_rx.c programs) and a few clear TLPs laid out by hand. Run it
from anywhere; it overwrites only the files it names.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests', 'hw'))
import ide_kat  # noqa: E402


def put(corpus, name, data):
    d = os.path.join(HERE, corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def records(*tlps):
    return b''.join(struct.pack('>H', len(t)) + t for t in tlps)


def main():
    sealed = [bytes.fromhex(v) for v in ide_kat.vectors()]
    clear = {
        'mwr32': ide_kat.request(True, 0x0800, 1, 0x88000000, 8) + bytes(range(8)),
        'mwr64': ide_kat.request(True, 0x0800, 2, 0x1234567000, 4) + b'\xde\xad\xbe\xef',
        'mrd32': ide_kat.request(False, 0x0100, 3, 0x1000, 64),
        'cpld': ide_kat.completion_d(0x0800, 0x0100, 4, 0x40, 4) + b'done',
        'cpl_ur': bytes([0x0a, 0, 0, 0, 0x08, 0x00, 0x20, 0x04, 0x01, 0x00, 5, 0]),
        # the first of a split read's completions: 8 bytes at Lower Address 0x78, Byte Count 72
        'cpld_split': bytes([0x4a, 0, 0, 2, 0x08, 0x00, 0x00, 0x48, 0x01, 0x00, 6, 0x78]) + b'split...',
    }
    for name, t in clear.items():
        put('tlp', name, t)
    names = ['mwr_t1', 'mwr64_t1', 'mrd_t1', 'cpld_t1', 'mwr_t0', 'mwr_k1']
    for name, t in zip(names, sealed):
        put('tlp', 'ide_' + name, t)
    put('ide_rx', 'all_six_in_order', records(*sealed))
    put('ide_rx', 'first_only', records(sealed[0]))
    flipped = bytearray(sealed[0])
    flipped[20] ^= 1
    put('ide_rx', 'flipped_then_next', records(bytes(flipped), sealed[1]))
    put('ide_rx', 'replayed', records(sealed[0], sealed[0]))
    put('ide_rx', 'clear_then_sealed', records(clear['mwr32'], sealed[0], clear['cpld']))
    put('ide_rx', 'split_cpld', records(clear['cpld_split'], clear['cpld']))


if __name__ == '__main__':
    main()
