#!/usr/bin/env bash
# Checks the iOS shell's Swift as far as a machine without a Swift compiler allows:
#  1. every hand-written .swift file under ios/ parses (tree-sitter-swift): ERROR and MISSING
#     nodes are printed with their line numbers;
#  2. the generated bindings (build/bindings/swift/QuaysideCore.swift, and the copy in
#     ios/Sources/QuaysideCore/ when build-xcframework.sh made one) parse, apart from the known
#     false errors tree-sitter-swift reports on uniffi's output (see TOOLCHAIN.md);
#  3. the Swift calls the core's API as the Rust ffi (core/src/ffi/*.rs) declares it, which
#     catches API drift without a compiler:
#       - `fieldStore.<method>(labels:)` (any value named fieldStore or declared `: FieldStore`)
#         names a method of an exported `impl FieldStore`, with its argument labels in order;
#       - `FieldStore.<constructor>(...)` and `QuaysideCore.<function>(...)` likewise;
#       - `<Record>(labels:)` uses the record's fields in declaration order, and every field
#         without a uniffi default;
#       - `<Enum>.<case>` and `ApiError.<Variant>` name existing cases;
#       - a class adopting a foreign trait (SyncObserver) implements each of its methods.
# The last line of output is "N passed, M failed" (N + M = files checked); the exit status is
# non-zero when anything failed.
#   scripts/swift-check.sh [-v]     -v also lists the files that passed
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import tree_sitter, tree_sitter_swift' 2> /dev/null; then
  python3 -m pip install --quiet tree-sitter tree-sitter-swift
fi
exec python3 - "$@" << 'PY'
import pathlib
import re
import sys

import tree_sitter
import tree_sitter_swift

VERBOSE = "-v" in sys.argv[1:]
ROOT = pathlib.Path(".")
IOS = ROOT / "ios"
GENERATED_DIR = IOS / "Sources" / "QuaysideCore"
GENERATED = [ROOT / "build" / "bindings" / "swift" / "QuaysideCore.swift",
             GENERATED_DIR / "QuaysideCore.swift"]
SKIP_PARTS = {".build", "build", "DerivedData", "Frameworks", ".swiftpm"}
# tree-sitter-swift misreads these lines of uniffi's generated Swift (TOOLCHAIN.md).
KNOWN_FALSE = ["@_documentation(visibility: private)", "let writeReturn = { () }"]

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def upper_camel(name):
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


# ---------------------------------------------------------------------------------------------
# The Rust side: what the ffi exports.

