#!/usr/bin/env python3
"""Writes the seed corpora of the DOE fuzzers (fuzz/corpus/doe_object/, spdm_emu_frame/,
pcap/, doe_mailbox/) from the recorded DMTF emulator session
(tests/kat/spdm12-emu-session): real DOE objects (discovery, GET_VERSION, a CERTIFICATE with
its pad byte, a secured record), those objects in spdm-emu frames, the head of the recorded
capture, and register-access scripts for the mailbox (see fuzz/device/fuzz_doe_mailbox.c
for their format). Run it from the repository root; it overwrites only the files it names.
"""
import json
import os
import struct

HERE = os.path.dirname(__file__)
KAT = os.path.join(HERE, '..', '..', 'tests', 'kat', 'spdm12-emu-session')


def objects():
    with open(os.path.join(KAT, 'doe_objects.json')) as f:
        objs = json.load(f)['objects']
    out = []
    for o in objs:
        body = o.get('payload') if o['kind'] == 'DOE_DISCOVERY' else (
            o['spdm'] if o['kind'] == 'SPDM' else o['record'])
        out.append(bytes.fromhex(o['doe_header'] + body + (o.get('doe_pad') or '')))
    return out


def put(corpus, name, data):
    d = os.path.join(HERE, corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def frame(cmd, transport, payload):
    return struct.pack('>III', cmd, transport, len(payload)) + payload


def mailbox_ops(objs):
    """Write each DW, Go, step, then read and advance until done."""
    ops = b''
    for obj in objs:
        for i in range(0, len(obj), 4):
            ops += bytes([1 | (4 << 2)]) + obj[i:i + 4]           # write Write Mailbox (0x10)
        ops += bytes([1 | (2 << 2)]) + struct.pack('<I', 0x80000000)  # Go
        ops += bytes([2]) + bytes(4)                                  # step
        for _ in range(len(obj) // 4 + 1):
            ops += bytes([0 | (5 << 2)]) + bytes(4)                   # read Read Mailbox
            ops += bytes([1 | (5 << 2)]) + bytes(4)                   # advance
    return ops


def main():
    objs = objects()
    picks = {'discovery_req': 0, 'discovery_rsp': 1, 'get_version': 6, 'certificate': 15, 'secured': 32}
    for name, i in picks.items():
        put('doe_object', name, objs[i])
    put('spdm_emu_frame', 'normal_discovery', frame(1, 2, objs[0]))
    put('spdm_emu_frame', 'normal_certificate', frame(1, 2, objs[15]))
    put('spdm_emu_frame', 'test_client_hello', frame(0xDEAD, 2, b'Client Hello!\0'))
    put('spdm_emu_frame', 'shutdown', frame(0xFFFE, 2, b''))
    with open(os.path.join(KAT, 'spdm12-emu-session.pcap'), 'rb') as f:
        cap = f.read()
    off, n = 24, 0
    while n < 12:                     # the header and the first 12 records
        off += 16 + struct.unpack_from('<I', cap, off + 8)[0]
        n += 1
    put('pcap', 'dmtf_head', cap[:off])
    put('pcap', 'header_only', cap[:24])
    put('doe_mailbox', 'discovery_echo', bytes([40, 0]) + mailbox_ops(objs[0:5:2] + [objs[6]]))
    put('doe_mailbox', 'go_on_write_silent', bytes([0x80 | 40, 1]) + mailbox_ops([objs[6]]))
    put('doe_mailbox', 'oversize_then_abort', bytes([0, 6]) + mailbox_ops([objs[6]]) + bytes([3]) + bytes(4))
    put('doe_mailbox', 'garbage_response', bytes([48, 3 | (13 << 2)]) + mailbox_ops([objs[32]]))


if __name__ == '__main__':
    main()
