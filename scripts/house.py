#!/usr/bin/env python3
"""Prints the gateway's folder-level `using` cycles and, with --published DIR, the assemblies a published gateway
carries. Folder A depends on folder B when a file in A imports B's namespace (ExpertRouter.Gateway.B...).
Exits 1 on a cycle, or on a training-only assembly (ML.NET, LightGBM, ScottPlot, SkiaSharp) in the published gateway:
serving a router needs ONNX Runtime and the tokenizers only.
Usage: scripts/house.py [--project src/ExpertRouter.Gateway] [--published DIR]"""
import argparse, os, re, sys

# Microsoft.ML.OnnxRuntime and Microsoft.ML.Tokenizers serve routers; the rest of Microsoft.ML.* is ML.NET (training).
TRAINING_ONLY = re.compile(r"^(Microsoft\.ML(?!\.OnnxRuntime|\.Tokenizers)(\..*)?|LightGBM.*|lib_lightgbm.*|ScottPlot.*|SkiaSharp.*)\.dll$", re.I)
from collections import defaultdict

def folder_graph(project, root_ns):
    graph = defaultdict(set)
    for dirpath, dirs, files in os.walk(project):
        dirs[:] = [d for d in dirs if d not in ("bin", "obj")]
        for name in files:
            if not name.endswith(".cs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, name), project)
            parts = rel.split(os.sep)
            folder = parts[0] if len(parts) > 1 else "(root)"
            text = open(os.path.join(dirpath, name), encoding="utf-8").read()
            graph[folder]
            refs = set(re.findall(r"^using (?:static )?%s\.(\w+)" % re.escape(root_ns), text, re.M))
            # Fully qualified references in code count as well.
            refs |= set(re.findall(r"(?<![\w.])%s\.(\w+)\." % re.escape(root_ns), text))
            for target in refs:
                if target != folder and os.path.isdir(os.path.join(project, target)):
                    graph[folder].add(target)
    return graph

def cycles(graph):
    """Strongly connected components with more than one folder (Tarjan), and each mutual pair."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index: visit(v)
    return out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default="src/ExpertRouter.Gateway")
    parser.add_argument("--namespace", default="ExpertRouter.Gateway")
    parser.add_argument("--published")
    args = parser.parse_args()
    graph = folder_graph(args.project, args.namespace)
    pairs = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph[b]})
    comps = cycles(graph)
    print(f"folders: {len(graph)}; mutual pairs: {len(pairs)}; cycles (strongly connected groups): {len(comps)}")
    for a, b in pairs:
        print(f"  {a} <-> {b}")
    for comp in comps:
        print("  cycle: " + " -> ".join(comp))
    training = []
    if args.published:
        names = sorted(f for f in os.listdir(args.published) if f.endswith(".dll"))
        print(f"published assemblies ({len(names)}):")
        for n in names:
            print("  " + n)
        training = [n for n in names if TRAINING_ONLY.match(n)]
        print(f"training-only assemblies: {len(training)}" + "".join("\n  " + n for n in training))
    return 1 if comps or training else 0

if __name__ == "__main__":
    sys.exit(main())
