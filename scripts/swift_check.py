#!/usr/bin/env python3
"""Checks the iOS shell's hand-written Swift against the GENERATED Swift bindings, as far as a
machine without a Swift compiler allows (run through scripts/swift-check.sh).

The API surface is read with tree-sitter-swift from build/bindings/swift/QuaysideCore.swift (what
uniffi generated from the core, so exactly what the Swift compiler will see), never from the Rust
sources:
  - public top-level functions with their argument labels and which have defaults;
  - `FieldStore`'s methods and static constructors (labels, defaults);
  - records (public structs): their `init` labels in order and which have defaults;
  - enums: cases (with the labels of associated values) and methods (`code()`, `label()`, `id()`);
  - the error enum `ApiError`, whose cases are UpperCamel;
  - protocols the Swift may implement (foreign traits such as `SyncObserver`): requirements.

Then every hand-written .swift file under ios/ (not the generated copy) is checked:
  1. it parses (ERROR and MISSING nodes reported with line:column);
  2. `fieldStore.<method>(labels:)` (a value named fieldStore, or declared `: FieldStore`) names a
     FieldStore method, with its labels in order (defaulted ones may be left out);
     `FieldStore.<constructor>(...)`, `QuaysideCore.<function>(...)` and bare calls of the core's
     top-level functions likewise;
  3. `<Record>(labels:)` uses the init's labels in order and passes every one without a default;
  4. `<Enum>.<member>` names a case, method or static member of that enum (or one the hand-written
     Swift adds in an extension);
  5. enum patterns (`case let .Invalid(message, user)`, `catch ApiError.Stale(let m)`, `if case
     .attached(...)`) name a case of the core's enums with the right number of associated values
     (labels checked when given);
  6. a `switch` whose patterns are all plain cases of one core enum and has no `default` covers every
     case of it (a case added to the core fails the check, as it would fail the compiler);
  7. a type adopting a foreign protocol (SyncObserver) implements each requirement with its labels;
  8. a record field the bindings type as a core enum or record is not used as text: not compared
     with a string literal (`$0.kind == "substance_mismatch"` when `kind` is a `FlagKind`: by name,
     when every record field and hand-written property so named has a non-String type), and, for a
     parameter or property declared as a core record (`_ flag: FlagRecord`), not interpolated into
     a string (`"\(flag.message)"` of a `UserMessage`: use `.localized`) nor returned from a
     function returning `String` (`return flag.message`).

The last line is "N passed, M failed" (files); the exit status is non-zero on failure.
  swift_check.py [-v] [--self-test]
"""
import pathlib
import sys

import tree_sitter
import tree_sitter_swift

ROOT = pathlib.Path(__file__).resolve().parent.parent
IOS = ROOT / "ios"
GENERATED = ROOT / "build" / "bindings" / "swift" / "QuaysideCore.swift"
GENERATED_COPY_DIR = IOS / "Sources" / "QuaysideCore"
SKIP_PARTS = {".build", "build", "DerivedData", "Frameworks", ".swiftpm"}
# tree-sitter-swift misreads these lines of uniffi's generated Swift; the compiler accepts them.
KNOWN_FALSE = ["@_documentation(visibility: private)", "let writeReturn = { () }"]
# Enums of the Swift standard library whose cases hand-written switches use.
STD_ENUMS = {"Optional": {"none", "some"}}

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def text(node, src):
    return src[node.start_byte:node.end_byte].decode("utf8", "replace")


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def unquote(name):
    return name.strip("`")


def parse_errors(tree, src):
    errors = []
    for n in walk(tree.root_node):
        if n.type == "ERROR" or n.is_missing:
            kind = "MISSING" if n.is_missing else "ERROR"
            snippet = text(n, src).splitlines()[0][:60] if n.end_byte > n.start_byte else n.type
            errors.append((n.start_point[0] + 1, n.start_point[1] + 1, kind, snippet))
    return errors


# ---------------------------------------------------------------------------------------------
# The generated bindings: what the core exports to Swift.

class Param:
    def __init__(self, label, has_default):
        self.label = label
        self.has_default = has_default

    def __repr__(self):
        return self.label + ("=" if self.has_default else "")


