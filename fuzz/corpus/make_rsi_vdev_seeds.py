#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/rmm/fuzz_rsi_vdev.c (fuzz/corpus/rsi_vdev/).

Moves: 0 Realm call (fid index, six argument bytes, then one answer byte per VDEV request),
1 RMI_VDEV_COMPLETE (two argument bytes), 2 VDEV command (index), 3 TDI write (T, other
stream, IOVA argument). An argument byte below 0xF0 indexes the harness's table:
0 VID, 1 0, 2 1, 3 2, 4 3, 5 0x1000, 6 0x1200, 7 0x2000, 8 0x2040, 9 0x8000, 10 1<<39,
11 rec, 12 vdev, 13 rd, 14 pdev, 15 a DATA page's PA. Run it from the repository root.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "rsi_vdev")

GET_INFO, DMA_ENABLE, DMA_DISABLE, FEATURES = 0, 1, 2, 3


def call(fid, args, answers):
    return bytes([0, fid] + args + answers)


def info(vid=0, ipa=5, answer=0):
    return call(GET_INFO, [vid, ipa, 1, 1, 1, 1], [answer])


def enable(lock=2, meas=1, report=2, answer=0):
    return call(DMA_ENABLE, [0, 1, 1, lock, meas, report], [answer])


def disable(answer=0):
    return call(DMA_DISABLE, [0, 1, 1, 1, 1, 1], [answer])


def write(t=1, other=0, iova=8):
    return bytes([3, t, other, iova])


def cmd(which):
    return bytes([2, which])


SEEDS = {
    "honest": info() + enable() + write() + disable() + write(),
    "features": call(FEATURES, [1, 1, 1, 1, 1, 1], []),
    "unknown_id": info(vid=2, answer=2) + info(vid=2, answer=0),
    "bad_buffers": info(ipa=6) + info(ipa=9) + info(ipa=10) + info(ipa=0xF0) + bytes(8),
    "complete_hostile": info(answer=1) + bytes([11, 13]) + bytes([1, 11, 12, 1, 12, 12, 1, 13, 11]),
    "unlock_in_answer": info(answer=3) + enable(answer=3) + write(),
    "destroy_in_answer": enable(answer=4) + write() + cmd(5) + info(),
    "rereport_in_answer": info() + enable(answer=5) + enable(report=3) + write(iova=7),
    "stale_then_fresh": cmd(1) + enable() + enable(report=3) + write() + write(t=0) + write(other=1),
    "unlock_after_enable": enable() + write() + cmd(3) + write() + cmd(4) + cmd(5) + cmd(0) + cmd(1) + cmd(2)
    + info() + enable(lock=3, report=3) + write(iova=9) + write(iova=15),
    "raw_args": call(DMA_ENABLE, [0xF0] + [0] * 7 + [0xFF] + [0xFF] * 8 + [1, 2, 1, 2], [0])
    + bytes([3, 1, 0, 0xF1]) + bytes([0, 0, 0, 0, 0, 0, 0, 0x1F, 0xC0]),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
