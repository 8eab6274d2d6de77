#!/usr/bin/env python3
"""The secure attach as the trace tells it (issue 12): `ccada demo --device tdisp` writes the
same events to the ftrace file and to the Perfetto JSON, and in both the attach steps come in
the order the specs fix: the endpoint's PDEV READY (SPDM), the device's DMA refused before it
is assigned, both IDE engines' keys GO and the stream Secure at both ends, the VDEV LOCKED, the
interface report, the BAR mapped, validated by the Realm, START, the VDEV STARTED, the Realm's
stream with DMA enabled. No IDE check fails and nothing is bounced.

usage: attach_trace.py CCADA WORKDIR
"""
import json
import os
import re
import subprocess
import sys

# (event, a regular expression its fields must match), in the order they must come
MILESTONES = [
    ("pdev_state", r"from=HAS_KEY to=READY"),
    ("smmu_fault", r"t=0 access=read .* reason=stream_abort"),
    ("ide_key", r"end=ep .* op=go"),
    ("ide_key", r"end=rp .* op=go"),
    ("ide_state", r"end=ep sid=0 from=Insecure to=Secure"),
    ("ide_state", r"end=rp sid=0 from=Insecure to=Secure"),
    ("vdev_state", r"from=UNLOCKED to=LOCKED"),
    ("tdisp_response", r"DEVICE_INTERFACE_REPORT"),
    ("dev_map", r"op=map base=0x10000000 top=0x10004000 pa=0x60000000"),
    ("dev_validate", r"base=0x10000000 top=0x10004000 pa=0x60000000"),
    ("tdisp_request", r"START_INTERFACE_REQUEST"),
    ("vdev_state", r"from=LOCKED to=STARTED"),
    ("smmu_ste", r"mode=realm dma=on by=Realm"),
]
FORBIDDEN = ("ide_fail", "swiotlb_bounced")
EVENTS = "da,ide,smmu,rmm,swiotlb"


def in_order(stream, where):
    """stream: (event, fields) in time order. Fails unless every milestone matches, in order."""
    i = 0
    for name, fields in stream:
        if name in FORBIDDEN:
            sys.exit(f"{where}: {name} in a clean attach: {fields}")
        if i < len(MILESTONES) and name == MILESTONES[i][0] and re.search(MILESTONES[i][1], fields):
            i += 1
    if i < len(MILESTONES):
        sys.exit(f"{where}: step {i + 1} of the attach missing or out of order: {MILESTONES[i]}")
    return len(stream)


def main():
    ccada, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    txt, js = os.path.join(work, "attach.txt"), os.path.join(work, "attach.json")
    subprocess.run([ccada, "demo", "--device", "tdisp", "--events", EVENTS, "--trace", txt],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([ccada, "demo", "--device", "tdisp", "--events", EVENTS, "--trace-json", js],
                   check=True, stdout=subprocess.DEVNULL)
    line = re.compile(r"^\s*\S+\s+\[\d+\]\s+\S+\s+([0-9.]+): (\w+): (.*)$")
    ftrace = []
    with open(txt, encoding="utf-8") as f:
        for l in f:
            m = line.match(l)
            if m:
                ftrace.append((float(m.group(1)), m.group(2), m.group(3)))
    ftrace.sort(key=lambda e: e[0])
    with open(js, encoding="utf-8") as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "i"]
    events.sort(key=lambda e: e["ts"])
    perfetto = [(e["name"], e["args"]["fields"]) for e in events]
    n_txt = in_order([(n, fl) for _, n, fl in ftrace], "ftrace")
    n_json = in_order(perfetto, "perfetto")
    if [(n, fl) for _, n, fl in ftrace] != perfetto:
        sys.exit(f"the ftrace file ({n_txt} events) and the Perfetto JSON ({n_json}) disagree")
    print(f"attach in order in both traces ({n_txt} events)")


if __name__ == "__main__":
    main()