class Api:
    def __init__(self):
        self.functions = {}      # name -> [Param]
        self.methods = {}        # FieldStore method -> [Param]
        self.constructors = {}   # FieldStore static func -> [Param]
        self.records = {}        # struct name -> [Param] (its public init)
        self.record_types = {}   # struct name -> {field: type as written, e.g. "UserMessage", "String?"}
        self.enums = {}          # enum name -> {case: [labels or "_"]}
        self.enum_methods = {}   # enum name -> {method names}
        self.errors = set()      # enums that are Swift.Error
        self.protocols = {}      # protocol -> {func: [labels]}

    def summary(self):
        return (f"{len(self.functions)} functions, {len(self.methods)} FieldStore methods, "
                f"{len(self.constructors)} constructors, {len(self.records)} records, {len(self.enums)} enums, "
                f"{len(self.protocols)} protocols")


def params_of(decl, src):
    """[Param] of a function or init declaration: a parameter followed by `=` has a default."""
    params = []
    children = decl.children
    for i, c in enumerate(children):
        if c.type != "parameter":
            continue
        names = [unquote(text(x, src)) for x in c.children if x.type == "simple_identifier"]
        external = next((x for x in c.children if x.type == "external_name"), None)
        label = unquote(text(external, src)) if external is not None else (names[0] if names else "_")
        following = next((x for x in children[i + 1:] if x.type not in ("comment", "multiline_comment")), None)
        params.append(Param(label, following is not None and following.type == "="))
    return params


TYPE_NODES = ("user_type", "optional_type", "array_type", "dictionary_type", "function_type", "tuple_type")


def param_types(decl, src):
    """[(name, type text)] of a declaration's parameters (the internal name: what the body uses)."""
    out = []
    for c in decl.children:
        if c.type != "parameter":
            continue
        names = [unquote(text(x, src)) for x in c.children if x.type == "simple_identifier"]
        kind = next((x for x in c.children if x.type in TYPE_NODES), None)
        if names and kind is not None:
            out.append((names[-1], text(kind, src).strip()))
    return out


def base_type(kind):
    """"UserMessage?" -> "UserMessage"; None for arrays, dictionaries and closures."""
    kind = (kind or "").strip().rstrip("?!").strip()
    return kind if kind.replace(".", "").replace("_", "").isalnum() else None


def decl_name(decl, src, kind="simple_identifier"):
    n = next((c for c in decl.children if c.type == kind), None)
    return unquote(text(n, src)) if n is not None else None


def is_static(decl, src):
    mods = next((c for c in decl.children if c.type == "modifiers"), None)
    return mods is not None and "static" in text(mods, src).split()


def is_public(decl, src):
    mods = next((c for c in decl.children if c.type == "modifiers"), None)
    words = text(mods, src).split() if mods is not None else []
    return "public" in words or "open" in words


def keyword(decl):
    for c in decl.children:
        if c.type in ("struct", "class", "enum", "extension", "actor"):
            return c.type
    return None


def body_of(decl):
    return next((c for c in decl.children if c.type in ("class_body", "enum_class_body", "protocol_body")), None)


