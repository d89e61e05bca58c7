#!/usr/bin/env python3
"""Generates N small git repositories (bare, via git fast-import) with short histories and a few planted secrets.
Usage: gen-org.py OUT_DIR N [COMMITS_PER_REPO] [SEED]. Keys are generated at run time: nothing credential-shaped is
committed to KeyGuard itself."""
import os, random, subprocess, sys

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
WORDS = "alpha beta gamma delta service handler request response client server config cache queue worker".split()

def key_id(rnd):  # "AKIA" + 16 base32 characters, built here so no literal is stored
    return "AK" + "IA" + "".join(rnd.choice(B32) for _ in range(16))

def secret(rnd):
    while True:
        s = "".join(rnd.choice(B64) for _ in range(40))
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s

def source_file(rnd, lines):
    return "".join(f"def {rnd.choice(WORDS)}_{i}(x):\n    return x * {rnd.randint(1, 99)}  # {rnd.choice(WORDS)}\n" for i in range(lines))

def repo_stream(rnd, name, commits):
    out, files, mark, t = [], {}, 0, 1_700_000_000
    for c in range(commits):
        changes = {}
        for _ in range(rnd.randint(1, 3)):
            path = f"src/{rnd.choice(WORDS)}/{rnd.choice(WORDS)}_{rnd.randint(0, 9)}.py"
            changes[path] = source_file(rnd, rnd.randint(5, 40))
        if rnd.random() < 0.15:  # a few secrets per repository
            changes[f"config/{rnd.choice(WORDS)}.env"] = f"AWS_ACCESS_KEY_ID={key_id(rnd)}\nAWS_SECRET_ACCESS_KEY={secret(rnd)}\n"
        files.update(changes)
        mark += 1
        msg = f"{name}: change {c}\n".encode()
        out.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@example.invalid> {t + c * 3600} +0000\ndata {len(msg)}\n".encode() + msg)
        if c > 0: out.append(f"from :{mark - 1}\n".encode())
        for path, content in changes.items():
            data = content.encode()
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        out.append(b"\n")
    return b"".join(out)

def main():
    out_dir, n = sys.argv[1], int(sys.argv[2])
    commits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    os.makedirs(out_dir, exist_ok=True)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1")
    for i in range(n):
        path = os.path.join(out_dir, f"repo{i:03d}.git")
        subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", path], check=True, env=env)
        subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=repo_stream(rnd, f"repo{i:03d}", commits), check=True, env=env)

if __name__ == "__main__":
    main()
