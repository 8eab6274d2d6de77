#!/usr/bin/env python3
"""Instructions per operation of a ccada fixed-work benchmark, by mechanism (callgrind).

usage: scripts/instructions-per-op.py [--ccada build/ccada] [--ops N] [--top K] [--json]
                                      swiotlb|blk [bench options...]

Runs `ccada bench WHAT --ops 0 ...` and `ccada bench WHAT --ops N ...` under
valgrind --tool=callgrind, subtracts the two (the set-up cancels out: booting the
machine, building the pool) and divides by N. Prints the total per operation, the
per-operation instructions of each mechanism (each function's own instructions, attributed
by the file it is in: see MECHANISMS), and the top functions. Deterministic: the same tree
gives the same counts. Needs valgrind (apt-get install valgrind).

Examples (docs/performance.md):
  scripts/instructions-per-op.py swiotlb --size 64
  scripts/instructions-per-op.py swiotlb --size 64 --swiotlb-alloc bitmap
  scripts/instructions-per-op.py blk --ops 2000 --size 4096 --dir read
  scripts/instructions-per-op.py blk --ops 2000 --vm normal
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

# (mechanism, path fragments of the functions it owns), first match wins.
MECHANISMS = [
    ("REC round trip (RMI_REC_ENTER, exit, host's run loop)",
     ["src/rmm/rec_run.c", "src/rmm/rec_exit.c", "src/rmm/rmi.c", "src/host/run.c", "src/host/vmm.c",
      "src/proto/rmi_rec_run.c", "src/lib/coro.c", "src/rmm/granule.c", "longjmp", "setjmp", "src/machine/"]),
    ("guest memory access (a Realm's stage 2 and REC accessors, a normal VM's vCPU; the GPC)",
     ["src/rmm/rec_mem.c", "src/rmm/rec_cpu.c", "src/rmm/rtt.c", "src/hw/", "src/realm/kernel.c",
      "src/realm/shared.c", "src/lib/chunk.h", "src/rmm/invariants.c", "src/host/normal_vm.c"]),
    ("SWIOTLB and the DMA API",
     ["src/realm/swiotlb", "src/realm/dma.c", "src/realm/dma_dev.c", "src/realm/sync.c", "pthread_mutex"]),
    ("guest driver (virtio-blk, virtqueue, virtio-pci)",
     ["src/realm/virtio", "src/realm/virtqueue", "src/realm/pci.c", "src/proto/virtio", "src/realm/kheap.c"]),
    ("host device (virtio-blk device, its queue, RAM disk)",
     ["src/host/virtio", "src/host/virtqueue", "src/host/blk_", "src/host/guest_mem.c", "src/host/pages.c",
      "src/host/mmio.c", "src/host/pci.c"]),
    ("payload and metadata copies (libc memcpy/memmove/memset)", ["memcpy", "memmove", "memset"]),
    ("bench app", ["src/realm/apps/"]),
    ("tracing (with no event enabled)", ["src/lib/trace"]),
    ("C library heap", ["malloc", "free"]),
]


def totals(cg):
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no", cg],
                         capture_output=True, text=True, check=True).stdout
    per_fn, total = {}, None
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*?)(?: \[.*\])?$", line)
        if not m:
            continue
        n, name = int(m.group(1).replace(",", "")), m.group(2)
        if "PROGRAM TOTALS" in name:
            total = n
        elif "=>" not in line and re.match(r"\S+:\S", name):
            per_fn[name] = per_fn.get(name, 0) + n
    return total, per_fn


def run(ccada, what, ops, extra, outdir):
    cg = os.path.join(outdir, f"cg.{ops}")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}", ccada, "bench", what,
           "--ops", str(ops)] + extra
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"instructions-per-op: {' '.join(cmd)} failed (exit {r.returncode}):\n{r.stderr[-2000:]}")
    return totals(cg)


def mechanism(fn):
    for name, frags in MECHANISMS:
        if any(f in fn for f in frags):
            return name
    return "other"


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ccada", default="build/ccada")
    ap.add_argument("--ops", type=int, default=None, help="operations (default: 10000 swiotlb, 2000 blk)")
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("what", choices=["swiotlb", "blk"])
    args, extra = ap.parse_known_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        sys.exit("instructions-per-op: valgrind is not installed (apt-get install valgrind)")
    if not os.access(args.ccada, os.X_OK):
        sys.exit(f"instructions-per-op: {args.ccada} is not an executable: build first (make) or give --ccada")
    ops = args.ops if args.ops is not None else (10000 if args.what == "swiotlb" else 2000)
    if ops <= 0:
        sys.exit("instructions-per-op: --ops must be at least 1")
    with tempfile.TemporaryDirectory() as d:
        t0, f0 = run(args.ccada, args.what, 0, extra, d)
        tn, fn = run(args.ccada, args.what, ops, extra, d)
    per_fn = {k: (fn.get(k, 0) - f0.get(k, 0)) / ops for k in set(f0) | set(fn)}
    by_mech = {}
    for k, v in per_fn.items():
        by_mech[mechanism(k)] = by_mech.get(mechanism(k), 0) + v
    result = {
        "what": args.what, "args": extra, "ops": ops, "per_op": (tn - t0) / ops,
        "mechanisms": {k: round(v, 1) for k, v in sorted(by_mech.items(), key=lambda kv: -kv[1])},
        "top": [{"function": k, "per_op": round(v, 1)}
                for k, v in sorted(per_fn.items(), key=lambda kv: -kv[1])[:args.top]],
    }
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
        return
    print(f"ccada bench {args.what} {' '.join(extra)}: {result['per_op']:,.0f} instructions per operation "
          f"({ops} operations)")
    for k, v in result["mechanisms"].items():
        if abs(v) >= 0.5:
            print(f"  {v:10,.0f}  {k}")
    print("top functions (own instructions per operation):")
    for t in result["top"]:
        print(f"  {t['per_op']:10,.0f}  {t['function']}")


if __name__ == "__main__":
    main()
