#!/usr/bin/env python3
"""Runs ccada and checks how it ends: its exit status, and text on stderr.

usage: expect_exit.py CCADA STATUS [--stderr TEXT]... [--env NAME=VALUE]... -- ARG...

Passes when ccada exits with STATUS and every TEXT is part of its stderr; with STATUS 2
(a usage error) stdout must also be empty: a refused command line runs nothing.
Values that start with a space or are empty are passed as --option=VALUE, one argument.
"""
import os
import subprocess
import sys


def main():
    ccada, status, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    cut = rest.index("--")
    opts, args = rest[:cut], rest[cut + 1:]
    texts, env = [], dict(os.environ)
    for flag, value in zip(opts[::2], opts[1::2]):
        if flag == "--stderr":
            texts.append(value)
        elif flag == "--env":
            name, _, val = value.partition("=")
            env[name] = val
        else:
            sys.exit(f"expect_exit.py: unknown flag {flag}")
    r = subprocess.run([ccada] + args, capture_output=True, text=True, env=env, timeout=600)
    problems = []
    if r.returncode != status:
        problems.append(f"exit status {r.returncode}, expected {status}")
    problems += [f"stderr lacks {t!r}" for t in texts if t not in r.stderr]
    if status == 2 and r.stdout:
        problems.append("a usage error printed on stdout")
    if problems:
        print(f"ccada {args!r}:", "; ".join(problems), f"\n--- stderr:\n{r.stderr}--- stdout:\n{r.stdout[-2000:]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
