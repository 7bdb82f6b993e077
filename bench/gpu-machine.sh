#!/bin/bash
# Issue 12's GPU figures in one go, on the GPU machine, from the project root. Prepared on the
# development machine: `npm run build` (dist/) and `bash ../shared/gpu/pack.sh` (.gpu-carry/: node,
# node_modules, the Vulkan loader); both travel with the checkout (device tool: carry .gpu-carry
# and dist). Writes under $OUT (or ./gpu-results): doctor.txt (backend and adapter), gpu.jsonl
# (bench:gpu rows: every step kind at batch 512 and 4096, K = 1, 8, 32 runs, PyTorch beside when
# python3 has torch) and models.jsonl (every lab run's default config, within a time budget so the
# whole script ends inside one 10-minute call).
#   bash bench/gpu-machine.sh
set -uo pipefail
out="${OUT:-gpu-results}"
mkdir -p "$out"
# shellcheck disable=SC1091
source .gpu-carry/unpack.sh
export STEPWISE_BACKEND=webgpu PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1
node dist/src/cli/main.js doctor > "$out/doctor.txt" 2>&1
timeout 200 node dist/bench/gpu.js 100 512,4096 --runs 1,8,32 --json 2>>"$out/stderr.txt" | tee "$out/gpu.jsonl"
timeout 300 node dist/bench/models.js --json --budget 240 2>>"$out/stderr.txt" | tee "$out/models.jsonl"
tail -c 4000 "$out/stderr.txt" | grep -v '^Warning' >&2 || true
