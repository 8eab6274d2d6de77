#!/usr/bin/env python3
"""Which options change the RIM (docs/learning-path.md, "What the RIM measures").

usage: rim_options.py CCADA

Runs ccada once per option and compares the RIM with the default run's: every option that
changes the boot image (its RAM size or its command line) or the Realm's parameters (IPA
width, hash) must change it; the others (where the disk is, tracing, checks, the devices on
the PCI bus) must not. Prints what differs from the rule and exits 1.
"""
import json
import subprocess
import sys

BASE = ["--disk-ram", "--ram", "8M", "--events", "none", "--json"]  # small: --check-invariants is slow

CHANGES = [
    ["--ram", "64M"],
    ["--ipa-bits", "44"],
    ["--hash", "sha512"],
    ["--seed", "2"],
    ["--swiotlb", "1M"],
    ["--swiotlb-grow"],
    ["--swiotlb-backpressure"],
    ["--swiotlb-alloc", "bitmap"],
    ["--workload", "bench-swiotlb"],
]
KEEPS = [
    ["--check-invariants"],
    ["--device", "virtio-blk,ram,size=1M"],
    ["--trace", "rim-options.trace"],
]


def rim(ccada, extra):
    args = [ccada, "run"] + BASE + extra
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    try:
        return json.loads(r.stdout)["rim"]
    except (ValueError, KeyError):
        sys.exit(f"{' '.join(args)}: no RIM in the report (exit {r.returncode})\n{r.stderr}")


def main():
    ccada = sys.argv[1]
    base = rim(ccada, [])
    wrong = [f"{' '.join(o)} kept the RIM" for o in CHANGES if rim(ccada, o) == base]
    wrong += [f"{' '.join(o)} changed the RIM" for o in KEEPS if rim(ccada, o) != base]
    for w in wrong:
        print(w)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
