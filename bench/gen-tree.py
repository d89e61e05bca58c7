#!/usr/bin/env python3
"""Generates a source-like tree of SIZE_MB megabytes with a few planted AWS credentials.

Deterministic for a seed. Keys are generated here at run time (new-format IDs with a decodable account), so nothing
credential-shaped is committed. Content mixes code, config, JSON and base64 blobs, and words like 'token' and
'secret' appear at a realistic rate so that keyword prefilters are exercised, not bypassed.
"""
import os, random, sys, string

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakekeys import key_id, secret  # noqa: E402

WORDS = ("config value result handler request response client server user account name path options "
         "index buffer stream parse render update delete create fetch build cache logger error retry timeout "
         "region bucket object policy role permission manager service factory adapter item list count").split()

# Credential vocabulary appears, as in real code, in a small share of lines (about 1 in 150).
RARE = [
    "    const secretName = process.env.SECRET_NAME || 'app/prod/db';",
    "    token = request.headers.get('x-auth-token')",
    "    sessionToken: credentials.sessionToken,",
    "    // rotate the signing key before the secret expires",
    "    aws_secret_access_key = os.environ['AWS_SECRET_ACCESS_KEY']",
    "    String accessKey = System.getenv(\"AWS_ACCESS_KEY_ID\");",
]

def line(r):
    if r.randrange(150) == 0:
        return r.choice(RARE)
    kind = r.randrange(10)
    w = lambda: r.choice(WORDS)
    if kind < 4:
        return f"    const {w()}{w().title()} = await this.{w()}.{w()}({w()}, {r.randrange(1000)});"
    if kind < 6:
        return f"    // {w()} the {w()} before {w()}ing the {w()} (see issue #{r.randrange(9999)})"
    if kind < 7:
        return f'    "{w()}_{w()}": "{w()}-{r.randrange(10**6)}",'
    if kind < 8:
        return "    " + "".join(r.choice(string.ascii_letters + string.digits + "+/") for _ in range(76))
    if kind < 9:
        return f"    if ({w()} == null || {w()}.length > {r.randrange(100)}) {{ throw new Error('{w()} {w()}'); }}"
    return f"    {w()}_{w()} = os.environ.get('{w().upper()}_{w().upper()}', '{w()}')"

def main():
    out, size_mb = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500
    secrets_wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    r = random.Random(42)
    os.makedirs(out, exist_ok=True)
    total, target, n = 0, size_mb * 1024 * 1024, 0
    # A pool of pre-made lines keeps generation fast; files differ by sampling.
    pool = [line(r) for _ in range(20000)]
    plant_every = max(1, (target // 24000) // max(1, secrets_wanted))
    planted = 0
    while total < target:
        d = os.path.join(out, f"pkg{n // 500:03d}", f"mod{(n // 25) % 20:02d}")
        os.makedirs(d, exist_ok=True)
        ext = r.choice([".ts", ".js", ".py", ".json", ".go", ".java", ".yaml"])
        lines = [pool[r.randrange(len(pool))] for _ in range(r.randint(200, 500))]
        if n % plant_every == 0 and planted < secrets_wanted:
            lines.insert(r.randrange(len(lines)), f'    aws_access_key_id = "{key_id(r)}"\n    aws_secret_access_key = "{secret(r)}"')
            planted += 1
        data = "\n".join(lines) + "\n"
        with open(os.path.join(d, f"file{n:06d}{ext}"), "w") as f:
            f.write(data)
        total += len(data)
        n += 1
    print(f"generated {n} files, {total / 1048576:.0f} MB, {planted} planted pairs in {out}")

main()
