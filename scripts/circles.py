#!/usr/bin/env python3
"""Import circles between the folders of src/.

Every path a source file names (`use crate::run::bench::BenchPlan;`, `super::super::x`,
`crate::record::digest(..)` inline) is resolved to the module it reaches. Two graphs are
made of them: one between the top-level modules of src/ (`run`, `record`, `vendor`, ...),
and, inside each top-level folder, one between its children (`run/traffic`, `run/bench`,
`run/push`, ...; a folder's own mod.rs is left out, its re-exports being its children's).
Every circle of either graph that passes through a folder is printed (sibling files of
one folder, such as `vendor/compiled.rs` and `vendor/compiler.rs`, may use each other);
the exit code is 1 when there is one. Without an argument, the src/ of the command line
and of every crate under crates/ are checked.

Test code is left out: files named `tests.rs` or `*_tests.rs`, and `#[cfg(test)] mod`
blocks. Python 3 standard library only.

    python3 scripts/circles.py [SRC_DIR ...]
"""

import os
import re
import sys

USE = re.compile(r"\buse\s+([^;]+);", re.S)
INLINE = re.compile(r"\b((?:crate|super|self)(?:\s*::\s*\w+)+)")
CFG_TEST_MOD = re.compile(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{")


def module_of(src, path):
    """`src/run/traffic/plan.rs` -> ('run', 'traffic', 'plan'); mod.rs names its folder."""
    rel = os.path.relpath(path, src)[: -len(".rs")].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return tuple(rel)


def strip_comments(text):
    """The code without comments, strings and character literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            i = n if end < 0 else end + 1 + len(hashes)
            out.append('""')
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            i += 1
            out.append('""')
        elif c == "'" and re.match(r"'(\\.[^']*|[^'\\])'", text[i:]):
            i += re.match(r"'(\\.[^']*|[^'\\])'", text[i:]).end()
            out.append("' '")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_blocks(text):
    while True:
        m = CFG_TEST_MOD.search(text)
        if not m:
            return text
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + text[i:]


def expand(tree):
    """A use tree (`a::{b, c::{d, e}}`) as its paths (['a','b'], ['a','c','d'], ...)."""
    tree = re.sub(r"\s+", "", tree)
    depth, top = 0, -1
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0 and top < 0:
                top = i
            depth += 1
        elif ch == "}":
            depth -= 1
    if top < 0:
        return [[s for s in tree.split(" as ")[0].split("::") if s]]
    prefix = [s for s in tree[:top].split("::") if s]
    inner, parts, depth, start = tree[top + 1 : tree.rindex("}")], [], 0, 0
    for i, ch in enumerate(inner):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    out = []
    for p in parts:
        if p:
            out.extend(prefix + q for q in expand(p))
    return out


def resolve(here, segs, modules):
    """The absolute module path a path starting in module `here` reaches, or None."""
    if not segs:
        return None
    if segs[0] == "crate":
        at, rest = (), segs[1:]
    elif segs[0] in ("super", "self"):
        at, rest = here, segs
        while rest and rest[0] in ("super", "self"):
            at = at[:-1] if rest[0] == "super" else at
            rest = rest[1:]
    elif here + (segs[0],) in modules:
        at, rest = here, segs  # a child module named without `self::`
    else:
        return None  # another crate
    path = at
    for s in rest:
        if path + (s,) in modules:
            path = path + (s,)
        else:
            break
    return path


def edges(src):
    files = []
    for root, _, names in os.walk(src):
        files.extend(os.path.join(root, n) for n in names if n.endswith(".rs"))
    modules = {module_of(src, f) for f in files}
    for f in files:
        parts = module_of(src, f)
        for i in range(1, len(parts)):
            modules.add(parts[:i])
    for f in sorted(files):
        name = os.path.basename(f)
        if name == "tests.rs" or name.endswith("_tests.rs"):
            continue
        here = module_of(src, f)
        with open(f, encoding="utf-8") as fh:
            text = strip_test_blocks(strip_comments(fh.read()))
        paths = [p for m in USE.finditer(text) for p in expand(m.group(1))]
        paths += [re.sub(r"\s+", "", m.group(1)).split("::") for m in INLINE.finditer(text)]
        for segs in paths:
            to = resolve(here, segs, modules)
            if to:
                yield f, here, to


def circles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    top = os.path.join(os.path.dirname(__file__), "..")
    crates = os.path.join(top, "crates")
    dirs = sys.argv[1:] or [os.path.join(top, "src")] + [
        os.path.join(crates, c, "src") for c in sorted(os.listdir(crates))
    ]
    return 1 if any([check(os.path.normpath(d)) for d in dirs]) else 0


def check(src):
    """Print the circles between the folders of `src`; whether there is one."""
    graph, why = {}, {}
    for f, here, to in edges(src):
        pairs = []
        if here and to and here[0] != to[0]:
            pairs.append((here[:1], to[:1]))
        if len(here) >= 2 and len(to) >= 2 and here[0] == to[0] and here[1] != to[1]:
            pairs.append((here[:2], to[:2]))
        for a, b in pairs:
            graph.setdefault(a, set()).add(b)
            why.setdefault((a, b), os.path.relpath(f, src))
    found = [
        comp
        for comp in circles(graph)
        if any(os.path.isdir(os.path.join(src, *c)) for c in comp)
    ]
    for comp in found:
        names = ["/".join(c) for c in comp]
        print("circle: " + " <-> ".join(names))
        for a in comp:
            for b in comp:
                if b in graph.get(a, ()):
                    print(f"  {'/'.join(a)} -> {'/'.join(b)} (e.g. {why[(a, b)]})")
    if not found:
        print(f"no import circle between the folders of {os.path.relpath(src)}")
    return bool(found)


if __name__ == "__main__":
    sys.exit(main())
