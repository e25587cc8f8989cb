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
4. No English in the Android app's Compose code (android/app/src/main/kotlin): a string literal
   with a letter in it (templates and escapes aside) is a problem where the screen shows it: an
   argument of Text, SectionTitle, BackTopBar or a field's label (Field, FormField,
   SubstanceField), or a named argument contentDescription, label, title, text, placeholder or
   supportingText, however deep in the expression (`Text("Seizure: $it")`, `Text(a ?: "none")`,
   `label = { Text("Cancel") }`, `contentDescription = caption ?: "photo"`). The words come from
   string resources through `str("id", args...)`: a literal directly inside `str(...)` is a
   resource name and is fine, as are route names, form keys, log tags and MIME types elsewhere.
   Nor may the app show an enum's name (`t.name.lowercase()`): each value has a label.
5. No English in the iOS app: scripts/ios_strings.py (every SwiftUI literal key and every key the
   Swift looks up is in Localizable.xcstrings with "en" and "id", placeholders matching).

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


# Compose calls whose argument at these positions is shown; named arguments shown wherever they are.
UI_CALLS = {"Text": {0}, "SectionTitle": {0}, "BackTopBar": {0}, "Field": {0}, "FormField": {0}, "SubstanceField": {0}}
UI_ARGS = {"contentDescription", "label", "title", "text", "placeholder", "supportingText"}


def kotlin_literals(src):
    """The string literals of Kotlin source [src]: (offset, words, stack) with words the literal's own
    characters (escapes and `$x`/`${...}` templates left out) and stack the enclosing parentheses and
    braces, innermost last: ["(", callee, argument index, named argument] or ["{"]."""
    out, stack, i, n = [], [], 0, len(src)
    ident = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

    def string(i, raw):
        # i just past the opening quote(s); returns (index past the closing quote(s), words).
        words = []
        while i < n:
            if raw and src.startswith('"""', i):
                return i + 3, "".join(words)
            c = src[i]
            if not raw and c == '"':
                return i + 1, "".join(words)
            if not raw and c == "\\":
                i += 6 if src.startswith("u", i + 1) else 2
                continue
            if c == "$" and src.startswith("{", i + 1):
                i = code(i + 2, stop="}")
                continue
            if c == "$" and ident.match(src, i + 1):
                i = ident.match(src, i + 1).end()
                continue
            words.append(c)
            i += 1
        return i, "".join(words)

    def code(i, stop=None):
        depth = 0
        while i < n:
            c = src[i]
            if src.startswith("//", i):
                i = src.find("\n", i)
                i = n if i < 0 else i
            elif src.startswith("/*", i):
                i = src.find("*/", i + 2)
                i = n if i < 0 else i + 2
            elif c == "'":
                i = src.find("'", i + (3 if src.startswith("\\", i + 1) else 2)) + 1
            elif c == '"':
                raw = src.startswith('"""', i)
                start = i
                i, words = string(i + (3 if raw else 1), raw)
                out.append((start, words, [list(f) for f in stack]))
            elif c == "(":
                m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", src[max(0, i - 80):i])
                stack.append(["(", m.group(1) if m else "", 0, None])
                i += 1
            elif c == "{":
                depth += 1
                stack.append(["{"])
                i += 1
            elif c in ")}":
                if c == "}" and stop and depth == 0:
                    return i + 1
                if c == "}":
                    depth -= 1
                if stack:
                    stack.pop()
                i += 1
            elif c == "," and stack and stack[-1][0] == "(":
                stack[-1][2] += 1
                stack[-1][3] = None
                i += 1
            elif c == "=" and stack and stack[-1][0] == "(" and src[i + 1:i + 2] != "=" and src[i - 1:i] not in "=!<>":
                m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", src[max(0, i - 80):i])
                stack[-1][3] = m.group(1) if m else None
                i += 1
            else:
                i += 1
        return i

    code(0)
    return out


def shown_literal(stack):
    """Whether a literal inside [stack] is shown on screen as it is (not a resource name given to `str`)."""
    for frame in reversed(stack):
        if frame[0] != "(":
            continue
        _, callee, index, named = frame
        if callee == "str":
            return False
        if named in UI_ARGS:
            return True
        if callee in UI_CALLS and named is None and index in UI_CALLS[callee]:
            return True
    return False


def check_android_literals():
    for f in sorted((ROOT / "android/app/src/main/kotlin").rglob("*.kt")):
        src = f.read_text()
        for offset, words, stack in kotlin_literals(src):
            if re.search(r"[^\W\d_]", words) and shown_literal(stack):
                line = src.count("\n", 0, offset) + 1
                snippet = src.splitlines()[line - 1].strip()
                problem(f"{f.relative_to(ROOT)}:{line}", f"English shown as it is (a string resource through str(id), in values and values-in): {snippet}")
        # An enum's name is English too: values are named by labels (the core's label(), or the shell's `.label`).
        for n, line in enumerate(src.splitlines(), 1):
            if re.search(r"\.name\??\.(?:lowercase|uppercase|replace|replaceFirstChar|capitalize)\(", line.split("//")[0]):
                problem(f"{f.relative_to(ROOT)}:{n}", f"an enum's name shown as words (use its label): {line.strip()}")


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
    check_android_literals()
    sys.path.insert(0, str(ROOT / "scripts"))
    import ios_strings

    problems.extend(ios_strings.problems())
    for p in problems:
        print(p)
    print(f"check-shells: {len(entries)} messages x 2 platforms x 2 languages; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