def strip_rust(text):
    """The text with comments, strings and char literals blanked (same length, lines kept), so
    braces inside them do not count."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            blank(i + 1, end - 1)
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        elif c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                blank(i + 1, i + len(m.group(0)) - 1)
                i += len(m.group(0))
            else:
                i += 1  # a lifetime
        else:
            i += 1
    return "".join(out)


def block_end(code, open_brace):
    depth = 0
    for k in range(open_brace, len(code)):
        if code[k] == "{":
            depth += 1
        elif code[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return len(code)


def split_top(params):
    parts, depth, cur = [], 0, ""
    for ch in params:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def arg_names(params):
    names = []
    for p in split_top(params):
        if p.replace(" ", "") in ("&self", "self", "&mutself", "self:Arc<Self>"):
            continue
        names.append(camel(re.sub(r"^mut\s+", "", p.split(":")[0].strip())))
    return names


def fns_in(code, start, end):
    """(attributes, name, argument names) of each `pub fn`/`fn` in code[start:end]."""
    found = []
    for m in re.finditer(r"((?:#\[[^\]]*\]\s*)*)(?:pub\s+)?fn\s+(\w+)\s*(?:<[^>]*>)?\s*\(", code[start:end]):
        open_paren = start + m.end() - 1
        depth, k = 0, open_paren
        while k < end:
            if code[k] == "(":
                depth += 1
            elif code[k] == ")":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        found.append((m.group(1), m.group(2), arg_names(code[open_paren + 1:k])))
    return found


class Api:
    def __init__(self):
        self.methods = {}        # swift name -> [labels]
        self.constructors = {}
        self.functions = {}
        self.records = {}        # name -> [(field, has_default)]
        self.enums = {}          # name -> set of case names (Swift spelling)
        self.traits = {}         # name -> {method: [labels]}
        self.rust_methods = {}   # swift name -> rust name


def load_api(ffi_dir):
    api = Api()
    for path in sorted(ffi_dir.glob("*.rs")):
        text = path.read_text()
        code = strip_rust(text)
        for m in re.finditer(r"#\[uniffi::export[^\]]*\]\s*impl\s+FieldStore\s*\{", code):
            open_brace = m.end() - 1
            end = block_end(code, open_brace)
            for attrs, name, args in fns_in(code, open_brace + 1, end):
                if "uniffi::constructor" in attrs:
                    api.constructors[camel(name)] = args
                else:
                    api.methods[camel(name)] = args
                    api.rust_methods[camel(name)] = name
        for m in re.finditer(r"#\[uniffi::export[^\]]*\]\s*pub\s+fn\s+(\w+)\s*\(([^)]*)\)", code):
            api.functions[camel(m.group(1))] = arg_names(m.group(2))
        for m in re.finditer(r"#\[uniffi::export\(with_foreign\)\]\s*pub\s+trait\s+(\w+)[^{]*\{", code):
            end = block_end(code, m.end() - 1)
            api.traits[m.group(1)] = {camel(n): a for _, n, a in fns_in(code, m.end(), end)}
        # Records, enums and errors: a derive list naming uniffi, then the item.
        for m in re.finditer(r"#\[derive\(([^)]*)\)\]((?:\s*#\[[^\]]*\])*)\s*pub\s+(struct|enum)\s+(\w+)\s*\{", code):
            derives, kind, name = m.group(1), m.group(3), m.group(4)
            body_start = m.end()
            end = block_end(code, body_start - 1)
            body = text[body_start:end]
            body_code = code[body_start:end]
            if kind == "struct" and "uniffi::Record" in derives:
                fields = []
                # An attribute may hold brackets itself: #[uniffi(default = [])].
                for fm in re.finditer(r"((?:#\[(?:[^\[\]]|\[[^\]]*\])*\]\s*)*)pub\s+(\w+)\s*:", body_code):
                    attrs = body[fm.start():fm.start() + len(fm.group(1))]
                    fields.append((camel(fm.group(2)), "default" in attrs))
                api.records[name] = fields
            elif kind == "enum" and ("uniffi::Enum" in derives or "uniffi::Error" in derives):
                spell = upper_camel if "uniffi::Error" in derives else camel
                # Variants at depth 0 of the enum body.
                depth, names, token = 0, [], ""
                for ch in body_code:
                    if ch in "{(":
                        if depth == 0 and token.strip():
                            names.append(token.strip().split()[-1])
                            token = ""
                        depth += 1
                    elif ch in "})":
                        depth -= 1
                    elif depth == 0:
                        if ch == ",":
                            if token.strip():
                                names.append(token.strip().split()[-1])
                            token = ""
                        else:
                            token += ch
                if token.strip():
                    names.append(token.strip().split()[-1])
                variants = [v for v in names if re.fullmatch(r"[A-Z]\w*", v)]
                api.enums[name] = {spell(re.sub(r"(?<!^)(?=[A-Z])", "_", v).lower()) if spell is camel
                                   else v for v in variants}
        # Enums mirrored by the mirror_enum! macro.
        for m in re.finditer(r"mirror_enum!\(\s*(?:///[^\n]*\n\s*)*(\w+)\s*=\s*[\w:]+\s*\{([^}]*)\}", text):
            variants = [v.strip() for v in m.group(2).split(",") if v.strip()]
            api.enums[m.group(1)] = {camel(re.sub(r"(?<!^)(?=[A-Z])", "_", v).lower()) for v in variants}
    return api


# ---------------------------------------------------------------------------------------------
# The Swift side.

def text_of(node, src):
    return src[node.start_byte:node.end_byte].decode("utf8", "replace")


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def parse_errors(tree, src):
    errors = []
    for n in walk(tree.root_node):
        if n.type == "ERROR" or n.is_missing:
            kind = "MISSING" if n.is_missing else "ERROR"
            snippet = text_of(n, src).splitlines()[0][:60] if n.end_byte > n.start_byte else n.type
            errors.append((n.start_point[0] + 1, n.start_point[1] + 1, kind, snippet))
    return errors


def call_parts(call, src):
    """(callee node, labels or None when the call has no parenthesised arguments)."""
    callee = call.children[0] if call.children else None
    suffix = next((c for c in call.children if c.type == "call_suffix"), None)
    if callee is None or suffix is None:
        return callee, None
    args = next((c for c in suffix.children if c.type == "value_arguments"), None)
    if args is None:
        return callee, None
    labels = []
    for a in args.children:
        if a.type != "value_argument":
            continue
        label = next((c for c in a.children if c.type == "value_argument_label"), None)
        labels.append(text_of(label, src).strip() if label is not None else "_")
    # Trailing closures are unlabelled extra arguments: uniffi APIs take none.
    if any(c.type == "lambda_literal" for c in suffix.children):
        labels.append("{closure}")
    return callee, labels


def navigation(node, src):
    """(receiver text, member) of `receiver.member`, else None."""
    if node is None or node.type != "navigation_expression" or len(node.children) < 2:
        return None
    target, suffix = node.children[0], node.children[-1]
    member = next((c for c in suffix.children if c.type == "simple_identifier"), None)
    if member is None:
        return None
    return text_of(target, src), text_of(member, src)


def check_api(api, tree, src, swift_members):
    problems = []
    code = src.decode("utf8", "replace")
    store_names = {"fieldStore"} | set(re.findall(r"\b(?:let|var)\s+(\w+)\s*:\s*FieldStore\b", code))

    def where(n):
        return f"{n.start_point[0] + 1}:{n.start_point[1] + 1}"

    def expect(node, what, have, want):
        if have is None:
            return
        if have != want:
            problems.append(f"{where(node)} api: {what}({''.join(l + ':' for l in have)}) "
                            f"but the Rust ffi declares {what}({''.join(l + ':' for l in want)})")

    for n in walk(tree.root_node):
        if n.type == "call_expression":
            callee, labels = call_parts(n, src)
            nav = navigation(callee, src)
            if nav:
                receiver, member = nav
                if receiver in store_names:
                    if member not in api.methods:
                        problems.append(f"{where(n)} api: {receiver}.{member}(...): FieldStore has no method "
                                        f"`{member}` (exported: {', '.join(sorted(api.methods))})")
                    else:
                        expect(n, f"{receiver}.{member}", labels, api.methods[member])
                elif receiver == "FieldStore":
                    if member not in api.constructors:
                        problems.append(f"{where(n)} api: FieldStore.{member}(...): no such constructor "
                                        f"(exported: {', '.join(sorted(api.constructors))})")
                    else:
                        expect(n, f"FieldStore.{member}", labels, api.constructors[member])
                elif receiver == "QuaysideCore":
                    if member in api.functions:
                        expect(n, f"QuaysideCore.{member}", labels, api.functions[member])
                    elif member not in api.records and member not in api.enums:
                        problems.append(f"{where(n)} api: QuaysideCore.{member}(...): the core exports no "
                                        f"function `{member}` (exported: {', '.join(sorted(api.functions))})")
            elif callee is not None and callee.type == "simple_identifier":
                name = text_of(callee, src)
                if name in api.records and labels is not None:
                    fields = api.records[name]
                    order = [f for f, _ in fields]
                    unknown = [l for l in labels if l not in order]
                    if unknown:
                        problems.append(f"{where(n)} api: {name}(...) has no field(s) {', '.join(unknown)} "
                                        f"(fields: {', '.join(order)})")
                    else:
                        positions = [order.index(l) for l in labels]
                        if positions != sorted(positions):
                            problems.append(f"{where(n)} api: {name}(...) arguments must follow the field order "
                                            f"{', '.join(order)}")
                        missing = [f for f, has_default in fields if not has_default and f not in labels]
                        if missing:
                            problems.append(f"{where(n)} api: {name}(...) lacks required field(s) "
                                            f"{', '.join(missing)}")
        elif n.type == "class_declaration":
            adopted = {text_of(c, src).strip() for c in n.children if c.type == "inheritance_specifier"}
            for trait, methods in api.traits.items():
                if trait in adopted:
                    body = text_of(n, src)
                    for method, args in methods.items():
                        signature = rf"func\s+{method}\s*\(\s*" + r"\s*:[^,)]*,\s*".join(args) + r"\s*:"
                        if not re.search(signature, body):
                            problems.append(f"{where(n)} api: a {trait} must implement "
                                            f"func {method}({''.join(a + ':' for a in args)})")
    # `Enum.case` anywhere, patterns included (`catch ApiError.CheckDigit(...)`); comments and
    # string literals blanked first.
    plain = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', re.sub(r"//[^\n]*", "", code))
    for enum, cases in api.enums.items():
        allowed = cases | swift_members.get(enum, set())
        for m in re.finditer(rf"(?<![\w.]){enum}\.([A-Za-z_]\w*)", plain):
            if m.group(1) not in allowed:
                line = plain.count("\n", 0, m.start()) + 1
                problems.append(f"{line}: api: {enum}.{m.group(1)}: no such case "
                                f"(cases: {', '.join(sorted(cases))})")
    return problems


def surface_disagreements(api, generated):
    """Where the surface read from the Rust sources differs from the generated bindings (which
    would make the checks above check the wrong thing)."""
    problems = []
    generated = re.sub(r"/\*.*?\*/", "", generated, flags=re.S)
    generated = re.sub(r"(?m)^\s*//.*$", "", generated)

    def labels(params):
        return [re.sub(r"^`|`$", "", p.split(":")[0].strip()) for p in split_top(params)]

    declared = {}
    for m in re.finditer(r"(?:open|public static) func `?(\w+)`?\(([^)]*)\)", generated):
        declared.setdefault(m.group(1), labels(m.group(2)))
    for name, args in list(api.methods.items()) + list(api.constructors.items()):
        if declared.get(name) != args:
            problems.append(f"bindings: FieldStore.{name}({''.join(a + ':' for a in args)}) read from the Rust "
                            f"ffi, but the bindings declare {declared.get(name)}")
    for m in re.finditer(r"public func `?(\w+)`?\(([^)]*)\)", generated):
        if m.group(1) in api.functions and labels(m.group(2)) != api.functions[m.group(1)]:
            problems.append(f"bindings: function {m.group(1)} labels differ: {labels(m.group(2))}")
    for name, fields in api.records.items():
        m = re.search(rf"public struct {name}\b[^{{]*\{{.*?public init\(([^)]*)\)", generated, re.S)
        if m is None or labels(m.group(1)) != [f for f, _ in fields]:
            problems.append(f"bindings: record {name} fields {[f for f, _ in fields]} read from the Rust "
                            f"ffi, but the bindings declare {labels(m.group(1)) if m else 'no such struct'}")
    return problems


def swift_extension_members(trees):
    """Static members the hand-written Swift adds to the core's types (`CylinderType.choices`)."""
    members = {}
    for src, tree in trees:
        code = src.decode("utf8", "replace")
        for m in re.finditer(r"extension\s+(\w+)[^{]*\{", code):
            end = block_end(code, m.end() - 1)
            for d in re.finditer(r"static\s+(?:let|var|func)\s+(\w+)", code[m.end():end]):
                members.setdefault(m.group(1), set()).add(d.group(1))
    return members