def load_api(path):
    src = path.read_bytes()
    tree = PARSER.parse(src)
    api = Api()
    for top in tree.root_node.children:
        if top.type == "function_declaration" and is_public(top, src):
            if decl_name(top, src).startswith(("FfiConverter", "uniffi")):
                continue
            api.functions[decl_name(top, src)] = params_of(top, src)
        elif top.type == "protocol_declaration" and is_public(top, src):
            name = decl_name(top, src, "type_identifier")
            body = body_of(top)
            if name.endswith("Protocol") or body is None:
                continue  # FieldStoreProtocol mirrors the class
            api.protocols[name] = {
                decl_name(f, src): [p.label for p in params_of(f, src)]
                for f in body.children if f.type == "protocol_function_declaration"
            }
        elif top.type == "class_declaration" and is_public(top, src):
            kind = keyword(top)
            name = decl_name(top, src, "type_identifier")
            body = body_of(top)
            if body is None or name is None:
                continue
            inherits = {text(c, src).strip() for c in top.children if c.type == "inheritance_specifier"}
            if kind == "class" and name == "FieldStore":
                for f in body.children:
                    if f.type == "function_declaration":
                        target = api.constructors if is_static(f, src) else api.methods
                        target[decl_name(f, src)] = params_of(f, src)
            elif kind == "struct":
                init = next((c for c in body.children if c.type == "init_declaration" and is_public(c, src)), None)
                if init is not None:
                    api.records[name] = params_of(init, src)
                    api.record_types[name] = {label: kind for label, kind in param_types(init, src)}
            elif kind == "enum":
                cases = {}
                for entry in body.children:
                    if entry.type != "enum_entry":
                        continue
                    # One entry may declare several cases: `case a, b`.
                    current = None
                    for c in entry.children:
                        if c.type == "simple_identifier":
                            current = unquote(text(c, src))
                            cases[current] = []
                        elif c.type == "enum_type_parameters" and current is not None:
                            labels, pending = [], "_"
                            for p in c.children:
                                if p.type == "simple_identifier":
                                    pending = text(p, src)
                                elif p.type in (",", ")") and pending is not None:
                                    labels.append(pending)
                                    pending = "_"
                            cases[current] = labels
                api.enums[name] = cases
                api.enum_methods[name] = {decl_name(f, src) for f in body.children
                                          if f.type == "function_declaration"}
                if "Swift.Error" in inherits or "Error" in inherits:
                    api.errors.add(name)
    return api, tree, src


# ---------------------------------------------------------------------------------------------
# The hand-written Swift.

class Declared:
    """What the hand-written Swift declares itself (so its own names are not taken for the core's)."""

    def __init__(self):
        self.functions = set()           # every func name declared anywhere
        self.extension_members = {}      # type -> {static/instance member names}
        self.enums = {}                  # hand-written enum -> set of cases
        self.property_types = {}         # member property name -> {declared type, or None untyped}


def collect_declared(parsed):
    declared = Declared()
    for _, src, tree in parsed:
        for n in walk(tree.root_node):
            if n.type in ("function_declaration", "protocol_function_declaration"):
                name = decl_name(n, src)
                if name:
                    declared.functions.add(name)
            elif n.type == "class_declaration":
                kind = keyword(n)
                body = body_of(n)
                if body is None:
                    continue
                if kind == "extension":
                    user = next((c for c in n.children if c.type == "user_type"), None)
                    target = text(user, src).strip() if user is not None else None
                    members = declared.extension_members.setdefault(target, set())
                    for m in body.children:
                        if m.type == "function_declaration":
                            members.add(decl_name(m, src))
                        elif m.type == "property_declaration":
                            for p in walk(m):
                                if p.type == "pattern":
                                    ident = next((c for c in p.children if c.type == "simple_identifier"), None)
                                    if ident is not None:
                                        members.add(text(ident, src))
                                    break
                elif kind == "enum":
                    name = decl_name(n, src, "type_identifier")
                    declared.enums[name] = {
                        text(c, src) for e in body.children if e.type == "enum_entry"
                        for c in e.children if c.type == "simple_identifier"
                    }
        for n in walk(tree.root_node):
            if n.type in ("property_declaration", "protocol_property_declaration") and n.parent is not None \
                    and n.parent.type in ("class_body", "enum_class_body", "protocol_body"):
                pattern = next((c for c in n.children if c.type == "pattern"), None)
                ident = next((c for c in pattern.children if c.type == "simple_identifier"), None) \
                    if pattern is not None else None
                if ident is None:
                    continue
                annotation = next((c for c in n.children if c.type == "type_annotation"), None)
                kind = next((c for c in annotation.children if c.type in TYPE_NODES), None) \
                    if annotation is not None else None
                declared.property_types.setdefault(unquote(text(ident, src)), set()).add(
                    base_type(text(kind, src)) if kind is not None else None)
    return declared


def call_labels(call, src):
    """(callee node, labels, or None when the call has no parenthesised arguments)."""
    callee = call.children[0] if call.children else None
    suffix = next((c for c in call.children if c.type == "call_suffix"), None)
    if callee is None or suffix is None:
        return callee, None
    args = next((c for c in suffix.children if c.type == "value_arguments"), None)
    trailing = any(c.type in ("lambda_literal", "annotated_lambda") for c in suffix.children)
    if args is None:
        return callee, (["{closure}"] if trailing else None)
    labels = []
    for a in args.children:
        if a.type != "value_argument":
            continue
        label = next((c for c in a.children if c.type == "value_argument_label"), None)
        labels.append(unquote(text(label, src).strip()) if label is not None else "_")
    if trailing:
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
    return text(target, src), unquote(text(member, src))


