#!/usr/bin/env python3
"""Checks the shipped reference data in core/reference-data/ the way the core's parser reads it.

Reads substances.csv, blends.csv and hs_codes.csv (lines starting with '#' are comments, fields are
trimmed), checks every rule the data must keep, prints counts and exits non-zero on any problem:

* substances.csv: ids unique; group and annex_group from the allowed lists; odp a number >= 0;
  odp_range empty or LOW-HIGH (only on Annex C rows) with LOW <= odp <= HIGH; gwp empty or a number
  >= 0; odp_source, gwp_source and hs_source present; controlled groups carry an annex group and
  uncontrolled ones none;
* hs_codes.csv: codes written NNNN.NN and unique; description, covers and source present; every
  substance's hs_code present;
* blends.csv: rows of a blend contiguous; aliases and name on the first row only; components are
  pure substances (not a pre-blended polyol), each once, mass_pct in (0, 100], percentages summing
  to 100 within 0.01, a source on every row; a blend id is not a pure substance id;
* names: no normalized name (id, each alias, chemical_name or blend name, formula) belongs to two
  substances or blends. Normalization: lowercase; whitespace, '-', '.', ',' and the Unicode dashes
  U+2010..U+2015 and U+2212 removed.

Usage: python3 scripts/check-reference.py [DATA_DIR]   (default: core/reference-data next to scripts/)
Standard library only.
"""

import csv
import io
import os
import re
import sys
from collections import Counter

GROUPS = ["CFC", "halon", "other ODS", "HCFC", "HBFC", "HFC", "HFO", "HC", "PFC", "other", "polyol"]
ANNEX_GROUPS = ["A/I", "A/II", "B/I", "B/II", "B/III", "C/I", "C/II", "C/III", "E/I", "F/I", "F/II"]
# Groups whose members the Montreal Protocol controls (they must carry an annex group), and those it
# does not (they must not).
CONTROLLED_GROUPS = {"CFC", "halon", "other ODS", "HCFC", "HBFC", "HFC", "polyol"}
UNCONTROLLED_GROUPS = {"HFO", "HC", "PFC", "other"}
PCT_TOLERANCE = 0.01

SUBSTANCE_COLUMNS = ["id", "aliases", "chemical_name", "formula", "group", "annex_group", "odp",
                     "odp_range", "odp_source", "gwp", "gwp_source", "hs_code", "hs_source"]
BLEND_COLUMNS = ["blend_id", "aliases", "name", "component_id", "mass_pct", "source"]
HS_COLUMNS = ["code", "description", "covers", "source", "note"]

NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
SUBHEADING = re.compile(r"^[0-9]{4}\.[0-9]{2}$")
DASHES = {"-", ".", ","} | {chr(c) for c in range(0x2010, 0x2016)} | {"\u2212"}

problems = []


def problem(message):
    problems.append(message)


def normalize(text):
    return "".join(c for c in text if not c.isspace() and c not in DASHES).lower()


def read_rows(path, columns):
    """Rows of a data file as dicts, '#' lines skipped and fields trimmed; None if unreadable."""
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            text = "".join(line for line in f if not line.startswith("#"))
    except OSError as e:
        problem(f"{name}: cannot read: {e}")
        return None
    reader = csv.reader(io.StringIO(text))
    try:
        records = list(reader)
    except csv.Error as e:
        problem(f"{name}: not valid CSV: {e}")
        return None
    if not records:
        problem(f"{name}: no header line")
        return None
    header = [h.strip() for h in records[0]]
    if header != columns:
        problem(f"{name}: header is {header}, expected {columns}")
        return None
    rows = []
    for number, record in enumerate(records[1:], start=1):
        if len(record) != len(header):
            problem(f"{name}: record {number}: {len(record)} fields, expected {len(header)}")
            continue
        rows.append({key: value.strip() for key, value in zip(header, record)})
    return rows


def number(text):
    """A non-negative decimal as the data writes it (digits, optional fraction), else None."""
    return float(text) if NUMBER.match(text) else None


def split_aliases(field):
    return [a.strip() for a in field.split("|") if a.strip()]


def check_hs(rows):
    codes = set()
    for row in rows:
        code = row["code"]
        if not SUBHEADING.match(code):
            problem(f"hs_codes.csv: code {code!r} is not NNNN.NN")
        if code in codes:
            problem(f"hs_codes.csv: code {code} listed twice")
        codes.add(code)
        for field in ("description", "covers", "source"):
            if not row[field]:
                problem(f"hs_codes.csv: {code}: {field} is required")
    return codes


