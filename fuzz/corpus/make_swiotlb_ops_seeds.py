#!/usr/bin/env python3
"""Writes the seed corpus of the SWIOTLB fuzzer (fuzz/corpus/swiotlb_ops/).

Each input is what fuzz/realm/fuzz_swiotlb_ops.c reads: 4 header bytes (pool size, areas and
growth, the device's min_align_mask, its CPU), then 8-byte records (an opcode and 7 argument
bytes). The seeds round-trip data in every direction, sync parts of mappings, fill the pool
to exhaustion, map with alignment masks, make every kind of bad request, grow the pool, use
several areas and reset the high-water mark. Run it from the repository root; it overwrites
only the files it names.
"""
import os
import random
import struct

OUT = os.path.join(os.path.dirname(__file__), "swiotlb_ops")

MAP, MAP_API, UNMAP, SYNC_CPU, SYNC_DEV, DEV_WRITE, CPU_WRITE, RESET_HW, UNMAP_SIMPLE = range(9)
BIDI, TO_DEV, FROM_DEV, NONE = range(4)
SKIP, WARN = 4, 8
SMALL, MEDIUM, LARGE, EDGE = range(4)


def rec(op, *args):
    b = bytes([op]) + bytes(args)
    return b + bytes(8 - len(b))


def map_(offset, size_class, size, direction, flags=0, align=0, cpu=0, api=False):
    """offset and size are the harness's raw 16-bit values (it scales them)."""
    return rec(MAP_API if api else MAP, offset & 0xFF, offset >> 8, direction | flags | size_class << 4,
               size & 0xFF, size >> 8, align, cpu)


def unmap(which, variant=0, flags=0, other_dir=None):
    a2 = flags | (0x80 | other_dir if other_dir is not None else 0)
    return rec(UNMAP, which, variant, a2, 0)


def sync(for_cpu, which, off, n, direction, scale16=False):
    return rec(SYNC_CPU if for_cpu else SYNC_DEV, which, off & 0xFF, off >> 8, n & 0xFF, n >> 8,
               direction | (0x10 if scale16 else 0))


def dev_write(which, off, n, value):
    return rec(DEV_WRITE, which, off & 0xFF, off >> 8, n & 0xFF, n >> 8, value)


def cpu_write(off, n, value):
    return rec(CPU_WRITE, *struct.pack("<IH", off, n), value)


def seed(header, *records):
    return bytes(header) + b"".join(records)


def main():
    os.makedirs(OUT, exist_ok=True)
    s = {}
    s["00_round_trip"] = seed([0, 0, 0, 0],
                              map_(10, SMALL, 999, TO_DEV), dev_write(0, 0, 100, 0x11), sync(True, 0, 0, 999, TO_DEV),
                              unmap(0),
                              map_(20, SMALL, 1999, FROM_DEV), dev_write(0, 5, 1000, 0x22), unmap(0),
                              map_(30, MEDIUM, 5000, BIDI), cpu_write(150, 64, 0x33), sync(False, 0, 0, 5001, BIDI),
                              dev_write(0, 10, 20, 0x44), sync(True, 0, 0, 5001, BIDI), unmap(0, flags=SKIP),
                              map_(40, SMALL, 100, BIDI, api=True), dev_write(0, 0, 50, 0x55), unmap(0, flags=WARN))
    s["01_partial_syncs"] = seed([1, 0, 0, 0],
                                 map_(0, MEDIUM, 0xFFFF, BIDI), dev_write(0, 1000, 500, 0x66),
                                 sync(True, 0, 900, 300, BIDI), sync(True, 0, 60000, 0xFFFF, FROM_DEV, True),
                                 cpu_write(2000, 100, 0x77), sync(False, 0, 1990, 50, TO_DEV),
                                 sync(False, 0, 3000, 10, FROM_DEV), unmap(0))
    s["02_fill_pool"] = seed([0, 0, 0, 0], *[map_(i, EDGE, 1, TO_DEV) for i in range(3)],
                             unmap(0), map_(7, EDGE, 1, FROM_DEV), map_(8, SMALL, 10, TO_DEV), unmap(1), unmap(0))
    s["03_alignments"] = seed([2, 0, 3, 0],
                              map_(1, SMALL, 700, BIDI), map_(3, MEDIUM, 9000, TO_DEV, align=3),
                              map_(5, SMALL, 100, FROM_DEV, align=4), map_(7, LARGE, 9999, BIDI, align=5),
                              dev_write(1, 3, 40, 0x88), unmap(1), unmap(0), unmap(0), unmap(0))
    s["04_bad_requests"] = seed([0, 0, 0, 0],
                                map_(0, EDGE, 0, TO_DEV), map_(0, SMALL, 10, NONE), map_(0, SMALL, 10, TO_DEV, align=6),
                                map_(0, SMALL, 10, TO_DEV, align=7), map_(0, EDGE, 3, TO_DEV),
                                map_(9, SMALL, 300, FROM_DEV), unmap(0, variant=5), unmap(0, variant=6),
                                unmap(0, other_dir=NONE), sync(True, 0, 0, 10, NONE), unmap(0), unmap(0, variant=7),
                                map_(9, SMALL, 300, FROM_DEV), unmap(0, variant=7))
    s["05_grow"] = seed([0, 4, 0, 0], *[map_(i * 3, EDGE, 1, BIDI) for i in range(4)],
                        *[unmap(0) for _ in range(4)])
    s["06_areas"] = seed([3, 2, 4, 3], *[map_(i * 11, LARGE, 3000 + i, TO_DEV, cpu=i) for i in range(6)],
                         unmap(2), unmap(0), map_(1, SMALL, 1, FROM_DEV, cpu=7))
    s["07_hiwater"] = seed([0, 1, 5, 1], map_(0, MEDIUM, 4096, TO_DEV), map_(1, MEDIUM, 8192, TO_DEV), unmap(0),
                           rec(RESET_HW), map_(2, SMALL, 1, TO_DEV), rec(UNMAP_SIMPLE, 0), unmap(0))
    rnd = random.Random(2026)
    for i in range(3):
        s["%02d_random" % (10 + i)] = bytes(rnd.randrange(256) for _ in range(4 + 8 * 48))
    for name, data in s.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
