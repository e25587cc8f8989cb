#!/usr/bin/env python3
"""Checks that the iOS shell shows no English the officer cannot have translated.

Every user-visible string of ios/App and ios/Sources (QuaysideKit) must come from the app's
string catalog, ios/App/Quayside/Localizable.xcstrings, in English ("en") and Bahasa Indonesia
("id"). The check finds the keys the Swift uses and looks each one up:

1. SwiftUI string literals, which SwiftUI looks up as a `LocalizedStringKey`: the first argument of
   Text, Button, Label, Section, TextField, SecureField, Toggle, Picker, NavigationLink,
   ProgressView, LabeledContent, Menu, .navigationTitle, .alert, .confirmationDialog, .help,
   .accessibilityLabel, a `prompt:` argument, and the app's own views whose label is a
   `LocalizedStringKey` (FieldRow(label:), ValueRow, SubstanceField(title:), the editor's field(...)).
2. `String(localized: "...")`: a string built in Swift from the catalog.
3. Keys given to the shell's localisation helper with their English default:
   `Localization.text("key", "English")`, and the thin wrappers around it (`t(...)` in
   UserFacingError, `text(...)`/`format(...)` in ReviewText). Their English default must also be
   the catalog's "en" value, so that English officers read what the code says.

A key is a problem when it is missing from the catalog, when it lacks an "en" or "id" value, when a
value's placeholders differ from the key's (or from the English default's), or when the "id" value
is the English copied (more than two words). Every `*UsageDescription` of ios/App/Info.plist (the
permission prompts) needs "en" and "id" in ios/App/Quayside/InfoPlist.xcstrings. `Text(verbatim: "...")` whose literal has a letter
outside its interpolations is a problem too (verbatim text is never translated).

Interpolations, as Xcode extracts them (an approximation, documented here): a literal with
`\\(...)` becomes a format key, each interpolation a placeholder and each literal `%` a `%%`. Xcode
picks the placeholder by the value's type (`%@` String, `%lld` Int, `%u` UInt32, `%lf` Double...);
without a type checker this script accepts any of those specifiers in the catalog key at that
place (and reports the key with `%@` when none matches). A key with no letter outside its
placeholders (" · ", "%@ × %@") has nothing to translate and is not looked up. Lines that are
comments are skipped; string literals spanning lines (`\"\"\"`) are not read.

Usage: python3 scripts/ios_strings.py     exit 1 with one line per problem, else 0 and a summary.
Importable: `problems()` returns the problem lines (for scripts/check-shells.py and others).
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CATALOG = ROOT / "ios/App/Quayside/Localizable.xcstrings"
INFO_PLIST = ROOT / "ios/App/Info.plist"
INFO_CATALOG = ROOT / "ios/App/Quayside/InfoPlist.xcstrings"
SOURCES = [ROOT / "ios/App", ROOT / "ios/Sources/QuaysideKit"]
LANGUAGES = ("en", "id")

# A call whose first argument, when a string literal, is a LocalizedStringKey.
SWIFTUI_CALL = re.compile(
    r"(?<![\w.])(?:Text|Button|Label|Section|TextField|SecureField|Toggle|Picker|NavigationLink|ProgressView"
    r"|LabeledContent|Menu|ValueRow|field)\(\s*(?=\")"
    r"|(?<![\w.])(?:FieldRow\(\s*label:|SubstanceField\(\s*title:)\s*(?=\")"
    r"|\.(?:navigationTitle|alert|confirmationDialog|help|accessibilityLabel)\(\s*(?=\")"
    r"|\bprompt:\s*(?=\")"
)
STRING_LOCALIZED = re.compile(r"\bString\(\s*localized:\s*(?=\")")
VERBATIM = re.compile(r"\bText\(\s*verbatim:\s*(?=\")")
# The localisation helper and its wrappers: key literal, then English literal.
HELPER = re.compile(r"(?<![\w])(?:Localization\.text|(?:ReviewText\.)?(?:text|format)|t)\(\s*(?=\"[a-z][a-z0-9_]*\"\s*,\s*\")")

SPECIFIER = r"%(?:\d+\$)?(?:@|lld|ld|llu|lu|d|i|u|lf|f|e|g)"
PLACEHOLDER = "\x00"  # an interpolation, while a key is built


def read_literal(text, i):
    """The Swift string literal starting at text[i] == '"': (pieces, end), pieces alternating
    literal text (escapes resolved) and None for each interpolation; None if it is not one."""
    if text.startswith('"""', i):
        return None
    assert text[i] == '"'
    i += 1
    pieces, buf = [], []
    while i < len(text):
        c = text[i]
        if c == "\n":
            return None
        if c == '"':
            pieces.append("".join(buf))
            return pieces, i + 1
        if c == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt == "(":
                pieces.append("".join(buf))
                buf = []
                pieces.append(None)
                i = skip_interpolation(text, i + 2)
                if i is None:
                    return None
                continue
            if nxt == "u" and text.startswith("{", i + 2):
                close = text.index("}", i + 3)
                buf.append(chr(int(text[i + 3:close], 16)))
                i = close + 1
                continue
            buf.append({"n": "\n", "t": "\t", "0": "\0", "r": "\r"}.get(nxt, nxt))
            i += 2
            continue
        buf.append(c)
        i += 1
    return None


