#!/usr/bin/env bash
# One call on the lent GPU machine: environment, kernel correctness, speed table, compute-sanitizer.
#   bash benchmarks/gpu_device.sh [EXAMPLES] [STEPS]   (after staging MLX-CUDA: docs/gpu.md)
# STEPS: any of "check speed sanitizer" (default: all three), plus "profile" (fused stft bodies timed
# directly), "ncu" (their Nsight Compute sections), "fusedsan" (memcheck + racecheck of the fused kernels);
# CHECK_TIMEOUT, SPEED_TIMEOUT, SAN_TIMEOUT, PROF_TIMEOUT (s), SAN_EXAMPLES.
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
  timeout "${SPEED_TIMEOUT:-330}" $py -m benchmarks gpu --json "$out/bench.json" 2>&1 > "$out/bench.log"; tail -40 "$out/bench.log"
fi
prof="tests/kernel_harness/profile_stft.py --body v4=tests/kernel_harness/stft_rfft_v4.inc --body v6=tests/kernel_harness/stft_rfft_v6.inc"
if [[ $steps == *profile* ]]; then
  echo "== fused stft bodies: device time per call (K calls per eval), vs frames+rfft and torch"
  timeout "${PROF_TIMEOUT:-90}" $py $prof 2>&1 | tee "$out/profile.log" | grep -v "^$"
fi
ncu_bin=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
if [[ $steps == *ncu* ]] && [ -n "$ncu_bin" ]; then
  echo "== ncu (fused stft bodies, 1024/256 4 x 1.32M, one launch each)"
  for tag in cur v6; do
    timeout 60 "$ncu_bin" --kernel-name "regex:stft_$tag" --launch-skip 1 --launch-count 1 \
      --section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats \
      --section SchedulerStats --section MemoryWorkloadAnalysis \
      $py $prof --quick --once > "$out/ncu_$tag.log" 2>&1
    grep -E "stft_|Duration|Throughput|Registers Per|Achieved Occupancy|Theoretical Occ|Issued Warp|No Eligible|Warp Cycles Per Issued|Shared Memory Configuration Size|Block Limit (Reg|Shared)" "$out/ncu_$tag.log" | head -30
  done
fi
san=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -1)
if [[ $steps == *sanitizer* ]] && [ -n "$san" ]; then
  echo "== compute-sanitizer memcheck (mlxdsp kernels only)"
  timeout "${SAN_TIMEOUT:-150}" "$san" --tool memcheck --kernel-name kns=mlxdsp --print-limit 20 \
    $py tests/gpu_check.py --examples "${SAN_EXAMPLES:-3}" > "$out/sanitizer.log" 2>&1
  echo "sanitizer exit $?"; grep -E "ERROR SUMMARY|PASS|FAIL|Invalid" "$out/sanitizer.log" | head -20
fi
if [[ $steps == *fusedsan* ]] && [ -n "$san" ]; then
  for tool in memcheck racecheck; do
    echo "== compute-sanitizer $tool (stft_rfft + irfft kernels: every radix layout, forward + grad)"
    timeout "${SAN_TIMEOUT:-150}" "$san" --tool $tool --kernel-name kns=rfft --print-limit 20 \
      $py tests/kernel_harness/profile_stft.py --sanitize > "$out/san_$tool.log" 2>&1
    echo "exit $?"; grep -E "ERROR SUMMARY|RACECHECK SUMMARY|sanitize: [0-9]|Error|hazard" "$out/san_$tool.log" | head -8
  done
elif [[ $steps == *sanitizer* ]]; then
  echo "no compute-sanitizer on this machine"
fi
