#!/usr/bin/env python3
"""Writes the seed corpus of the avail-ring fuzzer (fuzz/corpus/avail_ring/).

Each input is what fuzz/host/fuzz_avail_ring.c reads: an 8-byte header (queue size, features,
the unreachable hole, pops, image length, payload seed), the guest memory image from GPA 0
(avail ring at 0x0, descriptor table at 0x100, used ring at 0x500), then 8-byte patches the
guest applies between pops. The seeds are well-formed chains (direct, indirect, with the
guest adding more between pops) and one per rule of src/host/virtqueue_dev.h a driver can
break, plus memory faults. Run it from the repository root; it overwrites only the files it
names.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "avail_ring")

AVAIL, DESC, USED = 0x0, 0x100, 0x500
NEXT, WRITE, INDIRECT = 1, 2, 4


class Guest:
    def __init__(self, qsz_log2, features=0, hole=(0, 0), pops=1, seed=0):
        self.qsz_log2, self.features, self.hole, self.pops, self.seed = qsz_log2, features, hole, pops, seed
        self.mem = bytearray(0x2000)
        self.patches = b""

    def desc(self, i, addr, length, flags=0, nxt=0, table=DESC):
        struct.pack_into("<QIHH", self.mem, table + 16 * i, addr, length, flags, nxt)
        return self

    def avail(self, idx, heads):
        struct.pack_into("<HH", self.mem, AVAIL, 0, idx)
        for slot, h in enumerate(heads):
            struct.pack_into("<H", self.mem, AVAIL + 4 + 2 * slot, h)
        return self

    def patch(self, after_pop, offset, value):
        self.patches += struct.pack("<BHIB", after_pop, offset, value, 0)
        return self

    def bytes(self):
        img = bytes(self.mem).rstrip(b"\0") or b"\0"
        hdr = bytes([self.qsz_log2, self.features, self.hole[0], self.hole[1], self.pops - 1])
        hdr += struct.pack("<H", len(img)) + bytes([self.seed])
        return hdr + img + self.patches


def chain(features=0):
    g = Guest(3, features, pops=3, seed=0x29).avail(2, [0, 3])
    g.desc(0, 0x1000, 16, NEXT, 1).desc(1, 0x1100, 64, WRITE)
    g.desc(3, 0x1200, 32)
    return g


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    seeds["00_chain"] = chain().bytes()
    seeds["01_indirect"] = (Guest(2, 1, pops=2, seed=0x51).avail(1, [0]).desc(0, 0x800, 48, INDIRECT)
                            .desc(0, 0x1000, 16, NEXT, 1, table=0x800).desc(1, 0x1010, 8, NEXT, 2, table=0x800)
                            .desc(2, 0x1100, 100, WRITE, table=0x800).bytes())
    seeds["02_event_idx_guest_adds"] = (chain(features=2).avail(1, [0]).patch(0, AVAIL + 2, 2)
                                        .patch(0, AVAIL + 6, 3).bytes())
    seeds["10_loop"] = Guest(3).avail(1, [0]).desc(0, 0x1000, 8, NEXT, 1).desc(1, 0x1000, 8, NEXT, 0).bytes()
    seeds["11_next_out_of_range"] = Guest(2).avail(1, [0]).desc(0, 0x1000, 8, NEXT, 9).bytes()
    seeds["12_head_out_of_range"] = Guest(2).avail(1, [7]).bytes()
    seeds["13_avail_idx_jump"] = Guest(2).avail(9, [0]).bytes()
    seeds["14_indirect_not_negotiated"] = Guest(2).avail(1, [0]).desc(0, 0x800, 16, INDIRECT).bytes()
    seeds["15_indirect_nested"] = (Guest(2, 1).avail(1, [0]).desc(0, 0x800, 16, INDIRECT)
                                   .desc(0, 0x900, 16, INDIRECT, table=0x800).bytes())
    seeds["16_indirect_with_next"] = Guest(2, 1).avail(1, [0]).desc(0, 0x800, 16, INDIRECT | NEXT, 1).bytes()
    seeds["17_indirect_bad_len"] = Guest(2, 1).avail(1, [0]).desc(0, 0x800, 20, INDIRECT).bytes()
    seeds["18_read_after_write"] = (Guest(2).avail(1, [0]).desc(0, 0x1000, 8, WRITE | NEXT, 1)
                                    .desc(1, 0x1100, 8).bytes())
    g = Guest(0, 1).avail(1, [0]).desc(0, 0x800, 16 * 260, INDIRECT)
    for i in range(260):
        g.desc(i, 0x1000, 1, NEXT, i + 1, table=0x800)
    seeds["19_too_many_segs"] = g.bytes()
    seeds["20_total_len"] = (Guest(2).avail(1, [0]).desc(0, 0x1000, 0xFFFFFFFF, NEXT, 1)
                             .desc(1, 0x1000, 0xFFFFFFFF).bytes())
    seeds["21_addr_wrap"] = Guest(2).avail(1, [0]).desc(0, 0xFFFFFFFFFFFFFFF0, 32).bytes()
    seeds["22_hole_over_descriptors"] = (Guest(3, hole=(DESC // 32, 1)).avail(1, [0])
                                         .desc(0, 0x1000, 8).bytes())
    seeds["23_indirect_table_unmapped"] = Guest(2, 1).avail(1, [0]).desc(0, 0x100000, 32, INDIRECT).bytes()
    seeds["24_hole_over_used_ring"] = Guest(3, 2, hole=((USED + 0x40) // 32, 1)).avail(1, [0]).desc(0, 0x1000, 8).bytes()
    seeds["25_segments_in_hole"] = (Guest(3, hole=(0x1000 // 32, 2), seed=0x08).avail(1, [0])
                                    .desc(0, 0x1000, 64, NEXT, 1).desc(1, 0x1020, 64, WRITE).bytes())
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
