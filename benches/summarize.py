#!/usr/bin/env python3
"""Prints the tables of BENCHMARKS.md from the medians of the last `cargo bench -p autodiff`.

Reads target/criterion/*/*/new/{benchmark,estimates}.json (criterion's own output) and prints,
for each group, the median time of every variant and its ratio to the group's primal (or first
variant). Run from the repository root: python3 benches/summarize.py
"""

import json
import pathlib
import sys


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    groups = {}
    for meta in sorted(root.glob("*/*/new/benchmark.json")):
        info = json.loads(meta.read_text())
        estimates = json.loads((meta.parent / "estimates.json").read_text())
        groups.setdefault(info["group_id"], {})[info["function_id"]] = estimates["median"][
            "point_estimate"
        ]
    for group, variants in groups.items():
        base_name = "primal" if "primal" in variants else next(iter(variants))
        base = variants[base_name]
        print(f"\n{group}\n")
        print(f"| variant | median | ÷ {base_name} |")
        print("|---|---:|---:|")
        for name, ns in variants.items():
            print(f"| {name} | {fmt(ns)} | {ns / base:.2f} |")


if __name__ == "__main__":
    main()
