#!/usr/bin/env python3
"""Writes the seed corpora of the Realm PCI fuzzers (fuzz/corpus/pci_enum/ and
fuzz/corpus/virtio_pci_caps/).

Both read functions as fuzz/realm/pci_space.h describes them (device, function, knobs, six
32-bit BAR sizing answers, a 256-byte configuration image) after a 4-byte header of their
own (see the harnesses). The pci_enum seeds are a virtio-blk-like function, a multi-function
device with a 64-bit BAR, an exhausted window, BARs of every refused kind, broken capability
lists, a bridge header, a host answering at random, a faulting access and a failing probe.
The virtio_pci_caps seeds are the device tests/realm/fake_pci_dev.c serves, then one per
capability rule of src/realm/virtio_pci.h, plus queue and config-generation behaviour. Run
it from the repository root; it overwrites only the files it names.
"""
import os
import struct

HERE = os.path.dirname(__file__)
RAW_SIZING, VOLATILE = 1, 2
CAP_LIST = 0x10
VNDR = 0x09
COMMON, NOTIFY, ISR, DEVICE = 1, 2, 3, 4


class Fn:
    def __init__(self, dev, fn, vendor, device, klass=0x010000, rev=2, knobs=0, header=0):
        self.dev, self.fn, self.knobs = dev, fn, knobs
        self.sizing = [0] * 6
        self.cfg = bytearray(256)
        struct.pack_into("<HH", self.cfg, 0, vendor, device)
        struct.pack_into("<I", self.cfg, 8, klass << 8 | rev)
        self.cfg[0x0E] = header

    def bar(self, i, size, is64=False, prefetch=False, io=False, low_bits=None):
        mask = (~(size - 1)) & 0xFFFFFFFFFFFFFFFF
        bits = 1 if io else (4 if is64 else 0) | (8 if prefetch else 0)
        if low_bits is not None:
            bits = low_bits
        struct.pack_into("<I", self.cfg, 0x10 + 4 * i, bits)
        self.sizing[i] = (mask & 0xFFFFFFF0) | bits
        if is64:
            self.sizing[i + 1] = mask >> 32
        return self

    def command(self, v):
        struct.pack_into("<H", self.cfg, 4, v)
        return self

    def caps(self, first, *caps):
        """caps: (offset, id, next, body bytes)."""
        struct.pack_into("<H", self.cfg, 6, CAP_LIST)
        self.cfg[0x34] = first
        for off, cid, nxt, body in caps:
            self.cfg[off], self.cfg[off + 1] = cid, nxt
            self.cfg[off + 2:off + 2 + len(body)] = body
        return self

    def vcap(self, off, nxt, ctype, bar, offset, length, mult=None, cap_len=None):
        size = 20 if ctype == NOTIFY else 16
        body = bytes([cap_len if cap_len is not None else size, ctype, bar, 0, 0, 0])
        body += struct.pack("<II", offset, length)
        if ctype == NOTIFY:
            body += struct.pack("<I", mult or 0)
        struct.pack_into("<H", self.cfg, 6, CAP_LIST)
        self.cfg[off], self.cfg[off + 1] = VNDR, nxt
        self.cfg[off + 2:off + 2 + len(body)] = body
        return self

    def bytes(self):
        return bytes([self.dev, self.fn, self.knobs]) + struct.pack("<6I", *self.sizing) + bytes(self.cfg)


def write(folder, seeds):
    out = os.path.join(HERE, folder)
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def enum_input(fns, window_log2=28, fault=0, noise=b""):
    return bytes([len(fns), window_log2 - 12, fault, 0]) + b"".join(f.bytes() for f in fns) + noise


def virtio_blk_fn(bar_size=0x4000):
    f = Fn(0, 0, 0x1AF4, 0x1042).bar(0, bar_size)
    f.vcap(0x40, 0x50, COMMON, 0, 0x0000, 0x38)
    f.vcap(0x50, 0x64, NOTIFY, 0, 0x3000, 0x1000, mult=4)
    f.vcap(0x64, 0x74, ISR, 0, 0x1000, 4)
    f.vcap(0x74, 0, DEVICE, 0, 0x2000, 0x100)
    f.cfg[0x34] = 0x40
    return f


