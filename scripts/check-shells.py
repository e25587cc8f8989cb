#!/usr/bin/env python3
"""Checks the phone shells against the core's contract, without an Android SDK or Swift compiler:

1. Localisation: every message the core can give (`message_catalog()` from the generated Python
   bindings) has a string `msg_<id>` in English and in Bahasa Indonesia on both platforms:
   android/app/src/main/res/values/strings.xml and values-in/strings.xml (placeholders %1$s,
   %2$s, ... one per argument), and ios/App/Quayside/Localizable.xcstrings ("en" and "id",
   placeholders %1$@, ...). A translation identical to the English is reported when it is
   more than a word or two (a copy, not a translation).
2. No shell reads the core's English: the shells' Kotlin and Swift (not their tests) may not compare or search an
   error's or refusal's text (`.message`, `.detail`, `.reason`, `localizedDescription`,
   `localizedMessage`, `.english()` with ==, !=, contains, startsWith, hasPrefix, equals,
   matches, range(of:) or a `when`/`switch` over it). Decisions go by codes and enums.
3. 16 KB pages: every Android Rust target in .cargo/config.toml links with
   max-page-size=16384, and the app's JNA is 5.17.0 or later (whose libjnidispatch.so is 16 KB
   aligned).

Usage: scripts/check-shells.py [--bindings build/bindings/python]
Exit status non-zero on any problem; each problem is printed with its file.
"""
import argparse
import json
import os
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def catalog(bindings, lib_dir):
    """The catalogue from the generated Python bindings and the built library (copied into one
    folder: the generated module loads the library from its own folder)."""
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp(prefix="check-shells-")
    shutil.copy(bindings / "quayside_core.py", tmp)
    for name in ("libquayside_core.so", "libquayside_core.dylib"):
        if (lib_dir / name).exists():
            shutil.copy(lib_dir / name, tmp)
    sys.path.insert(0, tmp)
    try:
        import quayside_core  # noqa: E402

        return [(e.id, list(e.args), e.english) for e in quayside_core.message_catalog()]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def android_strings(path):
    if not path.exists():
        problem(path.relative_to(ROOT), "missing")
        return {}
    out = {}
    for s in ET.parse(path).getroot().iter("string"):
        out[s.get("name")] = "".join(s.itertext())
    return out


def placeholders(text, kind):
    if kind == "android":
        return sorted(set(int(n) for n in re.findall(r"%(\d+)\$s", text)))
    return sorted(set(int(n) for n in re.findall(r"%(\d+)\$@", text)))


def check_android(entries):
    res = ROOT / "android/app/src/main/res"
    en = android_strings(res / "values/strings.xml")
    ind = android_strings(res / "values-in/strings.xml")
    for lang, table, path in (("en", en, "values"), ("in", ind, "values-in")):
        for mid, args, english in entries:
            name = f"msg_{mid}"
            where = f"android res/{path}/strings.xml {name}"
            if name not in table:
                problem(where, "missing")
                continue
            want = list(range(1, len(args) + 1))
            if placeholders(table[name], "android") != want:
                problem(where, f"placeholders {placeholders(table[name], 'android')}, want {want} for {args}")
            if lang == "in" and table[name].strip() == en.get(name, "").strip() and len(english.split()) > 2:
                problem(where, "identical to the English: not translated")


def check_ios(entries):
    path = ROOT / "ios/App/Quayside/Localizable.xcstrings"
    if not path.exists():
        problem(path.relative_to(ROOT), "missing")
        return
    strings = json.loads(path.read_text()).get("strings", {})
    for mid, args, english in entries:
        name = f"msg_{mid}"
        units = strings.get(name, {}).get("localizations", {})
        for lang in ("en", "id"):
            where = f"ios Localizable.xcstrings {name} [{lang}]"
            value = units.get(lang, {}).get("stringUnit", {}).get("value")
            if value is None:
                problem(where, "missing")
                continue
            want = list(range(1, len(args) + 1))
            if placeholders(value, "ios") != want:
                problem(where, f"placeholders {placeholders(value, 'ios')}, want {want} for {args}")
            if lang == "id":
                en_value = units.get("en", {}).get("stringUnit", {}).get("value", "")
                if value.strip() == en_value.strip() and len(english.split()) > 2:
                    problem(where, "identical to the English: not translated")


TEXT = r"(?:\b(?:message|detail|reason|localizedDescription|localizedMessage|errorDescription)\b|\.english\(\))"
COMPARE = [
    # text == "...", text.contains("..."), text?.startsWith(...), text.range(of: ...)
    TEXT + r"\s*(?:==|!=)",
    TEXT + r"[?!]?\.(?:contains|startsWith|endsWith|hasPrefix|hasSuffix|equals|matches|range|firstMatch|lowercase|lowercased|uppercased)\(",
    r"(?:==|!=)\s*[\w.?]*" + TEXT + r"\b",
    # "...".contains(text), Regex(...).matches(text)
    r"\.(?:contains|startsWith|hasPrefix|equals|matches|containsMatchIn|find)\([^)]*" + TEXT,
    # when (e.message) { ... } / switch error.localizedDescription { ... }
    r"\b(?:when|switch)\s*\(?\s*[\w.?]*" + TEXT + r"\s*\)?\s*\{",
]


def check_no_message_matching():
    # The shells' own code (tests may look at whatever they like).
    files = [p for p in (ROOT / "android").rglob("src/main/**/*.kt")]
    files += [p for d in ("ios/Sources", "ios/App") for p in (ROOT / d).rglob("*.swift")]
    for f in files:
        if "/build/" in str(f) or f.name.startswith("quayside_core") or f.name == "QuaysideCore.swift":
            continue
        for n, line in enumerate(f.read_text().splitlines(), 1):
            code = line.split("//")[0]
            for pattern in COMPARE:
                if re.search(pattern, code):
                    problem(f"{f.relative_to(ROOT)}:{n}", f"decides on the core's text: {line.strip()}")
                    break


def check_page_size():
    config = ROOT / ".cargo/config.toml"
    text = config.read_text() if config.exists() else ""
    for target in ("aarch64-linux-android", "x86_64-linux-android", "armv7-linux-androideabi"):
        section = re.search(r"\[target\." + re.escape(target) + r"\]\n(.*?)(?=\n\[|\Z)", text, re.S)
        if not section or "max-page-size=16384" not in section.group(1):
            problem(".cargo/config.toml", f"{target} does not link with -z max-page-size=16384")
    versions = ROOT / "android/gradle/libs.versions.toml"
    m = re.search(r'^jna\s*=\s*"(\d+)\.(\d+)\.(\d+)"', versions.read_text(), re.M) if versions.exists() else None
    if not m or tuple(map(int, m.groups())) < (5, 17, 0):
        problem("android/gradle/libs.versions.toml", "JNA must be 5.17.0 or later (16 KB aligned libjnidispatch.so)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindings", default=str(ROOT / "build/bindings/python"))
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/quayside-target"))
    ap.add_argument("--lib-dir", default=str(target / "debug"))
    args = ap.parse_args()
    entries = catalog(pathlib.Path(args.bindings), pathlib.Path(args.lib_dir))
    check_android(entries)
    check_ios(entries)
    check_no_message_matching()
    check_page_size()
    for p in problems:
        print(p)
    print(f"check-shells: {len(entries)} messages x 2 platforms x 2 languages; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
