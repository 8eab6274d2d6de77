#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/hw/fuzz_smmu.c (fuzz/corpus/smmu/): operation sequences in
the harness's encoding (see its header). Run it from anywhere; it overwrites only the files it
names.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SECURE, NS, ROOT, REALM = 0, 1, 2, 3
SID_NS, SID_TDI = 0, 1          # indices into the harness's sids[]: 0x0100, 0x0208
ABORT, BYPASS, REALM_STE = 0, 1, 2
PAS_REALM = 3
READ, WRITE = 0, 1
PAGE = 4096


def ste(caller, sid, mode, owner=0, dma=False, s2=True):
    return bytes([0, caller, sid, mode | (dma << 2) | (owner << 3) | ((not s2) << 7)])


def dma_enable(caller, sid, on):
    return bytes([1, caller, sid, int(on)])


def granule(idx, pas, owner):
    return bytes([2, idx, pas, owner])


def s2_map(ipa_page, pa_page):
    return bytes([3, ipa_page, pa_page])


def dma(sid, t, acc, space, page, off, length):
    """space 'pa' (IOVA near BASE) or 'ipa' (near IPA_BASE)."""
    sel = 2 if space == 'pa' else 1
    b = int(t) | (acc << 1) | (sel << 3)
    return bytes([4, sid, b]) + struct.pack('<HH', PAGE + page * PAGE + off, length)


def drain(n):
    return bytes([5, n])


def realm_setup():
    return (granule(2, PAS_REALM, 1) + s2_map(0, 2) +
            ste(REALM, SID_TDI, REALM_STE, owner=1))


SEEDS = {
    'bypass_honest': (ste(NS, SID_NS, BYPASS) + dma(SID_NS, 0, WRITE, 'pa', 0, 0x10, 64) +
                      dma(SID_NS, 0, READ, 'pa', 0, 0x10, 64) + granule(3, PAS_REALM, 1) +
                      dma(SID_NS, 0, WRITE, 'pa', 3, 0, 16) + drain(7)),
    'realm_honest': (realm_setup() + dma(SID_TDI, 1, WRITE, 'ipa', 0, 0x20, 128) +
                     dma_enable(REALM, SID_TDI, True) +
                     dma(SID_TDI, 1, WRITE, 'ipa', 0, 0x20, 128) +
                     dma(SID_TDI, 1, READ, 'ipa', 0, 0x20, 128) +
                     dma(SID_TDI, 0, READ, 'ipa', 0, 0, 8) + drain(7)),
    'host_repoints_realm_stream': (realm_setup() + dma_enable(REALM, SID_TDI, True) +
                                   ste(NS, SID_TDI, BYPASS) + dma_enable(NS, SID_TDI, False) +
                                   ste(NS, SID_NS, REALM_STE, owner=1, dma=True) +
                                   dma(SID_TDI, 0, WRITE, 'pa', 2, 0, 32) +
                                   granule(4, PAS_REALM, 2) + s2_map(0, 4) +
                                   dma(SID_TDI, 1, WRITE, 'ipa', 0, 0, 32) + drain(7)),
    'multi_page_last_faults': (ste(NS, SID_NS, BYPASS) + granule(5, PAS_REALM, 0) +
                               dma(SID_NS, 0, WRITE, 'pa', 3, 0x100, 2 * PAGE + 0x100) +
                               granule(1, PAS_REALM, 1) + granule(2, PAS_REALM, 1) +
                               s2_map(1, 1) + s2_map(2, 2) + s2_map(3, 9) +
                               ste(ROOT, SID_TDI, REALM_STE, owner=1, dma=True) +
                               dma(SID_TDI, 1, WRITE, 'ipa', 1, 0, 3 * PAGE - 1)),
}


def main():
    d = os.path.join(HERE, 'smmu')
    os.makedirs(d, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