def main():
    api = load_api(ROOT / "core" / "src" / "ffi")
    if not api.methods or not api.records:
        print("could not read the ffi surface from core/src/ffi/*.rs", file=sys.stderr)
        return 1
    files = sorted(p for p in IOS.rglob("*.swift")
                   if not SKIP_PARTS.intersection(p.parts)
                   and GENERATED_DIR not in p.parents
                   and not any(part.endswith(".xcodeproj") for part in p.parts))
    parsed = []
    for path in files:
        src = path.read_bytes()
        parsed.append((path, src, PARSER.parse(src)))
    members = swift_extension_members([(src, tree) for _, src, tree in parsed])

    passed = failed = 0
    calls_checked = 0
    for path, src, tree in parsed:
        problems = [f"{line}:{col} {kind} `{snippet}`" for line, col, kind, snippet in parse_errors(tree, src)]
        problems += check_api(api, tree, src, members)
        calls_checked += len(re.findall(rb"\bfieldStore\.\w+\(", src))
        if problems:
            failed += 1
            print(f"FAIL {path}")
            for p in problems[:40]:
                print(f"  {p}")
            if len(problems) > 40:
                print(f"  ... and {len(problems) - 40} more")
        else:
            passed += 1
            if VERBOSE:
                print(f"ok   {path}")

    for path in GENERATED:
        if not path.exists():
            continue
        src = path.read_bytes()
        lines = src.decode("utf8", "replace").splitlines()
        errors = parse_errors(PARSER.parse(src), src)

        def known(line):
            return any(pattern in lines[line - 1] for pattern in KNOWN_FALSE)

        real = [f"{line}:{col} {kind} `{snippet}`" for line, col, kind, snippet in errors if not known(line)]
        real += surface_disagreements(api, src.decode("utf8", "replace"))
        if real:
            failed += 1
            print(f"FAIL {path} (generated)")
            for problem in real[:20]:
                print(f"  {problem}")
        else:
            passed += 1
            print(f"ok   {path} (generated; {len(errors) - len(real)} known false errors ignored)")

    print(f"API surface from core/src/ffi: {len(api.methods)} FieldStore methods, "
          f"{len(api.constructors)} constructors, {len(api.functions)} functions, {len(api.records)} records, "
          f"{len(api.enums)} enums; {calls_checked} fieldStore calls in the Swift")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


sys.exit(main())
PY
