#!/usr/bin/env python3
"""Writes the seed corpus of the used-ring fuzzer (fuzz/corpus/vq_used_ring/).

Each input is what fuzz/realm/fuzz_vq_used_ring.c reads: the queue size selector, the
feature byte (bit 0 INDIRECT_DESC, bit 1 EVENT_IDX), then 8-byte records (an opcode and 7
argument bytes). The seeds are honest conversations with and without the features, and
one per forgery of tests/virtio/test_virtqueue_hostile_device.c (id out of range, a huge
id, a chain member's id, a free descriptor's id, a duplicate, a length beyond what was
posted, used.idx jumping and going backwards, more completions than requests, the used
ring or the avail ring pulled away). Run it from the repository root; it overwrites only
the files it names.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "vq_used_ring")

ADD, GET, KICK, ENABLE, DISABLE, DETACH, COMPLETE, ELEM, IDX, SCRIBBLE, REVOKE = range(11)
NONE, DESC, AVAIL, USED, IND = range(5)


def op(code, *args):
    b = bytes([code]) + bytes(args)
    return b + bytes(8 - len(b))


def add(n_out, n_in, seed=0x11):
    return op(ADD, n_out | n_in << 2, seed, seed + 1, seed + 2, seed + 3, seed + 4, seed + 5)


def elem(slot, id_, length):
    """A forged used element: small id and len (len = 3 * byte)."""
    return op(ELEM, slot, 0, id_, length)


def elem_len(slot, id_, length):
    """A forged used element: small id, any 32-bit len."""
    return op(ELEM, slot, 2, id_, *length.to_bytes(4, "little"))


def used_idx(v):
    return op(IDX, 1, v & 0xFF, v >> 8)


def header(qsz_log2, features):
    return bytes([qsz_log2, features])


def honest(qsz_log2, features):
    s = [add(1, 1), add(1, 1, 0x22), add(2, 1), add(1, 0), op(KICK)]
    s += [op(COMPLETE, 0, 0x40), op(GET), op(COMPLETE, 1, 0x10), op(COMPLETE, 0, 0), op(GET), op(GET)]
    s += [op(DISABLE), op(COMPLETE, 0, 5), op(GET), op(COMPLETE, 0, 1), op(ENABLE), op(GET), op(GET), add(3, 3),
          op(KICK), op(DETACH)]
    return header(qsz_log2, features) + b"".join(s)


def hostile(lines):
    """Two requests in flight ({out, in} each: heads 0 and 2 of a queue of 8), then lines."""
    return header(3, 0) + b"".join([add(1, 1), add(1, 1, 0x22)] + lines)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "00_honest": honest(3, 0),
        "01_honest_indirect": honest(4, 1),
        "02_honest_event_idx": honest(2, 2),
        "03_honest_both": honest(4, 3),
        "10_id_out_of_range": hostile([elem(0, 9, 0), used_idx(1), op(GET), op(GET)]),
        "11_huge_id": hostile([op(ELEM, 0, 1, 0, 0, 1, 0, 0), used_idx(1), op(GET)]),
        "12_chain_member_id": hostile([elem(0, 1, 0), used_idx(1), op(GET)]),
        "13_free_descriptor_id": hostile([elem(0, 6, 0), used_idx(1), op(GET)]),
        "14_duplicate": hostile([elem(0, 0, 1), used_idx(1), op(GET), elem(1, 0, 1), used_idx(2), op(GET)]),
        "15_len_too_large": hostile([elem_len(0, 2, 305), used_idx(1), op(GET)]),
        "16_idx_jump": hostile([elem(0, 0, 0), used_idx(9), op(GET)]),
        "17_idx_backwards": hostile([elem(0, 0, 0), used_idx(1), op(GET), used_idx(0), op(GET)]),
        "18_overrun": hostile([elem(0, 0, 0), elem(1, 2, 0), elem(2, 0, 0), used_idx(3), op(GET), op(GET)]),
        "19_used_revoked": hostile([op(REVOKE, USED), op(GET), op(KICK)]),
        "20_avail_revoked_add": hostile([op(REVOKE, AVAIL), add(1, 1, 0x33), op(REVOKE, NONE), op(GET)]),
        "21_scribbled_rings": hostile([op(SCRIBBLE, DESC, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF),
                                       op(SCRIBBLE, AVAIL, 2, 0, 0x07, 0, 0, 0), op(COMPLETE, 0, 0), op(GET),
                                       add(1, 0, 0x44), op(KICK)]),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