def signature(params):
    return "(" + "".join(p.label + ":" for p in params) + ")"


def match_labels(have, params):
    """Whether `have` (labels as called) fits `params`: in order, defaulted ones optional."""
    i = 0
    for p in params:
        if i < len(have) and have[i] == p.label:
            i += 1
        elif not p.has_default:
            return False
    return i == len(have)


def pattern_cases(node, src):
    """(type name or None, case, number of associated values or None, labels) for a pattern node
    shaped `.case`, `.case(...)`, `let .case(...)` or `Type.case(...)`."""
    kids = [c for c in node.children if c.type not in ("comment", "multiline_comment")]
    for i, c in enumerate(kids):
        if c.type == "." and i + 1 < len(kids) and kids[i + 1].type == "simple_identifier":
            before = kids[i - 1] if i > 0 else None
            type_name = None
            if before is not None and before.type in ("user_type", "simple_identifier"):
                type_name = text(before, src).strip()
            elif before is not None and before.type not in ("value_binding_pattern",):
                continue
            name = unquote(text(kids[i + 1], src))
            rest = kids[i + 2:]
            if rest and rest[0].type == "(":
                count, labels, depth = 1, [], 0
                for r in rest[1:]:
                    if r.type == ")":
                        break
                    if r.type == ",":
                        count += 1
                    elif r.type == "simple_identifier" and len(labels) < count:
                        labels.append(text(r, src))
                if rest[1].type == ")":
                    count = 0
                return type_name, name, count, labels
            return type_name, name, None, []
    return None


