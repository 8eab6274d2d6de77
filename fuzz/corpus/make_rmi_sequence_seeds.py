#!/usr/bin/env python3
"""Writes the seed corpus of the RMI-sequence fuzzer (fuzz/corpus/rmi_sequence/).

Each input is the sequence of 32-byte records fuzz/rmm/fuzz_rmi_sequence.c reads: the
command (an index into its rmi_fids[]), a mutation byte, then five arguments of a kind byte
and a 40-bit little-endian value. The seeds are an honest Realm life cycle (build, run two
RECs through their exits, tear down, give every granule back), the same with every
prepared page mutated once, two Realms that try each other's granules and VMID, and a few
random sequences from a fixed seed. Run it from the repository root; it overwrites only the
files it names.
"""
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "rmi_sequence")

FIDS = ["DELEGATE", "UNDELEGATE", "REALM_CREATE", "REALM_ACTIVATE", "REALM_DESTROY",
        "REC_CREATE", "REC_DESTROY", "REC_ENTER", "RTT_CREATE", "RTT_DESTROY",
        "RTT_INIT_RIPAS", "RTT_SET_RIPAS", "RTT_MAP_UNPROTECTED", "RTT_UNMAP_UNPROTECTED",
        "RTT_READ_ENTRY", "DATA_CREATE", "DATA_CREATE_UNKNOWN", "DATA_DESTROY",
        "PSCI_COMPLETE", "REC_AUX_COUNT", "VERSION", "FEATURES", "RTT_FOLD"]

# Argument kinds (fuzz_rmi_sequence.c, arg()).
GRAN, RD, REC, DELEGATED, IPA, SMALL, NS_PAGE, RAW = range(8)


def a(kind, v=0):
    return (kind, v)


def gran(i):
    return a(GRAN, i)


def page_ipa(n):    # a protected page of the first 256 KiB
    return a(IPA, n << 2)


def unprot_ipa(n):  # an unprotected page
    return a(IPA, n << 2 | 3)


def small(n):
    return a(SMALL, n)


def ns_page(pick, contents):
    return a(NS_PAGE, contents << 8 | pick)


def rec(cmd, *args, mutate=0):
    out = bytearray([FIDS.index(cmd), mutate])
    args = list(args) + [a(GRAN, 0)] * (5 - len(args))
    for kind, v in args:
        out += bytes([kind]) + (v & (2**40 - 1)).to_bytes(5, "little")
    assert len(out) == 32
    return bytes(out)


def realm_params(vmid, base_from):
    """RmiRealmParams contents: s2sz 32, level 1 (one starting table) from base_from."""
    return 0 | 1 << 3 | base_from << 5 | vmid << 11


def tape(*ops):
    """A Realm script: (opcode, 16-bit argument) triplets, 18 bytes as X3..X5."""
    b = bytearray()
    for op, v in ops:
        b += bytes([op, v & 0xFF, v >> 8])
    b += bytes(18 - len(b))
    return [(b[i], int.from_bytes(b[i + 1:i + 6], "little")) for i in range(0, 18, 6)]


def enter(which, *ops):
    return rec("REC_ENTER", a(REC, which), ns_page(3, 1), *tape(*ops))


