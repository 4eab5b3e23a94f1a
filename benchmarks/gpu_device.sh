#!/usr/bin/env bash
# One call on the lent GPU machine: environment, kernel correctness, speed table, compute-sanitizer.
#   bash benchmarks/gpu_device.sh [EXAMPLES] [STEPS]   (after staging MLX-CUDA: docs/gpu.md)
# STEPS: any of "check speed sanitizer" (default: all three); CHECK_TIMEOUT, SAN_TIMEOUT (s), SAN_EXAMPLES.
# Logs go to $OUT (the device tool's folder) or /tmp/mlxdsp-gpu.
set -u
out=${OUT:-/tmp/mlxdsp-gpu}
mkdir -p "$out"
examples=${1:-40}
steps=${2:-check speed sanitizer}
export PYTHONPATH=/tmp/site:$(pwd) PYTHONUNBUFFERED=1
py=$(command -v python3)
$py -c "import torch" 2>/dev/null || py=/opt/torch/.venv/bin/python3
nvidia-smi -L
$py -c "import torch, torchaudio, mlx.core as mx, mlxdsp; print('torch', torch.__version__, 'torchaudio', torchaudio.__version__, 'mlx', mx.__version__, mx.default_device(), 'kernels:', mlxdsp._kernels.enabled())"
if [[ $steps == *check* ]]; then
  echo "== correctness"
  timeout "${CHECK_TIMEOUT:-240}" $py tests/gpu_check.py --examples "$examples" --torch 2>&1 | tee "$out/check.log" | tail -30
fi
if [[ $steps == *speed* ]]; then
  echo "== speed"
  timeout 330 $py -m benchmarks gpu --json "$out/bench.json" 2>&1 > "$out/bench.log"; tail -40 "$out/bench.log"
fi
san=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
if [[ $steps == *sanitizer* ]] && [ -n "$san" ]; then
  echo "== compute-sanitizer memcheck (mlxdsp kernels only)"
  timeout "${SAN_TIMEOUT:-150}" "$san" --tool memcheck --kernel-name kns=mlxdsp --print-limit 20 \
    $py tests/gpu_check.py --examples "${SAN_EXAMPLES:-3}" > "$out/sanitizer.log" 2>&1
  echo "sanitizer exit $?"; grep -E "ERROR SUMMARY|PASS|FAIL|Invalid" "$out/sanitizer.log" | head -20
elif [[ $steps == *sanitizer* ]]; then
  echo "no compute-sanitizer on this machine"
fi
