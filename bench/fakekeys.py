"""Fake AWS credentials for the benchmark generators, made at run time: nothing credential-shaped is committed.

Key IDs are new-format (the account decodes offline, aws-iam.md section 5); secrets have both cases and a digit.
"""
import string

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def key_id(r, prefix="AKIA", account=123456789012):
    z = (1 << 47) | (account << 7) | r.randrange(128)
    head = (z << 2) | r.randrange(4)
    body = ""
    for _ in range(10):
        body = BASE32[head & 31] + body
        head >>= 5
    return prefix + body + "".join(r.choice(BASE32) for _ in range(6))


def secret(r):
    while True:
        s = "".join(r.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
        if any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s):
            return s
