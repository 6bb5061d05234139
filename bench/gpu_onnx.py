#!/usr/bin/env python3
"""Times a shipped IRT router graph (routers/<name>/model.onnx) with whatever onnxruntime is installed.

Uses the CUDA execution provider when this onnxruntime has it, else says so and times CPU. Inputs mimic real prompts:
each row has `--features` distinct hashed n-gram ids (ZeroEval dev prompts average ~700, MMLU-Pro ~900) with
L2-normalised weights. Prints prompts/s at each batch size, each batch in one run. The graph pools with a
(prompts × features) MatMul, so one run of 256 such prompts does 256 times the pooling work of 256 single runs; the
C# scorer cuts CPU batches into runs of ≤ 16,384 prompts × features for that reason. A GPU takes the whole batch.
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

    rng = np.random.default_rng(1)
    for batch in [int(b) for b in args.batches.split(",")]:
        # The graph takes the batch flattened: each feature's id, weight and row (prompt index).
        ids = np.concatenate([rng.choice(buckets, size=args.features, replace=False) for _ in range(batch)]).astype(np.int64)
        weights = rng.random((batch, args.features), dtype=np.float32)
        weights /= np.linalg.norm(weights, axis=1, keepdims=True)
        rows = np.repeat(np.arange(batch, dtype=np.int64), args.features)
        feed = {"ids": ids, "weights": weights.reshape(-1), "rows": rows}
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
