#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/device/fuzz_blk_engine.c (fuzz/corpus/blk_engine/):
item sequences in the harness's encoding (see its header). Run it from anywhere; it
overwrites only the files it names.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'blk_engine')
WIN = 0x10000
RING = WIN            # page 0 of the window
BUF = WIN + 0x4000    # page 4
READ, WRITE, FLUSH = 1, 2, 3
BASE_LO, ENTRIES, DOORBELL, CONTROL = 0x10, 0x18, 0x1C, 0x2C


def mmio(off, value, size8=False):
    return bytes([0, off // 4, int(size8)]) + struct.pack('<Q', value)


def mem(addr, data):
    out = b''
    while data:
        chunk, data = data[:255], data[255:]
        out += bytes([2]) + struct.pack('<H', (addr - WIN) // 4) + bytes([len(chunk)]) + chunk
        addr += len(chunk)
    return out


def desc(slot, op, length, sector, buf, r8=0):
    d = struct.pack('<BBHIQQII', op, r8, 0, length, sector, buf, 0xC00C1E00 + slot, 0)
    return mem(RING + 32 * slot, d)


def faults(first, last):
    return bytes([3, first, last])


def rewrite(off, byte):
    return bytes([4, off, byte])


def enable(entries):
    return mmio(BASE_LO, RING, True) + mmio(ENTRIES, entries) + mmio(CONTROL, 1)


SEEDS = {
    'round_trip': mem(BUF, bytes(range(256)) * 2) + enable(4) + desc(0, WRITE, 512, 3, BUF) +
    desc(1, FLUSH, 0, 0, 0) + desc(2, READ, 512, 3, BUF + 0x1000) + mmio(DOORBELL, 3),
    'refusals': enable(8) + desc(0, 0, 512, 0, BUF) + desc(1, WRITE, 100, 0, BUF) +
    desc(2, READ, 512, 1 << 40, BUF) + desc(3, READ, 512, 0, BUF + 2) + desc(4, WRITE, 512, 0, BUF, r8=1) +
    mmio(DOORBELL, 5),
    'faults_mid_ring': enable(4) + faults(5, 5) + desc(0, WRITE, 1024, 0, BUF + 0xE00) +
    desc(1, READ, 1024, 0, BUF + 0xE00) + desc(2, READ, 512, 0, BUF) + mmio(DOORBELL, 3),
    'ring_fault': enable(2) + faults(0, 0) + mmio(DOORBELL, 1),
    'bad_doorbell_then_reset': enable(2) + mmio(DOORBELL, 9) + mmio(CONTROL, 2) + enable(2) +
    desc(0, FLUSH, 0, 0, 0) + mmio(DOORBELL, 1),
    'rewritten_descriptor': enable(4) + rewrite(0, READ) + desc(0, WRITE, 512, 0, BUF) +
    desc(1, WRITE, 512, 1, BUF) + mmio(DOORBELL, 2),
    'bad_ring': mmio(BASE_LO, RING + 8, True) + mmio(ENTRIES, 3) + mmio(CONTROL, 1) +
    bytes([1, 0x24, 4, 1, 0x28, 4]),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