def check_file(api, declared, tree, src):
    problems = []
    code = src.decode("utf8", "replace")

    def where(n):
        return f"{n.start_point[0] + 1}:{n.start_point[1] + 1}"

    # Values holding the core's store.
    store_names = {"fieldStore"}
    for n in walk(tree.root_node):
        if n.type in ("property_declaration", "parameter"):
            t = text(n, src)
            if ": FieldStore" in t.replace(" :", ":") and "FieldStoreProtocol" not in t:
                ident = next((c for c in walk(n) if c.type == "simple_identifier"), None)
                if ident is not None:
                    store_names.add(text(ident, src))

    all_cases = {}  # case name -> [enum] over the core's enums (for patterns)
    for enum, cases in api.enums.items():
        for case in cases:
            all_cases.setdefault(case, []).append(enum)

    def check_call(n, what, labels, params):
        if labels is not None and not match_labels(labels, params):
            problems.append(f"{where(n)} api: {what}{'(' + ''.join(l + ':' for l in labels) + ')'} but the bindings "
                            f"declare {what}{signature(params)}")

    for n in walk(tree.root_node):
        if n.type == "call_expression":
            callee, labels = call_labels(n, src)
            nav = navigation(callee, src)
            if nav:
                receiver, member = nav
                if receiver in store_names or receiver == "self.fieldStore":
                    if member not in api.methods:
                        problems.append(f"{where(n)} api: {receiver}.{member}(...): FieldStore has no method `{member}`")
                    else:
                        check_call(n, f"{receiver}.{member}", labels, api.methods[member])
                elif receiver == "FieldStore":
                    if member not in api.constructors:
                        problems.append(f"{where(n)} api: FieldStore.{member}(...): no such constructor "
                                        f"(bindings: {', '.join(sorted(api.constructors))})")
                    else:
                        check_call(n, f"FieldStore.{member}", labels, api.constructors[member])
                elif receiver == "QuaysideCore":
                    if member in api.functions:
                        check_call(n, f"QuaysideCore.{member}", labels, api.functions[member])
                    elif member not in api.records and member not in api.enums:
                        problems.append(f"{where(n)} api: QuaysideCore.{member}(...): the bindings declare no "
                                        f"function `{member}`")
                elif receiver in api.enums and labels is not None:
                    cases = api.enums[receiver]
                    if member in cases and cases[member] and len(labels) != len(cases[member]):
                        problems.append(f"{where(n)} api: {receiver}.{member} takes {len(cases[member])} "
                                        f"associated value(s) ({', '.join(cases[member])})")
            elif callee is not None and callee.type == "simple_identifier":
                name = text(callee, src)
                if name in api.records and labels is not None:
                    params = api.records[name]
                    order = [p.label for p in params]
                    unknown = [l for l in labels if l not in order]
                    if unknown:
                        problems.append(f"{where(n)} api: {name}(...) has no field(s) {', '.join(unknown)} "
                                        f"(init: {', '.join(order)})")
                    elif not match_labels(labels, params):
                        missing = [p.label for p in params if not p.has_default and p.label not in labels]
                        why = (f"lacks required field(s) {', '.join(missing)}" if missing
                               else f"arguments must follow the init's order {', '.join(order)}")
                        problems.append(f"{where(n)} api: {name}(...) {why}")
                elif name in api.functions and name not in declared.functions and labels is not None:
                    check_call(n, name, labels, api.functions[name])
        elif n.type == "navigation_expression":
            nav = navigation(n, src)
            if nav and nav[0] in api.enums:
                enum, member = nav
                allowed = (set(api.enums[enum]) | api.enum_methods.get(enum, set())
                           | declared.extension_members.get(enum, set()) | {"self", "init", "none", "some"})
                if member not in allowed:
                    problems.append(f"{where(n)} api: {enum}.{member}: no such case "
                                    f"(cases: {', '.join(api.enums[enum])})")
        elif n.type in ("pattern", "if_statement", "guard_statement", "while_statement"):
            found = pattern_cases(n, src)
            if not found:
                continue
            type_name, case, count, labels = found
            if type_name is not None:
                if type_name not in api.enums:
                    continue
                enums = [type_name] if case in api.enums[type_name] else []
                if not enums:
                    problems.append(f"{where(n)} api: {type_name}.{case}: no such case "
                                    f"(cases: {', '.join(api.enums[type_name])})")
                    continue
            else:
                enums = all_cases.get(case, [])
                if not enums:
                    # UpperCamel patterns can only be the core's error cases.
                    if case[:1].isupper() and not any(case in c for c in declared.enums.values()):
                        problems.append(f"{where(n)} api: pattern .{case}: no enum of the bindings has this case "
                                        f"(ApiError: {', '.join(api.enums.get('ApiError', {}))})")
                    continue
            if count is None:
                continue
            fits = [e for e in enums if len(api.enums[e][case]) == count
                    and all(l in api.enums[e][case] for l in labels)]
            if not fits and not any(case in c for c in declared.enums.values()):
                shapes = "; ".join(f"{e}.{case}({', '.join(api.enums[e][case])})" for e in enums)
                problems.append(f"{where(n)} api: pattern .{case} binds {count} value(s), but {shapes}")
        elif n.type == "switch_statement":
            names, has_default, plain = [], False, True
            for entry in n.children:
                if entry.type != "switch_entry":
                    continue
                if any(c.type == "default_keyword" for c in entry.children):
                    has_default = True
                for sp in (c for c in entry.children if c.type == "switch_pattern"):
                    pat = next((c for c in sp.children if c.type == "pattern"), None)
                    found = pattern_cases(pat, src) if pat is not None else None
                    if not found or (found[0] is not None and found[0] not in api.enums):
                        plain = False
                        continue
                    names.append(found[1])
                    # A pattern with a where clause or a literal payload does not cover its case.
                    if any(c.type == "where_keyword" for c in entry.children) or any(
                            x.type in ("integer_literal", "line_string_literal", "boolean_literal")
                            for x in walk(pat)):
                        plain = False
            if not names or not plain or has_default:
                continue
            wanted = set(names)
            candidates = [set(cases) for cases in api.enums.values() if wanted <= set(cases)]
            candidates += [cases for cases in declared.enums.values() if wanted <= cases]
            candidates += [cases for cases in STD_ENUMS.values() if wanted <= cases]
            if candidates and not any(c <= wanted for c in candidates):
                core = [e for e, cases in api.enums.items() if wanted <= set(cases)]
                if core and len(candidates) == len(core):
                    missing = sorted(set(api.enums[core[0]]) - wanted)
                    problems.append(f"{where(n)} api: switch over {' or '.join(core)} misses "
                                    f"{', '.join('.' + m for m in missing)} (add them or a default)")
        elif n.type == "class_declaration":
            adopted = {text(c, src).strip() for c in n.children if c.type == "inheritance_specifier"}
            body = body_of(n)
            for proto, funcs in api.protocols.items():
                if proto not in adopted or body is None:
                    continue
                have = {(decl_name(f, src), tuple(p.label for p in params_of(f, src)))
                        for f in body.children if f.type == "function_declaration"}
                for func, labels in funcs.items():
                    if (func, tuple(labels)) not in have:
                        problems.append(f"{where(n)} api: a {proto} must implement "
                                        f"func {func}({''.join(l + ':' for l in labels)})")
    problems += typed_field_problems(api, declared, tree, src, where)
    del code
    return list(dict.fromkeys(problems))


