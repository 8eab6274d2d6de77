#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/rmm/fuzz_rmi_dev_mem.c (fuzz/corpus/rmi_dev_mem/).

Moves: 0 DEV_MAP (6 arguments), 1 DEV_UNMAP (3), 2 DEV_VALIDATE (4), 3 the Realm's
RSI_VDEV_VALIDATE_MAPPING (8 arguments, then per validation exit: a count n, per call an
"honest" byte and, if not honest, a base argument, then a top argument; then a byte: bit 0
reject, bit 1 a map (next byte odd) or unmap move before re-entry), 4 a register access (how
byte: bit 0 write, bits 2:1 size; an IPA argument), 5 a bulk load (IPA), 6 a VDEV command
(0 LOCK, 1 REPORT, 2 START, 3 UNLOCK, 4 DESTROY), 7 RSI_IPA_STATE_SET (base, top, ripas byte,
then a top argument for the host's SET_RIPAS if it exits). An argument byte below 0xF0 indexes
the harness's table:
0 VID, 1 0, 2 1, 3 2, 4 3, 5 SINGLE, 6 IPA_DEV, 7 +1 page, 8 +2 pages, 9 +4 pages, 10 IPA_DEV+0x10,
11 0x1000, 12 0x8000, 13 0x200000, 14 1<<39, 15 (1<<39)+IPA_DEV, 16 WIN, 17 WIN+1 page,
18 WIN+2 pages, 19 WIN+0x4000, 20 WIN's last page, 21 WIN's end, 22 WIN+0x20, 23 a DATA PA,
24 rd, 25 vdev, 26 rec, 27 pdev, 28 2 MiB - 1 page, 29 2 MiB, 30 UINT64_MAX - 1 page + 1, 31 4.
Run it from the repository root.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "rmi_dev_mem")

RD, VDEV, REC = 24, 25, 26
IPA, IPA1, IPA2, IPA4 = 6, 7, 8, 9
WIN, WIN1, WIN2 = 16, 17, 18


def dev_map(base=IPA, top=IPA4, oaddr=WIN, flags=5, rd=RD, vdev=VDEV):
    return bytes([0, rd, vdev, base, top, flags, oaddr])


def dev_unmap(base=IPA, top=IPA4, rd=RD):
    return bytes([1, rd, base, top])


def validate(base=IPA, top=IPA4, pa=WIN, answer=b"\x01\x01\x09\x00", lock=2, meas=1, report=2, flags=1):
    return bytes([3, 0, base, top, pa, flags, lock, meas, report]) + answer


def access(ipa=IPA, how=4):
    return bytes([4, how, ipa])


def load(ipa=IPA):
    return bytes([5, ipa])


def cmd(which):
    return bytes([6, which])


def state_set(base=IPA, top=IPA2, ripas=1, host_top=IPA2):
    return bytes([7, base, top, ripas, host_top])


SEEDS = {
    "honest": dev_map() + access() + validate() + access() + access(IPA1, 7) + load() + dev_unmap() + access(),
    "partial_reject": dev_map() + validate(answer=b"\x01\x01\x07\x01") + access(IPA1) + access(IPA),
    "wrong_pa": dev_map() + validate(pa=WIN1, answer=b"\x02\x01\x09\x01\x09\x01") + access(),
    "stale_nonce": dev_map() + cmd(1) + validate() + validate(report=3),
    "twice": dev_map() + dev_map(base=13, top=28, oaddr=WIN) + dev_map(base=28, top=29, oaddr=WIN2),
    "outside": dev_map(oaddr=21) + dev_map(oaddr=19) + dev_map(oaddr=23) + dev_map(flags=1) + dev_map(base=14),
    "refused_granule": dev_map() + validate() + access(9) + access(IPA + 0, 0) + bytes([4, 6, 0xF0]) + bytes(
        [0, 0, 0, 0, 0, 0x10, 0x30, 0x00]),
    "map_during_validation": dev_map(top=IPA2) + validate(answer=b"\x01\x01\x09\x03\x01" + dev_map()[1:])
    + validate(answer=b"\x00\x02\x00" + dev_unmap()[1:]),
    "unlock_destroy": dev_map() + validate() + cmd(3) + cmd(4) + access() + dev_unmap() + cmd(4),
    "ripas_over_dev": dev_map() + state_set() + state_set(base=11, top=12, ripas=0, host_top=12) + load(11),
    "host_validate_anyhow": dev_map() + bytes([2, RD, REC, IPA, IPA4]) + validate(answer=b"\x03\x00\x07\x09\x01\x09\x00\x06\x09\x00"),
    "raw": bytes([0, 0xF0]) + bytes(8) + bytes([0xF1]) + bytes(8) + bytes([6, 9, 5, 16]) + bytes(
        [3, 0xFF]) + bytes(8) + bytes([6, 9, 16, 1, 2, 1, 2, 0]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
