#!/usr/bin/env python3
"""Runs a command and prints the peak resident memory of the command and of the command plus all its descendants
(KeyGuard runs git cat-file / diff-tree as children; their memory counts too), sampled every 20 ms.
Usage: peakrss.py OUT_FILE CMD [ARGS...]   (writes "self_kb tree_kb"; exits with the command's status)
"""
import os, subprocess, sys, time

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                out += kids; todo += kids
        except OSError:
            pass
    return out

proc = subprocess.Popen(sys.argv[2:])
peak_self = peak_tree = 0
while proc.poll() is None:
    me = rss_kb(proc.pid)
    peak_self = max(peak_self, me)
    peak_tree = max(peak_tree, me + sum(rss_kb(k) for k in descendants(proc.pid)))
    time.sleep(0.02)
open(sys.argv[1], "w").write(f"{peak_self} {peak_tree}\n")
sys.exit(proc.returncode)