TEXT_TYPES = {"String", "Substring", "Character"}


def typed_field_problems(api, declared, tree, src, where):
    """Check 8: record fields the bindings type as a core enum or record, used as text."""
    problems = []
    core_types = set(api.enums) | set(api.records)

    def field_type(record, field):
        kind = base_type(api.record_types.get(record, {}).get(field))
        return kind if kind in core_types else None

    # Field names that are a core enum or record in every record declaring them, and that no
    # hand-written type declares as text (or leaves untyped).
    by_name = {}
    for record, fields in api.record_types.items():
        for field, kind in fields.items():
            by_name.setdefault(field, set()).add(base_type(kind))
    never_text = {field for field, kinds in by_name.items()
                  if kinds and all(k in core_types for k in kinds)
                  and all(k is not None and k not in TEXT_TYPES for k in declared.property_types.get(field, set()))}

    def typed_names(scope):
        """Names declared in `scope` (a function: its parameters; a type: its stored properties)
        as exactly one core record."""
        names = {}
        if scope.type in ("function_declaration", "init_declaration"):
            for name, kind in param_types(scope, src):
                if base_type(kind) in api.records:
                    names[name] = base_type(kind)
        else:
            body = body_of(scope)
            for n in body.children if body is not None else []:
                if n.type != "property_declaration":
                    continue
                pattern = next((c for c in n.children if c.type == "pattern"), None)
                ident = next((c for c in pattern.children if c.type == "simple_identifier"), None) \
                    if pattern is not None else None
                annotation = next((c for c in n.children if c.type == "type_annotation"), None)
                kind = next((c for c in annotation.children if c.type in TYPE_NODES), None) \
                    if annotation is not None else None
                if ident is not None and kind is not None and base_type(text(kind, src)) in api.records:
                    names[unquote(text(ident, src))] = base_type(text(kind, src))
        return names

    def resolve(node):
        """(record, field, field type) of `name.field` where `name` is declared as a core record in
        an enclosing function or type; else None."""
        nav = navigation(node, src)
        if nav is None or node.children[0].type != "simple_identifier":
            return None
        name, field = nav
        scope = node.parent
        while scope is not None:
            if scope.type in ("function_declaration", "init_declaration", "class_declaration"):
                record = typed_names(scope).get(name)
                if record is not None:
                    kind = field_type(record, field)
                    return (record, field, kind) if kind else None
            scope = scope.parent
        return None

    def returns_text(node):
        scope = node.parent
        while scope is not None and scope.type not in ("function_declaration", "lambda_literal",
                                                        "computed_property", "init_declaration"):
            scope = scope.parent
        if scope is None or scope.type != "function_declaration":
            return False
        children = scope.children
        arrow = next((i for i, c in enumerate(children) if c.type == "->"), None)
        result = children[arrow + 1] if arrow is not None and arrow + 1 < len(children) else None
        return result is not None and base_type(text(result, src)) in TEXT_TYPES

    for n in walk(tree.root_node):
        if n.type == "equality_expression":
            sides = [c for c in n.children if c.type not in ("==", "!=", "comment")]
            if len(sides) != 2 or not any(s.type == "line_string_literal" for s in sides):
                continue
            other = next(s for s in sides if s.type != "line_string_literal")
            nav = navigation(other, src)
            if nav is None:
                continue
            typed = resolve(other)
            if typed is not None:
                problems.append(f"{where(n)} api: {text(other, src)} is a {typed[2]} ({typed[0]}.{typed[1]}), "
                                f"not text: compare it with a case, not a string")
            elif nav[1] in never_text:
                kinds = sorted(k for k in by_name[nav[1]] if k)
                problems.append(f"{where(n)} api: .{nav[1]} is a {' or '.join(kinds)} in the bindings, "
                                f"not text: compare it with a case, not a string")
        elif n.type == "interpolated_expression":
            inner = [c for c in n.children if c.type not in ("comment",)]
            typed = resolve(inner[0]) if len(inner) == 1 else None
            if typed is not None and typed[2] in api.records:
                hint = ": use .localized" if typed[2] == "UserMessage" else ""
                problems.append(f"{where(n)} api: interpolates {text(inner[0], src)}, a {typed[2]} "
                                f"({typed[0]}.{typed[1]}), into text{hint}")
        elif n.type == "control_transfer_statement":
            kids = [c for c in n.children if c.type not in ("comment",)]
            if len(kids) == 2 and kids[0].type == "return":
                typed = resolve(kids[1])
                if typed is not None and returns_text(n):
                    problems.append(f"{where(n)} api: returns {text(kids[1], src)}, a {typed[2]} "
                                    f"({typed[0]}.{typed[1]}), where text is expected")
    return problems


