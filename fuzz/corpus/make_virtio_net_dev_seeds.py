#!/usr/bin/env python3
"""Writes the seed corpus of the virtio-net device fuzzer (fuzz/corpus/virtio_net_dev/).

Each input is what fuzz/host/fuzz_virtio_net_dev.c reads: a features byte, a queue-size
byte, then operations (an opcode byte and its arguments; see the harness's header). The
seeds are well-formed traffic both ways, BUSY retries, each kind of chain the device drops
or refuses, a ring violation, a reset with a receive chain held, and an unreachable hole.
Run it from the repository root; it overwrites only the files it names.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "virtio_net_dev")

RX, TX = 0, 1
INDIRECT_Q = 0x80
HDR, RX_BUF = 12, 1526


class Seed:
    def __init__(self, features=0, qsz_log2=4):
        self.b = bytes([features, qsz_log2])

    def chain(self, q, segs):
        """segs: (offset, length, writable)"""
        self.b += bytes([0, q, len(segs) - 1])
        for off, length, w in segs:
            self.b += struct.pack("<HHB", off, length, 1 if w else 0)
        return self

    def kick(self, q):
        self.b += bytes([1, q])
        return self

    def poll(self, timeout=0):
        self.b += bytes([2, timeout])
        return self

    def frame(self, length):
        self.b += bytes([3]) + struct.pack("<H", length)
        return self

    def knobs(self, busy=0, tx_fail=False, rx_fail=False, wait_fail=False, runt=False):
        self.b += bytes([4, busy | tx_fail << 2 | rx_fail << 3 | wait_fail << 4 | runt << 5])
        return self

    def patch(self, at, four):
        self.b += bytes([5]) + struct.pack("<H", at) + bytes(four)
        return self

    def reset(self, features=0):
        self.b += bytes([6, features])
        return self

    def hole(self, at, sixteens):
        self.b += bytes([7]) + struct.pack("<HB", at, sixteens)
        return self

    def raw_head(self, q, head):
        self.b += bytes([8, q]) + struct.pack("<H", head)
        return self


SEEDS = {
    "00_tx_frame": Seed().chain(TX, [(0x1000, HDR, 0), (0x1100, 60, 0)]).kick(TX),
    "01_rx_frame": Seed().frame(100).chain(RX, [(0x2000, RX_BUF, 1)]).kick(RX),
    "02_rx_held_then_poll": Seed().chain(RX, [(0x2000, HDR, 1), (0x3000, 1514, 1)]).kick(RX).frame(1514).poll(),
    "03_tx_busy_then_poll": Seed().knobs(busy=2).chain(TX, [(0x1000, HDR + 60, 0)])
    .chain(TX, [(0x1100, HDR + 80, 0)]).kick(TX).kick(TX).poll(),
    "04_tx_offload_header": Seed().patch(0x1000, [1, 0, 0, 0]).chain(TX, [(0x1000, HDR + 60, 0)]).kick(TX),
    "05_tx_writable_part": Seed().chain(TX, [(0x1000, HDR + 60, 0), (0x1200, 16, 1)]).kick(TX),
    "06_rx_small_buffer": Seed().frame(60).chain(RX, [(0x2000, RX_BUF - 1, 1)]).kick(RX).poll(),
    "07_indirect": Seed(features=1).frame(90).chain(RX | INDIRECT_Q, [(0x2000, HDR, 1), (0x2800, 1514, 1)])
    .kick(RX).chain(TX | INDIRECT_Q, [(0x1000, HDR, 0), (0x1100, 40, 0)]).kick(TX),
    "08_ring_violation": Seed().raw_head(TX, 0xFFFF).kick(TX).frame(60).poll(),
    "09_reset_with_chain_held": Seed().chain(RX, [(0x2000, RX_BUF, 1)]).kick(RX).reset().frame(70).poll()
    .chain(RX, [(0x3000, RX_BUF, 1)]).kick(RX),
    "10_unreachable_hole": Seed().hole(0x2000, 16).frame(60).chain(RX, [(0x2000, RX_BUF, 1)]).kick(RX)
    .chain(TX, [(0x1000, HDR, 0), (0x2080, 60, 0)]).kick(TX),
    "11_event_idx_and_wait": Seed(features=2).chain(RX, [(0x2000, RX_BUF, 1)]).kick(RX).poll(1).frame(200)
    .poll(1).knobs(wait_fail=True, runt=True).frame(50).poll(1),
    "12_backend_failures": Seed().knobs(tx_fail=True, rx_fail=True).chain(TX, [(0x1000, HDR + 60, 0)]).kick(TX)
    .frame(60).chain(RX, [(0x2000, RX_BUF, 1)]).kick(RX).poll(),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, seed in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(seed.b)


if __name__ == "__main__":
    main()
