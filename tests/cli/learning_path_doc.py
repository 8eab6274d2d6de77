#!/usr/bin/env python3
"""docs/learning-path.md can be followed as written (issue 8, point 10).

usage: learning_path_doc.py CCADA DOC README

Runs every `build/ccada ...` line of the page's sh blocks (with CCADA for build/ccada) and
checks that it exits 0; every line of the plain output blocks after it (except "...")
must be a line of that command's output, character for character, where "..." inside a
line stands for any text (what differs from run to run: a port, a random challenge, a
time). Also checks that the
README links the page on its first screen (its first 24 lines).
"""
import re
import shlex
import subprocess
import sys

BLOCK = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)


def main():
    ccada, doc, readme = sys.argv[1:4]
    problems, output, command = [], None, None
    head = open(readme, encoding="utf-8").read().splitlines()[:24]
    if not any("docs/learning-path.md" in line for line in head):
        problems.append("README.md does not link docs/learning-path.md in its first 24 lines")
    text = open(doc, encoding="utf-8").read()
    for m in BLOCK.finditer(text):
        lang, body = m.group(1), m.group(2)
        if lang == "sh":
            for line in body.splitlines():
                if not line.startswith("build/ccada "):
                    continue
                command = line.split("#")[0].strip()
                args = shlex.split(command)[1:]
                r = subprocess.run([ccada] + args, capture_output=True, text=True, timeout=600)
                if r.returncode != 0:
                    problems.append(f"{command}: exit status {r.returncode}\n{r.stderr}")
                output = set(r.stdout.splitlines())
        elif lang == "" and output is not None:
            for line in body.splitlines():
                if line.strip() == "..." or line in output:
                    continue
                if "..." in line:
                    pattern = re.compile(".*".join(re.escape(part) for part in line.split("...")))
                    if any(pattern.fullmatch(o) for o in output):
                        continue
                problems.append(f"after {command!r}, no output line {line!r}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
