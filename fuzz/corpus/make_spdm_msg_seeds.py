#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/proto/fuzz_spdm_msg.c (fuzz/corpus/spdm_msg/): the first
recorded message of each SPDM code in tests/kat/spdm12-emu-session/doe_objects.json (plain,
or the decrypted message of a secured record), with its DOE pad, after the harness's context
byte 0 (the recorded session's sizes, signature requested, summary type 0xFF). Run it from
the repository root; it overwrites only the files it names.
"""
import json
import os

HERE = os.path.dirname(__file__)
KAT = os.path.join(HERE, "..", "..", "tests", "kat", "spdm12-emu-session", "doe_objects.json")

def main():
    objects = json.load(open(KAT))["objects"]
    out = os.path.join(HERE, "spdm_msg")
    os.makedirs(out, exist_ok=True)
    seen = set()
    for o in objects:
        if "spdm" not in o or o["name"] in seen or o["name"].startswith("PSK_"):
            continue
        seen.add(o["name"])
        body = bytes.fromhex(o["spdm"]) + bytes.fromhex(o.get("doe_pad", ""))
        with open(os.path.join(out, "%03d-%s" % (o["index"], o["name"].lower())), "wb") as f:
            f.write(b"\x00" + body)

if __name__ == "__main__":
    main()
