#!/usr/bin/env python3
"""What the playground's wasm is made of: sections (bytes and gzip), code by crate, and
the largest functions (their instances summed over the hash suffix).

Usage: scripts/wasm-size.py FILE.wasm [TOP]  (scripts/wasm-size.sh builds a FILE with
names kept). Names come from the wasm "name" section: build with names (wasm-bindgen
--keep-debug, wasm-opt -g), or every function is "?". Sizes after wasm-opt are what ships
(gzip is of the file without names); a function inlined into another is counted there.
"""
import collections
import re
import sys
import zlib

SECTIONS = {0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
            7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def gz(b):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return len(c.compress(b) + c.flush())


def main():
    data = open(sys.argv[1], "rb").read()
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    i, imports, sizes, names, sections = 8, 0, [], {}, []
    while i < len(data):
        sid = data[i]
        size, i = leb(data, i + 1)
        end = i + size
        if sid == 2:
            n, j = leb(data, i)
            for _ in range(n):
                for _ in range(2):
                    ln, j = leb(data, j)
                    j += ln
                kind = data[j]
                j += 1
                if kind == 0:
                    imports += 1
                    _, j = leb(data, j)
                elif kind == 1:
                    j += 1
                    flags, j = leb(data, j)
                    _, j = leb(data, j)
                    if flags & 1:
                        _, j = leb(data, j)
                elif kind == 2:
                    flags, j = leb(data, j)
                    _, j = leb(data, j)
                    if flags & 1:
                        _, j = leb(data, j)
                elif kind == 3:
                    j += 2
        elif sid == 10:
            n, j = leb(data, i)
            for _ in range(n):
                sz, j = leb(data, j)
                sizes.append(sz)
                j += sz
        elif sid == 0:
            ln, j = leb(data, i)
            if data[j:j + ln] == b"name":
                j += ln
                while j < end:
                    sub = data[j]
                    ssz, j = leb(data, j + 1)
                    if sub == 1:
                        n, k = leb(data, j)
                        for _ in range(n):
                            idx, k = leb(data, k)
                            ln, k = leb(data, k)
                            names[idx] = data[k:k + ln].decode("utf8", "replace")
                            k += ln
                    j += ssz
                sid = None  # names are not shipped
        if sid is not None:
            sections.append((SECTIONS.get(sid, str(sid)), size, gz(data[i:end])))
        i = end

    print("section      bytes    gzip")
    for name, size, g in sections:
        print(f"{name:10} {size:7d} {g:7d}")
    print(f"{'total':10} {sum(s for _, s, _ in sections):7d}  (gzip of the whole file is less than the sum)\n")

    crates, funcs, count = collections.Counter(), collections.Counter(), collections.Counter()
    for k, sz in enumerate(sizes):
        name = names.get(k + imports, "?")
        base = re.sub(r"::h[0-9a-f]{16}$", "", name)
        funcs[base] += sz
        count[base] += 1
        # `<X as crate::Trait>`: the crate of X, or of the trait when X is a primitive.
        m = re.match(r"^[<&]*([a-z_0-9]+)(\[[0-9a-f]+\])?::", name) or re.match(r"^<[^ ]+ as [<&]*([a-z_0-9]+)", name)
        crate = m.group(1) if m else "?"
        # Generic code instantiated for our types counts as ours.
        if "aclplay_web" in name:
            crate = "aclplay_web (UI)"
        elif "aclplay" in name:
            crate = "aclplay (engine)"
        crates[crate] += sz
    print("code by crate (bytes; generic code by the crate that defines it)")
    for c, sz in crates.most_common(15):
        print(f"{sz:8d}  {c}")
    print(f"\nlargest functions (bytes, instances)")
    for f, sz in funcs.most_common(top):
        print(f"{sz:8d} {count[f]:3d}  {f[:150]}")


if __name__ == "__main__":
    main()