def skip_interpolation(text, i):
    """The index after the ')' closing an interpolation whose expression starts at text[i]."""
    depth = 1
    while i < len(text):
        c = text[i]
        if c == '"':
            lit = read_literal(text, i)
            if lit is None:
                return None
            i = lit[1]
            continue
        if c == "\n":
            return None
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def key_of(pieces):
    """The catalog key of a literal, interpolations as PLACEHOLDER (literal '%' doubled when there
    is an interpolation, as LocalizedStringKey and String.LocalizationValue do)."""
    if None not in pieces:
        return pieces[0] if pieces else ""
    return "".join(PLACEHOLDER if p is None else p.replace("%", "%%") for p in pieces)


def shown(key):
    return key.replace(PLACEHOLDER, "%@")


def has_letters(text):
    text = text.replace(PLACEHOLDER, "")
    text = re.sub(SPECIFIER, "", text)
    return any(ch.isalpha() for ch in text)


def placeholders(fmt):
    """A format's arguments in order, by type: '%1$@ %2$lld' and '%@ %lld' both give ['@', 'lld']."""
    fmt = fmt.replace("%%", "")
    args, next_index = {}, 1
    for m in re.finditer(r"%(?:(\d+)\$)?(@|lld|ld|llu|lu|d|i|u|lf|f|e|g)", fmt):
        if m.group(1):
            index = int(m.group(1))
        else:
            index = next_index
            next_index += 1
        args[index] = {"i": "d", "ld": "lld", "lu": "llu"}.get(m.group(2), m.group(2))
    return [args[k] for k in sorted(args)]


def sources():
    for folder in SOURCES:
        for path in sorted(folder.rglob("*.swift")):
            yield path


def usages():
    """(path, line, kind, key, english) for every key the Swift uses, and the verbatim problems."""
    found, verbatim = [], []
    for path in sources():
        text = path.read_text()
        # Blank out comment lines (keeping offsets), so that documentation is not read as code.
        code = re.sub(r"(?m)^[ \t]*//.*$", lambda m: " " * len(m.group(0)), text)
        where = lambda pos: f"{path.relative_to(ROOT)}:{code.count(chr(10), 0, pos) + 1}"  # noqa: E731
        for kind, pattern in (("swiftui", SWIFTUI_CALL), ("string", STRING_LOCALIZED)):
            for m in pattern.finditer(code):
                lit = read_literal(code, m.end())
                if lit is None:
                    continue
                key = key_of(lit[0])
                if has_letters(key):
                    found.append((where(m.start()), kind, key, None))
        for m in HELPER.finditer(code):
            first = read_literal(code, m.end())
            rest = code[first[1]:]
            comma = re.match(r"\s*,\s*", rest)
            english = read_literal(code, first[1] + comma.end())
            if english is None or None in english[0]:
                continue
            found.append((where(m.start()), "helper", first[0][0], english[0][0]))
        for m in VERBATIM.finditer(code):
            lit = read_literal(code, m.end())
            if lit is not None and has_letters(key_of(lit[0])):
                verbatim.append(f"{where(m.start())}: Text(verbatim: \"{shown(key_of(lit[0]))}\") shows untranslated words; "
                                "use a catalog key")
    return found, verbatim


