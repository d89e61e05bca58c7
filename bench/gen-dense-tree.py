#!/usr/bin/env python3
"""Generates a code-like tree of SIZE_MB megabytes where most lines carry credential words (issue 15).

Usage: gen-dense-tree.py OUT [SIZE_MB (default 500)] [PAIRS (default 10)] [--no-runs]

Deterministic for a seed. Nearly every line names a secret, key, token, credential or password, as configuration and
SDK code does; some lines also hold long identifiers, hashes and base64 values next to those words (the case where a
keyword screen has to look at every hit). PAIRS key ID + secret pairs are planted, generated at run time by
fakekeys.py, so nothing credential-shaped is committed. With --no-runs, the lines with a hash, a long identifier or a
base64 value are left out: keywords everywhere, long runs only in the planted pairs (the case a runs-first screen
is for).
"""
import os, random, string, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakekeys import key_id, secret  # noqa: E402

WORDS = "secret key token credential password apiKey accessKey sessionToken secretKey authToken privateKey".split()
PLAIN = "config value result handler request client user account name region bucket policy role service cache".split()
B64 = string.ascii_letters + string.digits + "+/"


NO_RUNS = "--no-runs" in sys.argv


def line(r):
    k, p = r.choice(WORDS), r.choice(PLAIN)
    kind = r.randrange(12)
    while NO_RUNS and 6 <= kind < 9:
        kind = r.randrange(12)
    if kind < 3:
        return f"    const {k}{p.title()} = await this.{p}.get{k[0].upper() + k[1:]}({p}, {r.randrange(1000)});"
    if kind < 5:
        return f"    // rotate the {k} before the {p} {r.choice(WORDS)} expires (see issue #{r.randrange(9999)})"
    if kind < 6:
        return f'    "{k}_{p}": "{p}-{r.randrange(10**6)}",'
    if kind < 7:
        # A sha-like hex value next to a keyword: a 40-character run that is no secret.
        return f"    {k}_sha = \"{''.join(r.choice('0123456789abcdef') for _ in range(40))}\""
    if kind < 8:
        # A long identifier next to a keyword (SDK model names run past 40 characters).
        return f"    {k}{''.join(w.title() for w in r.sample(PLAIN, 6))}Shape: {p}"
    if kind < 9:
        return f"    {k}Blob = '{''.join(r.choice(B64) for _ in range(76))}'"
    if kind < 10:
        return f"    if ({k} == null || {k}.length > {r.randrange(100)}) {{ throw new Error('missing {k} for {p}'); }}"
    if kind < 11:
        return f"    {k.upper()}_{p.upper()} = os.environ.get('{k.upper()}_{p.upper()}', '{p}')"
    return f"    {p}.{k} = {p}Options.{k} ?? default{k[0].upper() + k[1:]};"


def main():
    args = [a for a in sys.argv[1:] if a != "--no-runs"]
    out, size_mb = args[0], int(args[1]) if len(args) > 1 else 500
    pairs = int(args[2]) if len(args) > 2 else 10
    r = random.Random(15)
    os.makedirs(out, exist_ok=True)
    pool = [line(r) for _ in range(20000)]
    total, target, n, planted = 0, size_mb * 1024 * 1024, 0, 0
    plant_every = max(1, (target // 24000) // max(1, pairs))
    while total < target:
        d = os.path.join(out, f"pkg{n // 500:03d}", f"mod{(n // 25) % 20:02d}")
        os.makedirs(d, exist_ok=True)
        ext = r.choice([".ts", ".js", ".py", ".json", ".go", ".java", ".yaml"])
        lines = [pool[r.randrange(len(pool))] for _ in range(r.randint(200, 500))]
        if n % plant_every == 0 and planted < pairs:
            lines.insert(r.randrange(len(lines)), f'    aws_access_key_id = "{key_id(r)}"\n    aws_secret_access_key = "{secret(r)}"')
            planted += 1
        data = "\n".join(lines) + "\n"
        with open(os.path.join(d, f"file{n:06d}{ext}"), "w") as f:
            f.write(data)
        total += len(data)
        n += 1
    print(f"generated {n} files, {total / 1048576:.0f} MB, {planted} planted pairs in {out}")


main()
