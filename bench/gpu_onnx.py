#!/usr/bin/env python3
"""Times a shipped IRT router graph (routers/<name>/model.onnx) with whatever onnxruntime is installed.

Uses the CUDA execution provider when this onnxruntime has it, else says so and times CPU. Inputs mimic real prompts:
each row has `--features` distinct hashed n-gram ids (ZeroEval dev prompts average ~700, MMLU-Pro ~900) with
L2-normalised weights. Prints prompts/s at each batch size, each batch in one run. The graph takes one row per
prompt (ids: batch × features, weights: batch × 1 × features) and pools with a batched MatMul, so a run's work grows
with the batch; graphs exported before 2026-11-25 take the features flattened with a `rows` input, also handled here.
"""
import argparse
import json
import os
import time

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("router", help="router folder, e.g. routers/irt-ze12")
    parser.add_argument("--batches", default="1,32,256")
    parser.add_argument("--features", type=int, default=800)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    manifest = json.load(open(os.path.join(args.router, "router.json")))
    buckets = manifest["encoder"]["hashedNgrams"]["buckets"]
    available = ort.get_available_providers()
    providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if "CUDAExecutionProvider" in available else ["CPUExecutionProvider"]
    session = ort.InferenceSession(os.path.join(args.router, manifest["model"]), providers=providers)
    used = session.get_providers()[0]
    print(f"onnxruntime {ort.__version__}; available {available}; timing on {used}")
    if used != "CUDAExecutionProvider":
        print("NOTE: no CUDA execution provider in this onnxruntime build: numbers below are CPU numbers.")

    inputs = {i.name for i in session.get_inputs()}
    rng = np.random.default_rng(1)
    for batch in [int(b) for b in args.batches.split(",")]:
        ids = np.stack([rng.choice(buckets, size=args.features, replace=False) for _ in range(batch)]).astype(np.int64)
        weights = rng.random((batch, args.features), dtype=np.float32)
        weights /= np.linalg.norm(weights, axis=1, keepdims=True)
        if "rows" in inputs:
            rows = np.repeat(np.arange(batch, dtype=np.int64), args.features)
            feed = {"ids": ids.reshape(-1), "weights": weights.reshape(-1), "rows": rows}
        else:
            feed = {"ids": ids, "weights": weights.reshape(batch, 1, args.features)}
        for _ in range(5):
            session.run(None, feed)
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            session.run(None, feed)
            runs += 1
        elapsed = time.perf_counter() - start
        print(f"batch {batch:4d}: {runs * batch / elapsed:10.0f} prompts/s  ({elapsed / runs * 1000:.3f} ms per run)")


if __name__ == "__main__":
    main()
