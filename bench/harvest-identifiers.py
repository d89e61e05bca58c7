#!/usr/bin/env python3
"""Harvests upper-case constants and enum members from source trees, for the word-likeness bench.

Usage: bench/harvest-identifiers.py OUT TREE...
Collects: JSON service-model enum values ("enum": [...]) and upper-case string values, Python/JS/TS/Java/Go/C#
upper-case constants (NAME = ..., NAME: ...), and enum members. Writes one identifier per line, deduplicated, as
found (underscores kept). Nothing here is committed: the lists are made at bench time from the trees.
"""
import json, os, re, sys

CONST = re.compile(rb"(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]{7,})(?![A-Za-z0-9_])")
SKIP_DIRS = {".git", "node_modules"}
EXTS = (".py", ".js", ".ts", ".json", ".java", ".go", ".cs", ".rb", ".php", ".md", ".rst", ".txt", ".yml", ".yaml")

def enums(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "enum" and isinstance(v, list):
                out.update(x for x in v if isinstance(x, str))
            else:
                enums(v, out)
    elif isinstance(node, list):
        for v in node:
            enums(v, out)

def main():
    out_path, trees = sys.argv[1], sys.argv[2:]
    found = set()
    for tree in trees:
        for root, dirs, files in os.walk(tree):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            for name in files:
                if not name.endswith(EXTS):
                    continue
                path = os.path.join(root, name)
                try:
                    data = open(path, "rb").read()
                except OSError:
                    continue
                if name.endswith(".json") and b'"enum"' in data:
                    try:
                        vals = set()
                        enums(json.loads(data), vals)
                        found.update(v for v in vals if re.fullmatch(r"[A-Z][A-Z0-9_]{7,}", v))
                    except ValueError:
                        pass
                found.update(m.decode() for m in CONST.findall(data))
    with open(out_path, "w") as f:
        for ident in sorted(found):
            f.write(ident + "\n")
    print(f"{len(found)} distinct upper-case identifiers of 8+ characters from {len(trees)} trees")

main()
