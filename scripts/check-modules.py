#!/usr/bin/env python3
"""The module graph of the aclplay library (src/, not the binaries): which module uses
which, from the `crate::`/`super::` paths in each file, and whether it has a cycle.

    python3 scripts/check-modules.py          # fails (exit 1) on a cycle, prints it
    python3 scripts/check-modules.py --graph  # also prints every module's uses

A module is a file (`src/engine/rules.rs` is `engine::rules`, `src/engine/mod.rs` is
`engine`); lib.rs, the table of contents, is not one. A use of `crate::a::b::Item` counts
as a use of the deepest module of that path that exists (so using a re-export of
`commands` is a use of `commands`). Module declarations and `pub use` re-exports are the
table of contents, not dependencies. Test modules (`#[cfg(test)] mod tests { … }` to the
end of the file) are left out: tests may use anything.
"""

import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def modules():
    out = {}
    for f in sorted(SRC.rglob("*.rs")):
        rel = f.relative_to(SRC)
        if rel.parts[0] == "bin":
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] in ("mod", "lib"):
            parts = parts[:-1]
        out["::".join(parts)] = f
    return out


def strip(text):
    """The file without comments, strings and its test module."""
    cut = re.search(r"^#\[cfg\(test\)\]\s*\nmod tests", text, re.M)
    if cut:
        text = text[: cut.start()]
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


def resolve(path, mods):
    """The deepest module named by a path's prefix."""
    parts = path.split("::")
    for n in range(len(parts), 0, -1):
        name = "::".join(parts[:n])
        if name in mods:
            return name
    return ""


def uses(name, f, text, mods):
    """The modules `name` uses: `crate::`, `super::` and `self::` paths, and in a `mod.rs`
    its children's paths. Re-exports (`pub use`) and module declarations are the table
    of contents, not dependencies, and are skipped."""
    here = name.split("::") if name else []
    text = re.sub(r"^\s*pub(\([^)]*\))?\s+use\s[^;]*;", "", text, flags=re.M)
    text = re.sub(r"^\s*(pub(\([^)]*\))?\s+)?mod\s+\w+\s*;", "", text, flags=re.M)
    roots = {"crate": [], "super": here[:-1], "self": here if f.name == "mod.rs" else here[:-1]}
    children = [m.split("::")[-1] for m in mods if m.startswith(name + "::") and m.count("::") == name.count("::") + (1 if name else 0)]
    names = "crate|super|self" + "".join("|" + c for c in children if f.name in ("mod.rs", "lib.rs"))
    # A path has at least one `::` after its root (`self.x` and `&self` are not paths).
    pattern = r"\b(" + names + r")((?:::\w+)*)(::\{([^{}]*)\})?"
    found = set()
    for m in re.finditer(pattern, text):
        root, rest, _, group = m.groups()
        if not rest and group is None:
            continue
        base = roots[root] if root in roots else here + [root]
        prefix = base + [p for p in rest.split("::") if p]
        tails = [g.strip().split(" as ")[0] for g in group.split(",")] if group else [""]
        for t in tails:
            full = "::".join(prefix + [p for p in t.split("::") if p and p != "self"])
            target = resolve(full, mods)
            if target and target != name:
                found.add(target)
    return found


def cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if not state.get(m):
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if not state.get(n):
            c = visit(n)
            if c:
                return c
    return None


def main():
    mods = modules()
    graph = {n: uses(n, f, strip(f.read_text()), mods) for n, f in mods.items() if n}
    if "--graph" in sys.argv:
        for n in sorted(graph):
            print(f"{n or 'lib'} -> {', '.join(sorted(graph[n])) or '-'}")
    c = cycle(graph)
    if c:
        print("module cycle: " + " -> ".join(x or "lib" for x in c), file=sys.stderr)
        return 1
    print(f"no module cycle among {len(mods)} modules of src/ ({sum(map(len, graph.values()))} edges)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
