"""Counts the requests schemathesis sent per API operation (from its HAR reports) and how the
server answered them, for RELIABILITY.md: `python3 summary.py OPENAPI.yaml REPORT.har...`."""

import collections
import json
import re
import sys
from urllib.parse import urlparse

import yaml


def templates(spec_path):
    spec = yaml.safe_load(open(spec_path))
    out = []
    for path, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]*", path.replace(".", r"\.")) + "$"
        for method in item:
            if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                out.append((method.upper(), path, re.compile(pattern)))
    return out


def main():
    ops = templates(sys.argv[1])
    counts = collections.defaultdict(collections.Counter)
    for har in sys.argv[2:]:
        for entry in json.load(open(har))["log"]["entries"]:
            method = entry["request"]["method"]
            path = urlparse(entry["request"]["url"]).path
            status = entry["response"]["status"]
            name = next(
                (f"{m} {p}" for m, p, r in ops if m == method and r.match(path)),
                "methods a path does not take (405 expected)",
            )
            counts[name]["requests"] += 1
            counts[name][f"{status // 100}xx"] += 1
    width = max(len(n) for n in counts) if counts else 10
    print(f"  {'operation':<{width}} {'requests':>9} {'2xx':>7} {'4xx':>7} {'5xx':>5}")
    total = collections.Counter()
    for name in sorted(counts):
        c = counts[name]
        total.update(c)
        print(f"  {name:<{width}} {c['requests']:>9} {c['2xx']:>7} {c['4xx']:>7} {c['5xx']:>5}")
    print(f"  {'all':<{width}} {total['requests']:>9} {total['2xx']:>7} {total['4xx']:>7} {total['5xx']:>5}")
    sys.exit(1 if total["5xx"] else 0)


main()
