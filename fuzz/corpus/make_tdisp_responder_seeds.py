#!/usr/bin/env python3
"""Seeds for fuzz_tdisp_responder: items kind(1) | length(1) | bytes (see the harness).

Built from the recorded DMTF session (tests/kat/spdm12-emu-session/doe_objects.json): its
PCIe IDE_KM and TDISP requests of session 1, with the TDISP INTERFACE_ID rewritten to the
harness's TDI (0x0018). Run from the repository root."""
import json, os, struct

KAT = "tests/kat/spdm12-emu-session/doe_objects.json"
OUT = "fuzz/corpus/tdisp_responder"

def payload(spdm_hex):
    b = bytes.fromhex(spdm_hex)
    # VENDOR_DEFINED_REQUEST: hdr(4) StandardID(2) VendorIDLen(1) VendorID(n) ReqLength(2) payload
    n = b[6]
    off = 7 + n
    ln = struct.unpack_from("<H", b, off)[0]
    return bytearray(b[off + 2: off + 2 + ln])

def item(kind, p):
    return bytes([kind, len(p)]) + bytes(p)

objs = json.load(open(KAT))["objects"]
ide, tdisp = [], []
for o in objs[:92]:
    v = o.get("vendor_defined")
    if not v or o["direction"] != objs[32]["direction"]:
        continue
    p = payload(o["spdm"])
    if v["protocol"] == "PCIe IDE_KM":
        ide.append(p)
    elif v["protocol"] == "PCIe TDISP":
        p[5:9] = struct.pack("<I", 0x0018)
        tdisp.append(p)

os.makedirs(OUT, exist_ok=True)
seeds = {
    # the whole recorded flow, secured on session A
    "recorded_flow": b"".join(item(0x02, p) for p in ide[:13]) + b"".join(item(0x03, p) for p in tdisp)
                     + b"".join(item(0x02, p) for p in ide[13:]),
    # the scripted LOCK, then the recorded TDISP requests, then the session ends (event 1)
    "locked_then_session_ends": item(0x0B, tdisp[5]) + b"".join(item(0x03, p) for p in tdisp[5:9])
                                + item(0x13, tdisp[2]) + item(0x03, tdisp[2]),
    # the same requests from session B and in the clear
    "wrong_session_and_clear": b"".join(item(0x07, p) for p in ide[:3]) + b"".join(item(0x01, p) for p in tdisp[:4])
                               + b"".join(item(0x00, p) for p in ide[:2]),
    # locked, then an IDE failure, a config change, a new Stream ID, an engine port, a small buffer
    "events": item(0x0B, tdisp[2]) + item(0x33, tdisp[2]) + item(0x4B, tdisp[2]) + item(0x5B, tdisp[2])
              + item(0x62, ide[1]) + item(0x72, ide[2]) + item(0x8B, tdisp[6]) + item(0x03, tdisp[6]),
}
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
