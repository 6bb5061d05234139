#!/usr/bin/env bash
# Times the shipped routers' ONNX graphs at batch 1, 32 and 256 with the machine's own onnxruntime (CUDA provider
# when present, otherwise CPU, and it says so). Run from the repository root on an NVIDIA box:
#   pip install onnxruntime-gpu numpy   # or whatever onnxruntime the machine already has
#   bench/gpu-onnx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
for router in routers/irt-ze12 routers/irt-mmlu10; do
  echo "== $router"
  python3 bench/gpu_onnx.py "$router" --batches 1,32,256 "$@"
done
