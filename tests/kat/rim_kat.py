#!/usr/bin/python3
"""Independent known-answer computation of the demo Realm's RIM.

Computes the Realm Initial Measurement of `ccada demo` from first principles, using only
Python's hashlib and the layouts in DEN0137 1.0 (A7.1, B4.3.x.4, C1.11-C1.13) as written
down in ../shared/facts/rme-swiotlb-virtio.md §3.5, NOT ccada's C code. Then runs
`ccada demo --json` and checks the C implementation agrees.

The host's measured sequence (src/host/realm_build.c; the order is part of the contract):
  1. RMI_REALM_CREATE      RIM0 = H(RmiRealmParams page holding only the measured fields,
                           num_bps = num_wps = 1: two of each, encoded minus one)
  2. RMI_RTT_INIT_RIPAS    over guest RAM, one RIPAS descriptor per level-3 entry (4 KiB)
  3. RMI_DATA_CREATE       the boot image page at the RAM base, measured (flags = 1)
  4. RMI_REC_CREATE        one runnable REC, pc = x0 = RAM base

usage: rim_kat.py CCADA_BINARY   (exit 0 when both hash algorithms agree)
"""
import hashlib
import json
import struct
import subprocess
import sys

RAM_BASE = 0x80000000
RAM_SIZE = 128 << 20
IPA_BITS = 40
CONSOLE = 0x09000000
PCI_ECAM = 0x40000000
PCI_MMIO_BASE = 0x50000000
PCI_MMIO_SIZE = 0x10000000
CMDLINE = b"console=pl011,mmio,0x9000000 init=ccada-demo ccada.seed=1"


def h(alg, data):
    return hashlib.new(alg, data).digest()


def pad64(d):
    return d + bytes(64 - len(d))


def realm_params(hash_algo):
    """The measured RmiRealmParams (DEN0137 1.0 B4.3.9.4, B4.4.12): a zero page holding
    flags, s2sz, sve_vl, num_bps, num_wps, pmu_num_ctrs and hash_algo as the host gave
    them. num_bps and num_wps are counts minus one, 0 reserved: the host asks for two
    breakpoints and two watchpoints, so both bytes are 1 (the encoded value is measured)."""
    p = bytearray(4096)
    struct.pack_into("<Q", p, 0x000, 0)          # flags: no LPA2, SVE or PMU
    p[0x008] = IPA_BITS                          # s2sz
    p[0x018] = 1                                 # num_bps: 2 breakpoints, minus one
    p[0x020] = 1                                 # num_wps: 2 watchpoints, minus one
    p[0x030] = hash_algo                         # hash_algo (sve_vl, pmu_num_ctrs: 0)
    return bytes(p)


def descriptor(desc_type, rim, fields):
    d = bytearray(256)
    d[0] = desc_type
    struct.pack_into("<Q", d, 0x08, 0x100)
    d[0x10:0x50] = rim
    d[0x50:0x50 + len(fields)] = fields
    return bytes(d)


def boot_image():
    img = bytearray(4096)
    img[0:8] = b"CCADAKRN"
    struct.pack_into("<IIQQQQQQ", img, 8, 1, 4096, RAM_BASE, RAM_SIZE, CONSOLE,
                     PCI_ECAM, PCI_MMIO_BASE, PCI_MMIO_SIZE)
    img[0x40:0x40 + len(CMDLINE)] = CMDLINE
    return bytes(img)


def rim_for(alg, hash_algo):
    rim = pad64(h(alg, realm_params(hash_algo)))
    for base in range(RAM_BASE, RAM_BASE + RAM_SIZE, 4096):
        rim = pad64(h(alg, descriptor(2, rim, struct.pack("<QQ", base, base + 4096))))
    img = boot_image()
    fields = struct.pack("<QQ", RAM_BASE, 1) + pad64(h(alg, img))
    rim = pad64(h(alg, descriptor(0, rim, fields)))
    rec = bytearray(4096)
    struct.pack_into("<Q", rec, 0x000, 1)        # flags: runnable
    struct.pack_into("<Q", rec, 0x200, RAM_BASE)  # pc
    struct.pack_into("<Q", rec, 0x300, RAM_BASE)  # gprs[0]
    rim = pad64(h(alg, descriptor(1, rim, pad64(h(alg, bytes(rec))))))
    return rim[:hashlib.new(alg).digest_size].hex()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    ok = True
    for alg, code, opt in (("sha256", 0, "sha256"), ("sha512", 1, "sha512")):
        want = rim_for(alg, code)
        out = subprocess.run([sys.argv[1], "demo", "--json", "--hash", opt],
                             capture_output=True, text=True, check=False)
        got = json.loads(out.stdout)["rim"] if out.stdout else "(no output)"
        status = "ok" if got == want else "MISMATCH"
        print(f"{alg}: expected {want}\n{alg}: ccada    {got}  {status}")
        ok &= got == want
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
