#!/usr/bin/env python3
"""Generates a git history shaped like a large SDK repository, through `git fast-import`.

Usage: gen-history.py DIR [COMMITS (20000)] [LARGE_CHANGES (300)]

Shape: a few thousand small source files, some touched by every commit; eight large generated files (API models,
~4 MB each) changed by a few lines in LARGE_CHANGES commits, so total blob content is large (> 1 GB at the defaults)
while the pack stays small thanks to delta compression; feature branches merged every ~40 commits; a tag every 500
commits. Planted: AWS key pairs in small config files (some later removed), one key deep inside a large file, one in a
commit message. Keys are generated at run time (new-format IDs with a decodable account): nothing credential-shaped is
committed. Deterministic for the seed. Prints the planted key IDs to DIR.planted.
"""
import os, random, string, subprocess, sys

COMMITS = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
LARGE_CHANGES = int(sys.argv[3]) if len(sys.argv) > 3 else 300
DIR = sys.argv[1]
r = random.Random(20261128)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakekeys  # noqa: E402


def key_id():
    return fakekeys.key_id(r)


def secret():
    return fakekeys.secret(r)

WORDS = ("config value result handler request response client server token session user account index buffer "
         "stream parse render update delete create fetch build cache logger error retry timeout region bucket "
         "object key secret policy role permission manager service factory adapter").split()

def code_line():
    w = lambda: r.choice(WORDS)
    k = r.randrange(8)
    if k < 4: return f"    const {w()}{w().title()} = await this.{w()}.{w()}({w()}, {r.randrange(1000)});"
    if k < 6: return f"    // {w()} the {w()} before {w()}ing the {w()} (see issue #{r.randrange(9999)})"
    if k < 7: return f'    "{w()}_{w()}": "{w()}-{r.randrange(10**6)}",'
    return f"    if ({w()} == null || {w()}.length > {r.randrange(100)}) {{ throw new Error('{w()} {w()}'); }}"

def model_line(i):
    w = lambda: r.choice(WORDS)
    return f'      "{w().title()}{w().title()}{i}": {{ "shape": "{w().title()}Shape", "documentation": "The {w()} of the {w()} {w()}." }},'

out = subprocess.Popen(["git", "fast-import", "--quiet", "--depth=50"], cwd=DIR, stdin=subprocess.PIPE, bufsize=1 << 20)
w = out.stdin.write

def data(text):
    b = text.encode()
    w(b"data %d\n" % len(b)); w(b); w(b"\n")

small = {}
for d in range(60):
    for f in range(50):
        small[f"src/service{d:02d}/part{f:02d}.js"] = [code_line() for _ in range(60)]
small_paths = sorted(small)
large = {f"models/api{k}.normal.json": [model_line(i) for i in range(34000)] for k in range(8)}
large_paths = sorted(large)

planted, when = [], 1_700_000_000
plant_at = {int(COMMITS * f): i for i, f in enumerate([0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95])}
remove_at = {int(COMMITS * f): i for i, f in enumerate([0.1, 0.3, 0.55])}   # the first three planted are removed later
message_secret_at = int(COMMITS * 0.42)
large_secret_at, large_secret_gone = int(COMMITS * 0.25), int(COMMITS * 0.6)
large_every = max(1, COMMITS // max(1, LARGE_CHANGES))

mark, main_tip, n = 0, None, 0
def commit(ref, parent, changes, message, merge=None):
    global mark, when
    mark += 1; when += 600 + r.randrange(3000)
    w(f"commit {ref}\nmark :{mark}\n".encode())
    author = r.choice(["Ana Dev <ana@example.com>", "Bo Builder <bo@example.com>", "Cy Bot <ci@example.com>"])
    w(f"author {author} {when} +0000\ncommitter {author} {when} +0000\n".encode())
    data(message)
    if parent: w(f"from :{parent}\n".encode())
    if merge: w(f"merge :{merge}\n".encode())
    for path, content in changes:
        if content is None: w(f"D {path}\n".encode())
        else:
            w(f"M 100644 inline {path}\n".encode()); data(content)
    w(b"\n")
    return mark

def touch_small(k):
    changes = []
    for path in r.sample(small_paths, k):
        lines = small[path]; lines[r.randrange(len(lines))] = code_line()
        changes.append((path, "\n".join(lines) + "\n"))
    return changes

# Initial import: the whole tree.
main_tip = commit("refs/heads/main", None, [(p, "\n".join(small[p]) + "\n") for p in small_paths]
                  + [(p, "\n".join(large[p]) + "\n") for p in large_paths], "initial import")
while n < COMMITS - 1:
    n += 1
    changes = touch_small(r.randint(1, 3))
    message = f"{r.choice(WORDS)}: {r.choice(WORDS)} {r.choice(WORDS)} ({n})"
    if n % large_every == 0 or n in (large_secret_at, large_secret_gone):
        path = r.choice(large_paths) if n not in (large_secret_at, large_secret_gone) else large_paths[0]
        lines = large[path]
        for _ in range(5):
            i = r.randrange(len(lines)); lines[i] = model_line(i)
        if n == large_secret_at:
            kid = key_id(); planted.append(("large-file", kid, n)); lines[30000] = f'      "ExampleCredential": "{kid}",'
        if n == large_secret_gone: lines[30000] = model_line(30000)
        changes.append((path, "\n".join(lines) + "\n"))
    if n in plant_at:
        kid = key_id(); planted.append(("config", kid, n))
        changes.append((f"config/deploy{plant_at[n]}.env", f"AWS_ACCESS_KEY_ID={kid}\nAWS_SECRET_ACCESS_KEY={secret()}\nREGION=us-east-1\n"))
    if n in remove_at:
        changes.append((f"config/deploy{remove_at[n]}.env", None))
    if n == message_secret_at:
        kid = key_id(); planted.append(("commit-message", kid, n)); message += f"\n\ntemporary key {kid}"
    if n % 40 == 0 and n + 4 < COMMITS:
        # A feature branch of three commits, merged back; the merge carries the branch's files.
        base, tip, branch_changes = main_tip, main_tip, {}
        for _ in range(3):
            c = touch_small(1); branch_changes.update(c); n += 1
            tip = commit(f"refs/heads/feature-{n}", tip, c, f"feature work ({n})")
        main_tip = commit("refs/heads/main", main_tip, changes, message)
        n += 1
        main_tip = commit("refs/heads/main", main_tip, list(branch_changes.items()), f"Merge feature-{n}", merge=tip)
    else:
        main_tip = commit("refs/heads/main", main_tip, changes, message)
    if n % 500 == 0:
        w(f"reset refs/tags/v{n // 500}.0\nfrom :{main_tip}\n\n".encode())
out.stdin.close()
if out.wait() != 0: sys.exit("git fast-import failed")
with open(DIR.rstrip("/") + ".planted", "w") as f:
    for kind, kid, at in planted: f.write(f"{kind} {kid} commit#{at}\n")
print(f"generated {mark} commits in {DIR}; planted {len(planted)} keys")