def pci_enum_seeds():
    s = {}
    s["00_virtio_blk"] = enum_input([virtio_blk_fn()])
    s["01_multifunction"] = enum_input([
        Fn(3, 0, 0x8086, 0x1234, header=0x80).bar(0, 0x100000, is64=True, prefetch=True).bar(2, 0x1000),
        Fn(3, 1, 0x8086, 0x1235, rev=2).bar(0, 0x2000),
        Fn(3, 5, 0x8086, 0x1236).bar(1, 0x10).bar(4, 0x800, is64=True),
        Fn(7, 0, 0x1AF4, 0x1041).bar(5, 0x4000)])
    s["02_window_exhausted"] = enum_input([Fn(0, 0, 0x1, 0x2).bar(0, 0x2000), Fn(1, 0, 0x1, 0x3).bar(0, 0x800),
                                           Fn(2, 0, 0x1, 0x4).bar(0, 0x800).bar(1, 0x800)], window_log2=12)
    raw = Fn(1, 0, 0x1, 0x11, knobs=RAW_SIZING).bar(0, 0x1000)
    raw.sizing[0] |= 0x4  # type bits change while sized
    s["03_bad_bars"] = enum_input([
        raw, Fn(2, 0, 0x1, 0x12).bar(0, 0x1000, low_bits=0x2).command(0x0107),  # reserved type
        Fn(3, 0, 0x1, 0x13).bar(5, 0x1000, is64=False, low_bits=0x4),    # 64-bit in the last slot
        Fn(4, 0, 0x1, 0x14).bar(0, 0x100, io=True).bar(1, 0x1000)])      # I/O BAR: not assigned
    odd = Fn(5, 0, 0x1, 0x15).bar(0, 0x1000)
    odd.sizing[0] = 0xFFFFE010  # not a contiguous mask
    s["04_bar_not_power_of_two"] = enum_input([odd])
    s["05_cap_lists"] = enum_input([
        Fn(1, 0, 0x1, 0x21).caps(0x40, (0x40, 0x05, 0x48, b""), (0x48, 0x09, 0x40, b"")),   # loop
        Fn(2, 0, 0x1, 0x22).caps(0x42, (0x42, 0x05, 0, b"")),                             # misaligned
        Fn(3, 0, 0x1, 0x23).caps(0x40, (0x40, 0x05, 0x20, b"")),                          # into the header
        Fn(4, 0, 0x1, 0x24).caps(0x40, *[(0x40 + 4 * i, 0x09, 0x44 + 4 * i if i < 47 else 0, b"")
                                         for i in range(48)])])                            # 48: the longest
    s["06_bridge_header"] = enum_input([Fn(0, 0, 0x1, 0x31, header=0x01).bar(0, 0x1000)])
    s["07_answers_at_random"] = enum_input([Fn(0, 0, 0x1AF4, 0x1042, knobs=VOLATILE).bar(0, 0x4000)],
                                           noise=bytes(range(1, 200)))
    s["08_faulting_access"] = enum_input([virtio_blk_fn(), Fn(4, 0, 0x1, 0x2).bar(0, 0x1000)], fault=5)
    s["09_probe_fails"] = enum_input([Fn(0, 0, 0x1, 0x2, rev=3).bar(0, 0x1000), Fn(1, 0, 0x1, 0x3, rev=4)])
    return s


def caps_input(fn, features=0, qsize=128, noff=0, behave=1, queues=1, extra=b""):
    """virtio_pci_caps header: behaviour (bit 0 a Realm), device features, queue size, notify
    offset, number of queues."""
    hdr = struct.pack("<BQHHB", behave, features, qsize, noff, queues)
    return hdr + fn.bytes() + extra


