#!/usr/bin/env python3
"""Interleaved A/B timing of two keyguard binaries on one tree: A, B, A, B, ... so load drift hits both alike.
Usage: bench/ab.py BIN_A BIN_B TREE [PAIRS (default 15)]. Prints medians of wall and CPU (user+sys) and B/A ratios."""
import os, statistics, subprocess, sys, time
a, b, tree = sys.argv[1:4]
pairs = int(sys.argv[4]) if len(sys.argv) > 4 else 15
def run(binary):
    t = time.perf_counter()
    p = subprocess.Popen([binary, "scan", tree, "--no-progress", "--format", "json", "--output", "/dev/null"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t, ru.ru_utime + ru.ru_stime
for _ in range(2): run(a); run(b)
res = {a: [], b: []}
for i in range(pairs):
    for x in ((a, b) if i % 2 == 0 else (b, a)): res[x].append(run(x))
wa, wb = statistics.median(w for w, _ in res[a]), statistics.median(w for w, _ in res[b])
ca, cb = statistics.median(c for _, c in res[a]), statistics.median(c for _, c in res[b])
print(f"{os.path.basename(tree)}: {pairs} interleaved pairs; wall median A {wa:.3f}s B {wb:.3f}s (B/A {wb/wa:.3f}); "
      f"CPU median A {ca:.3f}s B {cb:.3f}s (B/A {cb/ca:.3f})")