def catalog():
    data = json.loads(CATALOG.read_text())
    return data.get("strings", {})


def value(entry, language):
    return entry.get("localizations", {}).get(language, {}).get("stringUnit", {}).get("value")


def lookup(strings, key):
    """The catalog key a used key names: itself, or for a format key the catalog key matching it
    with any specifier in each placeholder."""
    if PLACEHOLDER not in key:
        return key if key in strings else None
    pattern = re.compile("".join(SPECIFIER if part == PLACEHOLDER else re.escape(part)
                                 for part in re.split(f"({PLACEHOLDER})", key) if part) + r"\Z")
    return next((k for k in strings if pattern.match(k)), None)


def problems():
    """Every problem, one line each (empty when the iOS strings are complete)."""
    out = []
    if not CATALOG.exists():
        return [f"{CATALOG.relative_to(ROOT)}: missing"]
    strings = catalog()
    found, verbatim = usages()
    out += verbatim
    seen = set()
    for where, kind, key, english in found:
        name = lookup(strings, key)
        if name is None:
            out.append(f"{where}: \"{shown(key)}\" is not in Localizable.xcstrings")
            continue
        if (name, english) in seen:
            continue
        seen.add((name, english))
        entry = strings[name]
        want = placeholders(english if kind == "helper" else name)
        for language in LANGUAGES:
            text = value(entry, language)
            if text is None:
                out.append(f"{where}: \"{name}\" has no \"{language}\" translation in Localizable.xcstrings")
                continue
            if placeholders(text) != want:
                out.append(f"{where}: \"{name}\" [{language}] \"{text}\" has placeholders {placeholders(text)}, "
                           f"the key has {want}")
        en, ind = value(entry, "en"), value(entry, "id")
        if kind == "helper" and en is not None and en != english:
            out.append(f"{where}: \"{name}\" [en] is \"{en}\" in Localizable.xcstrings but \"{english}\" in the Swift")
        if en and ind and en.strip() == ind.strip() and len(re.findall(r"[a-z]{3,}", en)) > 2:
            out.append(f"{where}: \"{name}\" [id] is the English: not translated")
    out += info_plist_problems()
    return out


def info_plist_problems():
    """The permission prompts of Info.plist, each with "en" and "id" in InfoPlist.xcstrings."""
    if not INFO_PLIST.exists():
        return []
    keys = re.findall(r"<key>(NS\w*UsageDescription)</key>", INFO_PLIST.read_text())
    if keys and not INFO_CATALOG.exists():
        return [f"{INFO_CATALOG.relative_to(ROOT)}: missing ({', '.join(keys)} are shown in English)"]
    strings = json.loads(INFO_CATALOG.read_text()).get("strings", {}) if keys else {}
    return [f"{INFO_CATALOG.relative_to(ROOT)}: {key} has no \"{language}\" translation"
            for key in keys for language in LANGUAGES if value(strings.get(key, {}), language) is None]


def main():
    found, _ = usages()
    result = problems()
    for line in result:
        print(line)
    kinds = {k: len({key for _, kind, key, _ in found if kind == k}) for k in ("swiftui", "string", "helper")}
    print(f"ios_strings: {kinds['swiftui']} SwiftUI literal keys, {kinds['string']} String(localized:) keys, "
          f"{kinds['helper']} helper keys checked against Localizable.xcstrings ({', '.join(LANGUAGES)}); "
          f"{len(result)} problems")
    return 1 if result else 0


if __name__ == "__main__":
    sys.exit(main())