def virtio_pci_caps_seeds():
    f_ok = (1 << 32) | (1 << 33) | (1 << 28) | (1 << 29) | 0x7
    s = {}
    s["00_fake_pci_dev"] = caps_input(virtio_blk_fn(), f_ok)
    s["01_no_access_platform"] = caps_input(virtio_blk_fn(), (1 << 32) | 1)
    s["02_legacy"] = caps_input(virtio_blk_fn(), 1 << 33)
    s["03_cap_beyond_bar"] = caps_input(virtio_blk_fn().vcap(0x74, 0, DEVICE, 0, 0x3F00, 0x200), f_ok)
    s["04_cap_unassigned_bar"] = caps_input(virtio_blk_fn().vcap(0x64, 0x74, ISR, 2, 0x1000, 4), f_ok)
    s["05_cap_bar_index_7"] = caps_input(virtio_blk_fn().vcap(0x64, 0x74, ISR, 7, 0x1000, 4), f_ok)
    s["06_short_common"] = caps_input(virtio_blk_fn().vcap(0x40, 0x50, COMMON, 0, 0, 0x20), f_ok)
    s["07_bad_multiplier"] = caps_input(virtio_blk_fn().vcap(0x50, 0x64, NOTIFY, 0, 0x3000, 0x1000, mult=3), f_ok)
    s["08_short_cap_len"] = caps_input(virtio_blk_fn().vcap(0x50, 0x64, NOTIFY, 0, 0x3000, 0x1000, 4, cap_len=16),
                                       f_ok)
    s["09_missing_notify"] = caps_input(virtio_blk_fn().vcap(0x50, 0x64, 8, 0, 0x3000, 0x1000), f_ok)
    dup = virtio_blk_fn().vcap(0x74, 0x84, DEVICE, 0, 0x2000, 0x100).vcap(0x84, 0, COMMON, 0, 0x100, 0x10)
    s["10_second_common_ignored"] = caps_input(dup, f_ok)
    s["11_misaligned_offsets"] = caps_input(virtio_blk_fn().vcap(0x50, 0x64, NOTIFY, 0, 0x3001, 0x100, 4), f_ok)
    s["12_cap_at_end_of_space"] = caps_input(virtio_blk_fn().vcap(0x64, 0x74, 8, 0, 0x1000, 4)
                                             .vcap(0x74, 0xF8, DEVICE, 0, 0x2000, 0x100)
                                             .caps(0x40, (0xF8, VNDR, 0, bytes([16, ISR, 0, 0, 0, 0]))), f_ok)
    s["13_queue_size_not_power_of_two"] = caps_input(virtio_blk_fn(), f_ok, qsize=100)
    s["14_notify_offset_outside"] = caps_input(virtio_blk_fn(), f_ok, noff=0x400)
    s["15_64bit_bar"] = caps_input(virtio_blk_fn().bar(0, 0x4000, is64=True), f_ok, qsize=1024)
    s["16_normal_vm"] = caps_input(virtio_blk_fn(), (1 << 32) | 1, behave=0)
    s["17_never_resets"] = caps_input(virtio_blk_fn(), f_ok, behave=1 | 2)
    s["18_clears_features_ok"] = caps_input(virtio_blk_fn(), f_ok, behave=1 | 4)
    s["19_generation_never_settles"] = caps_input(virtio_blk_fn(), f_ok, behave=1 | 8)
    s["20_needs_reset_at_driver_ok"] = caps_input(virtio_blk_fn(), f_ok, behave=1 | 16)
    s["21_no_queues"] = caps_input(virtio_blk_fn(), f_ok, queues=0)
    s["23_offers_everything"] = caps_input(virtio_blk_fn(), 0xFFFFFFFFFFFFFFFF)
    s["22_answers_at_random"] = caps_input(Fn(0, 0, 0x1AF4, 0x1042, knobs=VOLATILE).bar(0, 0x4000), f_ok,
                                           extra=bytes(range(3, 120)))
    return s


def main():
    write("pci_enum", pci_enum_seeds())
    write("virtio_pci_caps", virtio_pci_caps_seeds())


if __name__ == "__main__":
    main()