def swift_files():
    return sorted(p for p in IOS.rglob("*.swift")
                  if not SKIP_PARTS.intersection(p.relative_to(ROOT).parts)
                  and GENERATED_COPY_DIR not in p.parents
                  and not any(part.endswith(".xcodeproj") for part in p.parts))


def check_generated(path):
    src = path.read_bytes()
    lines = src.decode("utf8", "replace").splitlines()
    errors = parse_errors(PARSER.parse(src), src)
    real = [f"{l}:{c} {k} `{s}`" for l, c, k, s in errors if not any(p in lines[l - 1] for p in KNOWN_FALSE)]
    return real, len(errors) - len(real)


def run(verbose):
    if not GENERATED.exists():
        print(f"missing {GENERATED.relative_to(ROOT)}: run scripts/bindings.sh first", file=sys.stderr)
        return 2
    api, _, _ = load_api(GENERATED)
    if not api.methods or not api.records or "ApiError" not in api.enums:
        print(f"could not read the API surface from {GENERATED.relative_to(ROOT)}", file=sys.stderr)
        return 2
    parsed = [(p, p.read_bytes()) for p in swift_files()]
    parsed = [(p, s, PARSER.parse(s)) for p, s in parsed]
    declared = collect_declared(parsed)

    passed = failed = 0
    calls = 0
    for path, src, tree in parsed:
        problems = [f"{l}:{c} {k} `{s}`" for l, c, k, s in parse_errors(tree, src)]
        problems += check_file(api, declared, tree, src)
        calls += src.count(b"fieldStore.")
        rel = path.relative_to(ROOT)
        if problems:
            failed += 1
            print(f"FAIL {rel}")
            for p in problems[:40]:
                print(f"  {p}")
            if len(problems) > 40:
                print(f"  ... and {len(problems) - 40} more")
        else:
            passed += 1
            if verbose:
                print(f"ok   {rel}")

    for path in [GENERATED, GENERATED_COPY_DIR / "QuaysideCore.swift"]:
        if not path.exists():
            continue
        real, known = check_generated(path)
        if path != GENERATED:
            other, _, _ = load_api(path)
            if (other.methods.keys(), other.records.keys()) != (api.methods.keys(), api.records.keys()):
                real.append("differs from build/bindings/swift/QuaysideCore.swift: run build-xcframework.sh again")
        if real:
            failed += 1
            print(f"FAIL {path.relative_to(ROOT)} (generated)")
            for p in real[:20]:
                print(f"  {p}")
        else:
            passed += 1
            print(f"ok   {path.relative_to(ROOT)} (generated; {known} known false parse errors ignored)")

    print(f"API surface from {GENERATED.relative_to(ROOT)}: {api.summary()}; "
          f"{calls} fieldStore calls in the hand-written Swift")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------------------------
# Self-test: deliberately wrong calls must be caught, right ones must pass.

