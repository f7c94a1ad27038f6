#!/usr/bin/env python3
"""Rust functions over 60 lines, in src/ and in the src/ of every crate of the repository.

A function's length runs from the line of its `fn` to the line of its closing brace
(its doc comment and attributes left out); closures and functions nested in it count as
its lines. Each one over the limit is printed as `path:line name (N lines)`, longest
first; the exit code is 1 when there is one. Python 3 standard library only.

    python3 scripts/long-functions.py [--max N] [DIR ...]
"""

import os
import re
import sys

FN = re.compile(
    r"\b(?:pub(?:\s*\([^)]*\))?\s+)?(?:(?:const|async|unsafe|extern(?:\s+\"[^\"]*\")?)\s+)*fn\s+(\w+)"
)


def blank(text):
    """`text` with comments, strings and character literals blanked (newlines kept), so
    braces inside them are not counted."""
    out, i, n = [], 0, len(text)

    def keep_lines(chunk):
        out.append("".join(ch if ch == "\n" else " " for ch in chunk))

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            keep_lines(text[i:end])
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            keep_lines(text[i:end])
            i = end
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            keep_lines(text[i:end])
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            keep_lines(text[i : j + 1])
            i = j + 1
        elif c == "'" and re.match(r"'(\\.[^']*|[^'\\])'", text[i:]):
            end = i + re.match(r"'(\\.[^']*|[^'\\])'", text[i:]).end()
            keep_lines(text[i:end])
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(line, name, lines) of every function with a body in the file at `path`."""
    with open(path, encoding="utf-8") as f:
        code = blank(f.read())
    for m in FN.finditer(code):
        # The body's opening brace, unless a `;` ends the declaration first (a trait's).
        i, depth = m.end(), 0
        while i < len(code):
            ch = code[i]
            if ch in "(<[":
                depth += 1
            elif ch in ")>]":
                depth -= 1 if ch != ">" or code[i - 1] != "-" else 0
            elif ch == ";" and depth <= 0:
                i = -1
                break
            elif ch == "{" and depth <= 0:
                break
            i += 1
        if i < 0 or i >= len(code):
            continue
        depth, j = 0, i
        while j < len(code):
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            if depth == 0:
                break
            j += 1
        first = code.count("\n", 0, m.start()) + 1
        last = code.count("\n", 0, j) + 1
        yield first, m.group(1), last - first + 1


def source_dirs(root):
    """Every `src/` beside a Cargo.toml under `root` (target/ and hidden folders left out)."""
    for here, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "target" and not d.startswith(".")]
        if "Cargo.toml" in files and os.path.isdir(os.path.join(here, "src")):
            yield os.path.join(here, "src")


def main():
    args, limit = sys.argv[1:], 60
    if args[:1] == ["--max"]:
        limit, args = int(args[1]), args[2:]
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    dirs = args or list(source_dirs(root))
    long = []
    for d in dirs:
        for here, _, names in os.walk(d):
            for name in sorted(names):
                if name.endswith(".rs"):
                    path = os.path.join(here, name)
                    for line, fn, n in functions(path):
                        if n > limit:
                            long.append((n, os.path.relpath(path, root), line, fn))
    for n, path, line, fn in sorted(long, key=lambda x: (-x[0], x[1], x[2])):
        print(f"{path}:{line} {fn} ({n} lines)")
    print(f"{len(long)} function(s) over {limit} lines", file=sys.stderr)
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
