#!/usr/bin/env python3
"""Report import circles between a crate's modules.

Reads every .rs file under SRC (default: crates/custodian-server/src), maps each file to its
module path (a/b.rs and a/b/mod.rs are both `a::b`), and draws an edge from a module to every
module it names with a `crate::...` path (in `use` lines and inline paths alike; `super::` is
resolved too). Prints each strongly connected component of more than one module: a set of
modules that all reach one another, so none can be read, tested or moved alone.

Usage: scripts/module_cycles.py [SRC] [--top] [--edges] [--check]
  --top: fold modules into their top-level area; --edges: list the edges inside each circle;
  --check: exit 1 when there is a circle (scripts/test runs it on the server and domain crates)
"""
import os
import re
import sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
top = "--top" in sys.argv
src = args[0] if args else "crates/custodian-server/src"

mods = {}
for root, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs"):
            continue
        p = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
        if p[-1] in ("mod", "lib", "main"):
            p = p[:-1]
        mods["::".join(p)] = os.path.join(root, f)

def resolve(path):
    """The longest known module that prefixes `path` (a list of segments)."""
    for n in range(len(path), 0, -1):
        m = "::".join(path[:n])
        if m in mods:
            return m
    return None

def fold(m):
    return m.split("::")[0] if top and m else m

edges = {}
for m, f in mods.items():
    text = open(f, encoding="utf-8").read()
    text = re.sub(r"//[^\n]*", "", text)
    # #[cfg(test)] modules are not part of the build graph that matters here.
    cut = re.search(r"#\[cfg\(test\)\]\s*mod\s+tests", text)
    if cut:
        text = text[: cut.start()]
    targets = set()
    # use crate::{a::{b, c}, d} groups: expand one level of braces.
    for g in re.finditer(r"crate::\{([^;]*?)\};", text, re.S):
        for part in re.split(r",\s*(?![^{]*\})", g.group(1)):
            seg = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", part.split("{")[0])
            if seg:
                r = resolve(seg)
                if r is not None:
                    targets.add(r)
    for hit in re.finditer(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)", text):
        seg = hit.group(2).split("::")[1:]
        if hit.group(1) == "super":
            base = m.split("::")[:-1] if m else []
            # a::b.rs: super is `a`; a/b/mod.rs is module a::b and super is `a` as well
            seg = base + seg
        r = resolve(seg)
        if r is not None:
            targets.add(r)
    a = fold(m)
    for t in targets:
        b = fold(t)
        if b != a and not (b and a.startswith(b + "::")) and b != "":
            edges.setdefault(a, set()).add(b)

nodes = sorted({fold(m) for m in mods})
# Tarjan's strongly connected components.
index, low, stack, on, out = {}, {}, [], set(), []
counter = [0]
sys.setrecursionlimit(10000)

def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
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

for v in nodes:
    if v not in index:
        visit(v)

print(f"{len(nodes)} modules, {sum(len(e) for e in edges.values())} edges, {len(out)} circle(s)")
for comp in sorted(out, key=len, reverse=True):
    print(f"circle of {len(comp)}: " + ", ".join(c or "crate" for c in comp))

if "--edges" in sys.argv:
    for comp in out:
        s = set(comp)
        for a in comp:
            inside = sorted(b for b in edges.get(a, ()) if b in s)
            print(f"  {a or 'crate'} -> {', '.join(inside)}")

if "--check" in sys.argv and out:
    sys.exit(1)
