#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/device/fuzz_spdm_responder.c (fuzz/corpus/spdm_responder/)
in its input format: flags(1), then items kind(1) | length(2, LE) | bytes. The plain
requests are the recorded DMTF requester's own (tests/kat/spdm12-emu-session objects 6-28);
the in-session items are SPDM messages the harness seals under the keys of the session its
scripted requester opens (flags bit 0). Run it from the repository root; it overwrites only
the files it names.
"""
import json
import os
import struct

HERE = os.path.dirname(__file__)
KAT = os.path.join(HERE, '..', '..', 'tests', 'kat', 'spdm12-emu-session')

# kind bits 3:2 pick the response buffer: 0x0 64, 0x4 200, 0x8 1024, 0xC 8192 bytes
BIG, SMALL, TINY = 0x0C, 0x04, 0x00
PLAIN, SECURED_RAW, SEALED = BIG, BIG | 0x01, BIG | 0x02


def emu(i):
    with open(os.path.join(KAT, 'doe_objects.json')) as f:
        o = json.load(f)['objects'][i]
    assert o['index'] == i and o['kind'] == 'SPDM'
    return bytes.fromhex(o['spdm'])


def item(kind, msg):
    return bytes([kind]) + struct.pack('<H', len(msg)) + msg


def put(name, flags, items):
    d = os.path.join(HERE, 'spdm_responder')
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes([flags]) + b''.join(items))


def msg(code, p1=0, p2=0, rest=b''):
    return bytes([0x12, code, p1, p2]) + rest


# The DMTF requester's connection: VCA, digests, certificate, challenge, measurements, key exchange.
put('dmtf_requester_connection', 0,
    [item(PLAIN, emu(i)) for i in (6, 8, 10, 12, 14, 18, 26, 28)])
# The same with the certificate into a small buffer and a DOE pad byte after GET_VERSION.
put('dmtf_requester_small_buffer', 0,
    [item(PLAIN, emu(6) + b'\0'), item(PLAIN, emu(8)), item(PLAIN, emu(10)),
     item(SMALL, emu(14)), item(PLAIN, emu(18)), item(TINY, emu(26))])
# A session: heartbeat, measurements signed, key updates, vendor-defined, end.
nonce = bytes(range(32))
put('session_key_update_and_end', 1,
    [item(SEALED, msg(0xE8)),
     item(SEALED, msg(0xE0, 1, 0xFF, nonce + b'\0')),
     item(SEALED, msg(0xE9, 1, 7)), item(SEALED, msg(0xE9, 3, 8)),
     item(SEALED, msg(0xE9, 2, 9)), item(SEALED, msg(0xE8)),
     item(SEALED, msg(0xFE, 0, 0, b'\x03\x00\x02\x01\x00\x02\x00\x01\x00')),
     item(SEALED, msg(0xEC)), item(SEALED, msg(0xE8))])
# A session, then forged and foreign records, a mid-session GET_VERSION and a new VCA.
put('session_then_forgery_and_reset', 1,
    [item(SEALED, msg(0xE8)),
     item(SECURED_RAW, b'\x21\x43\xff\xff\x14\x00' + bytes(20)),
     item(SEALED, msg(0xE8)),
     item(PLAIN, emu(6)), item(PLAIN, emu(8)), item(PLAIN, emu(10)), item(PLAIN, emu(28))])
# Without HANDSHAKE_IN_THE_CLEAR: VCA by script, then unsupported and malformed requests.
put('no_clear_unsupported_and_malformed', 3,
    [item(PLAIN, msg(0x86)), item(PLAIN, msg(0xE6)), item(PLAIN, msg(0xFF, 0xE0, 1)),
     item(PLAIN, msg(0xE8)), item(PLAIN, b'\x12\x81\x00'), item(PLAIN, msg(0x81) + b'\x01'),
     item(PLAIN, bytes([0x11, 0x81, 0, 0])), item(PLAIN, msg(0xE0, 0, 9))])