def check_substances(rows, hs_codes):
    pure = {}
    for row in rows:
        sid = row["id"]
        at = f"substances.csv: {sid or '(empty id)'}"
        if not sid:
            problem(f"{at}: id is required")
            continue
        if sid in pure:
            problem(f"{at}: id listed twice")
            continue
        pure[sid] = row
        group, annex = row["group"], row["annex_group"]
        if group not in GROUPS:
            problem(f"{at}: unknown group {group!r}")
        if annex and annex not in ANNEX_GROUPS:
            problem(f"{at}: unknown annex_group {annex!r}")
        if group in CONTROLLED_GROUPS and not annex:
            problem(f"{at}: group {group} is controlled but annex_group is empty")
        if group in UNCONTROLLED_GROUPS and annex:
            problem(f"{at}: group {group} is not controlled but annex_group is {annex}")
        if not row["chemical_name"]:
            problem(f"{at}: chemical_name is required")

        odp = number(row["odp"])
        if odp is None:
            problem(f"{at}: odp {row['odp']!r} must be a number >= 0")
        else:
            depleting = annex[:1] in ("A", "B", "C", "E")
            if depleting and odp <= 0:
                problem(f"{at}: annex {annex} substance with odp {row['odp']}")
            if not depleting and odp != 0:
                problem(f"{at}: odp {row['odp']} but not in Annex A, B, C or E")
        rng = row["odp_range"]
        if rng:
            parts = rng.split("-")
            low = number(parts[0]) if len(parts) == 2 else None
            high = number(parts[1]) if len(parts) == 2 else None
            if low is None or high is None or low > high:
                problem(f"{at}: odp_range {rng!r} must be LOW-HIGH")
            elif not annex.startswith("C/"):
                problem(f"{at}: odp_range {rng!r} on a non-Annex C row ({annex or 'uncontrolled'})")
            elif odp is not None and not (low <= odp <= high):
                problem(f"{at}: odp {row['odp']} outside odp_range {rng}")

        if row["gwp"] and number(row["gwp"]) is None:
            problem(f"{at}: gwp {row['gwp']!r} must be empty or a number >= 0")
        for field in ("odp_source", "gwp_source", "hs_source"):
            if not row[field]:
                problem(f"{at}: {field} is required")
        code = row["hs_code"]
        if not SUBHEADING.match(code):
            problem(f"{at}: hs_code {code!r} is not NNNN.NN")
        elif code not in hs_codes:
            problem(f"{at}: hs_code {code} is not in hs_codes.csv")
    return pure


def check_blends(rows, pure):
    blends = {}  # id -> list of rows, in file order
    order = []
    for row in rows:
        bid = row["blend_id"]
        if order and order[-1] == bid:
            if row["aliases"] or row["name"]:
                problem(f"blends.csv: {bid}: aliases and name belong on the blend's first row only")
            blends[bid].append(row)
            continue
        if bid in blends:
            problem(f"blends.csv: {bid}: rows of a blend must be contiguous")
            blends[bid].append(row)
            continue
        order.append(bid)
        blends[bid] = [row]

    for bid, brows in blends.items():
        at = f"blends.csv: {bid or '(empty id)'}"
        if not bid:
            problem(f"{at}: blend_id is required")
        if bid in pure:
            problem(f"{at}: blend id is also a pure substance id")
        if not brows[0]["name"]:
            problem(f"{at}: name is required on the first row")
        seen = set()
        total = 0.0
        for row in brows:
            cid = row["component_id"]
            component = pure.get(cid)
            if component is None:
                problem(f"{at}: unknown component {cid!r}")
            elif component["group"] == "polyol":
                problem(f"{at}: a pre-blended polyol cannot be a blend component")
            if cid in seen:
                problem(f"{at}: component {cid} listed twice")
            seen.add(cid)
            pct = number(row["mass_pct"])
            if pct is None or not (0 < pct <= 100):
                problem(f"{at}: {cid} mass_pct {row['mass_pct']!r} must be in (0, 100]")
            else:
                total += pct
            if not row["source"]:
                problem(f"{at}: {cid} source is required")
        if abs(total - 100.0) > PCT_TOLERANCE:
            problem(f"{at}: component mass percentages sum to {round(total, 6)}, not 100")
    return blends


def check_names(pure, blends):
    owner = {}  # normalized name -> (kind, id)

    def claim(label, what):
        key = normalize(label)
        if not key:
            problem(f"{what[1]}: empty name {label!r}")
            return
        other = owner.get(key)
        if other is not None and other != what:
            problem(f"name {label!r} belongs to both {other[1]} and {what[1]}")
            return
        owner[key] = what

    for sid, row in pure.items():
        what = ("substance", sid)
        for label in [sid] + split_aliases(row["aliases"]) + [row["chemical_name"]]:
            claim(label, what)
        if row["formula"]:
            claim(row["formula"], what)
    for bid, brows in blends.items():
        what = ("blend", bid)
        for label in [bid] + split_aliases(brows[0]["aliases"]) + [brows[0]["name"]]:
            if label:
                claim(label, what)
    return len(owner)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "core", "reference-data")
    hs_rows = read_rows(os.path.join(data, "hs_codes.csv"), HS_COLUMNS)
    substance_rows = read_rows(os.path.join(data, "substances.csv"), SUBSTANCE_COLUMNS)
    blend_rows = read_rows(os.path.join(data, "blends.csv"), BLEND_COLUMNS)

    hs_codes = check_hs(hs_rows) if hs_rows is not None else set()
    pure = check_substances(substance_rows, hs_codes) if substance_rows is not None else {}
    blends = check_blends(blend_rows, pure) if blend_rows is not None else {}
    names = check_names(pure, blends)

    by_group = Counter(row["group"] for row in pure.values())
    by_annex = Counter(row["annex_group"] or "(not controlled)" for row in pure.values())
    print(f"pure substances: {len(pure)}")
    print("  by group:       " + ", ".join(f"{g} {by_group[g]}" for g in GROUPS if by_group[g]))
    annex_order = ANNEX_GROUPS + ["(not controlled)"]
    print("  by annex group: " + ", ".join(f"{a} {by_annex[a]}" for a in annex_order if by_annex[a]))
    print(f"blends: {len(blends)} ({sum(len(r) for r in blends.values())} component rows)")
    print(f"HS 2022 subheadings: {len(hs_codes)}")
    print(f"distinct lookup names: {names}")

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("reference data OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