def life_cycle(mutate=0):
    s = [rec("DELEGATE", gran(i)) for i in range(10)]
    s += [rec("REALM_CREATE", gran(0), ns_page(0, realm_params(1, 1)), mutate=mutate),
          rec("RTT_CREATE", a(RD), gran(2), page_ipa(0), small(2)),
          rec("RTT_CREATE", a(RD), gran(3), page_ipa(0), small(3)),
          rec("RTT_CREATE", a(RD), gran(8), unprot_ipa(0), small(2)),
          rec("RTT_CREATE", a(RD), gran(9), unprot_ipa(0), small(3)),
          rec("RTT_INIT_RIPAS", a(RD), page_ipa(0), page_ipa(16)),
          rec("DATA_CREATE", a(RD), gran(4), page_ipa(0), ns_page(1, 0x41), small(1)),
          rec("DATA_CREATE_UNKNOWN", a(RD), gran(5), page_ipa(1)),
          rec("REC_CREATE", a(RD), gran(6), ns_page(2, 1), mutate=mutate),
          rec("REC_CREATE", a(RD), gran(7), ns_page(2, 8)),       # not runnable
          rec("REC_AUX_COUNT", a(RD)),
          rec("REALM_ACTIVATE", a(RD)),
          # what an active Realm refuses: activation again, new RECs, measured DATA, RIPAS init
          rec("DELEGATE", gran(10)),
          rec("REALM_ACTIVATE", a(RD)),
          rec("REC_CREATE", a(RD), gran(10), ns_page(2, 1)),
          rec("DATA_CREATE", a(RD), gran(10), page_ipa(6), ns_page(1, 0x42), small(0)),
          rec("RTT_INIT_RIPAS", a(RD), page_ipa(16), page_ipa(17)),
          rec("RTT_MAP_UNPROTECTED", a(RD), unprot_ipa(5), small(3), gran(20)),
          # loads, stores, MMIO, config, a host call, RIPAS queries
          enter(0, (0, 0), (1, 1), (2, 6), (5, 1), (6, 0), (9, 0)),
          enter(0, (2, 5), (3, 7)),
          enter(0, (4, 2)),                                      # RIPAS 2..3 -> EMPTY
          rec("RTT_SET_RIPAS", a(RD), a(REC, 0), page_ipa(2), page_ipa(3)),
          enter(0, (7, 1 << 9), (8, 5)),                          # CPU_ON mpidr 1
          rec("PSCI_COMPLETE", a(REC, 0), a(REC, 1), small(0)),
          enter(0, (10, 0x0102), (11, 0x0041)),
          enter(1, (0, 1), (2, 9)),
          rec("RTT_READ_ENTRY", a(RD), page_ipa(0), small(3)),
          rec("RTT_UNMAP_UNPROTECTED", a(RD), unprot_ipa(5), small(3)),
          rec("FEATURES", small(0)),
          rec("DATA_DESTROY", a(RD), page_ipa(0)),
          rec("DATA_DESTROY", a(RD), page_ipa(1)),
          rec("REC_DESTROY", a(REC, 0)),
          rec("REC_DESTROY", a(REC, 0)),
          rec("RTT_DESTROY", a(RD), page_ipa(0), small(3)),
          rec("RTT_DESTROY", a(RD), page_ipa(0), small(2)),
          rec("RTT_DESTROY", a(RD), unprot_ipa(0), small(3)),
          rec("RTT_DESTROY", a(RD), unprot_ipa(0), small(2)),
          rec("REALM_DESTROY", a(RD))]
    s += [rec("UNDELEGATE", a(DELEGATED, 0)) for _ in range(11)]
    return b"".join(s)


def two_realms():
    s = [rec("DELEGATE", gran(i)) for i in range(12)]
    s += [rec("REALM_CREATE", gran(0), ns_page(0, realm_params(1, 1))),
          rec("REALM_CREATE", gran(2), ns_page(0, realm_params(1, 3))),   # VMID in use
          rec("REALM_CREATE", gran(2), ns_page(0, realm_params(2, 3))),
          rec("RTT_CREATE", a(RD, 0), gran(4), page_ipa(0), small(2)),
          rec("RTT_CREATE", a(RD, 1), gran(4), page_ipa(0), small(2)),    # B takes A's table
          rec("RTT_CREATE", a(RD, 1), gran(5), page_ipa(0), small(2)),
          rec("RTT_CREATE", a(RD, 0), gran(6), page_ipa(0), small(3)),
          rec("RTT_INIT_RIPAS", a(RD, 0), page_ipa(0), page_ipa(8)),
          rec("DATA_CREATE_UNKNOWN", a(RD, 0), gran(7), page_ipa(0)),
          rec("DATA_CREATE_UNKNOWN", a(RD, 1), gran(7), page_ipa(0)),     # A's DATA
          rec("REC_CREATE", a(RD, 1), gran(8), ns_page(1, 1)),
          rec("RTT_SET_RIPAS", a(RD, 0), a(REC, 0), page_ipa(0), page_ipa(1)),
          rec("DATA_DESTROY", a(RD, 1), page_ipa(0)),
          rec("REALM_DESTROY", a(RD, 0)),                                   # still live
          rec("UNDELEGATE", gran(7)),
          rec("UNDELEGATE", gran(0))]
    return b"".join(s)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {"00_life_cycle": life_cycle(), "01_two_realms": two_realms()}
    for m in range(1, 8):
        seeds["%02d_mutated_%d" % (1 + m, m)] = life_cycle(m)
    # mutation 7 with bit 3: num_bps one above RMI_FEATURES; with bit 4 too: the reserved 0
    seeds["09_mutated_15"] = life_cycle(15)
    seeds["13_mutated_31"] = life_cycle(31)
    rnd = random.Random(2026)
    for i in range(3):
        seeds["%02d_random" % (10 + i)] = bytes(rnd.randrange(256) for _ in range(32 * 24))
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