SELF_TEST = [
    # (expect problems?, snippet)
    (False, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.updateInspection(id: "x", fields: InspectionFields(), basedOn: []) }'),
    (False, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.updateInspection(id: "x", fields: InspectionFields()) }'),
    (True, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.updateInspection(inspectionId: "x", fields: InspectionFields()) }'),
    (True, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.updateInspections(id: "x", fields: InspectionFields()) }'),
    (True, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.saveDraft(form: "f", basedOn: [], fields: [:]) }'),
    (False, 'func a(fieldStore: FieldStore) throws { _ = try fieldStore.saveDraft(form: "f", inspectionId: nil, basedOn: [], fields: [:]) }'),
    (False, 'let t = ServerTrust(pinSha256: "ab")'),
    (True, 'let t = ServerTrust(pinSha256: "ab", caPem: nil)'),
    (True, 'let f = PhotoEdit(caption: "x", finding: nil)'),
    (True, 'let r = RetryRecord(attempt: 1, waitMs: 3)'),
    (False, 'let r = RetryRecord(attempt: 1, error: .network, waitMs: 3)'),
    (False, 'let s = ReviewState.awaitingReview'),
    (True, 'let s = ReviewState.awaiting_review'),
    (False, 'let m = ReviewState.draft.label()'),
    (True, 'func f(e: ApiError) -> Int { switch e { case let .Invalid(message): return 1 default: return 0 } }'),
    (False, 'func f(e: ApiError) -> Int { switch e { case let .Invalid(message, user): return 1 default: return 0 } }'),
    (True, 'func f(e: ApiError) -> Int { switch e { case .Teapot: return 1 default: return 0 } }'),
    (True, 'func f(a: SyncAction) -> Int { switch a { case .now: return 0 case .after: return 1 case .enrol: return 2 } }'),
    (False, 'func f(a: SyncAction) -> Int { switch a { case .now: return 0 case .after: return 1 case .enrol, .enrolAgain: return 2 } }'),
    (True, 'func f() { do { try g() } catch ApiError.Stale(let m, let n) { } catch {} }'),
    (True, 'let q = try parseQuantity(text: "1,5")'),
    (False, 'let q = try parseQuantity(text: "1,5", decimalSeparator: ",")'),
    (True, 'final class R: SyncObserver { func onProgress(_ p: SyncProgressRecord) {} }'),
    (False, 'final class R: SyncObserver { func onProgress(progress: SyncProgressRecord) {} }'),
    (True, 'func f() { let x = ( }'),
    (False, 'func f(p: RecoveredPhoto) { if case let .attached(id, sha) = p { print(id, sha) } }'),
    (True, 'func f(p: RecoveredPhoto) { if case let .attached(id) = p { print(id) } }'),
    (True, 'func f(flags: [FlagRecord]) -> Bool { flags.contains { $0.kind == "substance_mismatch" } }'),
    (False, 'func f(flags: [FlagRecord]) -> Bool { flags.contains { $0.kind == .substanceMismatch } }'),
    (True, 'func f(_ flag: FlagRecord) -> String { guard flag.findingId != nil else { return flag.message }; return "" }'),
    (True, 'func f(_ flag: FlagRecord) -> String { "Finding 1: \\(flag.message)" }'),
    (False, 'func f(_ flag: FlagRecord) -> String { "Finding 1: \\(flag.message.localized)" }'),
    (False, 'func f(_ flag: FlagRecord) -> String { flag.findingId == "x" ? flag.text : "" }'),
    (True, 'struct V { let flag: FlagRecord\n var t: String { "\\(flag.message)" } }'),
]


def self_test():
    api, _, _ = load_api(GENERATED)
    failures = 0
    for expect, snippet in SELF_TEST:
        src = snippet.encode()
        tree = PARSER.parse(src)
        declared = collect_declared([(None, src, tree)])
        problems = [f"{l}:{c} {k}" for l, c, k, _ in parse_errors(tree, src)] + check_file(api, declared, tree, src)
        ok = bool(problems) == expect
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {'caught' if problems else 'clean '} {snippet}")
        for p in problems:
            print(f"       {p}")
    print(f"{len(SELF_TEST) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(self_test() if "--self-test" in args else run("-v" in args))
