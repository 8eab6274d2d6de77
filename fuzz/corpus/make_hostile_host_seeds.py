#!/usr/bin/env python3
"""Writes the seed corpus of the hostile-host fuzzer (fuzz/corpus/hostile_host/).

Each input is the schedule fuzz/machine/fuzz_hostile_host.c reads: per step one byte
(number of actions, mod 3), then per action a 24-byte record (opcode mod 16, arguments).
The seeds are an honest run, one schedule per action kind repeated at every step, and a few
random schedules from a fixed seed. Run it from the repository root; it overwrites only the
files it names.
"""
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "hostile_host")
ARGS = 23  # an action record is 24 bytes: the opcode and its arguments


def one_kind(op, steps):
    rnd = random.Random(op)
    out = bytearray()
    for _ in range(steps):
        out += bytes([1, op]) + bytes(rnd.randrange(256) for _ in range(ARGS))
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {"00_honest": bytes(3200)}  # count 0 at every step: the whole honest demo
    for op in range(13):
        seeds["%02d_action_%d" % (op + 1, op)] = one_kind(op, 40)
    rnd = random.Random(2026)
    for i in range(6):
        seeds["%02d_random" % (20 + i)] = bytes(rnd.randrange(256) for _ in range(256 << i))
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
