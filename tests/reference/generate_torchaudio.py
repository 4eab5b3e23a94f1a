"""Record torchaudio goldens for tests/test_resample.py and tests/test_filter.py.

Run where torchaudio imports (the GPU machine: torch 2.11 + torchaudio 2.11), from the repository root:

    python tests/reference/generate_torchaudio.py

Writes tests/reference/torchaudio_resample.npz and tests/reference/torchaudio_biquad.npz (float32 CPU
results). Inputs are regenerated here with the same seeds the tests use, and also stored as ``x``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torchaudio
import torchaudio.functional as F

HERE = Path(__file__).parent
RATIOS = [(44100, 16000), (48000, 44100), (8000, 22050), (16000, 8000), (3, 7), (1, 5), (5, 1)]
SR = 16000


def resample_goldens() -> dict[str, np.ndarray]:
    x = np.random.default_rng(0).standard_normal((2, 3001)).astype(np.float32)
    out = {"x": x, "torchaudio_version": np.array(torchaudio.__version__)}
    xt = torch.from_numpy(x)
    for method in ("sinc_interp_hann", "sinc_interp_kaiser"):
        for orig, new in RATIOS:
            y = F.resample(xt, orig, new, resampling_method=method)
            out[f"resample/{method}/{orig}/{new}"] = y.numpy()
    return out


def biquad_goldens() -> dict[str, np.ndarray]:
    x = (0.5 * np.random.default_rng(4).standard_normal((2, 3000))).astype(np.float32)
    xt = torch.from_numpy(x)
    # same order and keys ("<kind><index>") as BIQUADS in tests/test_filter.py
    calls = [
        ("lowpass", lambda v: F.lowpass_biquad(v, SR, 1000.0)),
        ("highpass", lambda v: F.highpass_biquad(v, SR, 500.0, Q=1.2)),
        ("allpass", lambda v: F.allpass_biquad(v, SR, 2000.0)),
        ("bandpass", lambda v: F.bandpass_biquad(v, SR, 1500.0, Q=2.0)),
        ("bandpass", lambda v: F.bandpass_biquad(v, SR, 1500.0, Q=2.0, const_skirt_gain=True)),
        ("bandreject", lambda v: F.bandreject_biquad(v, SR, 3000.0)),
        ("equalizer", lambda v: F.equalizer_biquad(v, SR, 1000.0, 6.0, Q=1.5)),
        ("bass", lambda v: F.bass_biquad(v, SR, -4.0)),
        ("treble", lambda v: F.treble_biquad(v, SR, 3.0)),
        ("bass", lambda v: F.bass_biquad(v, SR, 5.0, central_freq=300.0)),
        ("treble", lambda v: F.treble_biquad(v, SR, -6.0, central_freq=4000.0)),
    ]
    out = {"x": x, "torchaudio_version": np.array(torchaudio.__version__)}
    for i, (kind, fn) in enumerate(calls):
        out[f"{kind}{i}"] = fn(xt).numpy()
    return out


def main() -> None:
    np.savez(HERE / "torchaudio_resample.npz", **resample_goldens())
    np.savez(HERE / "torchaudio_biquad.npz", **biquad_goldens())
    print(f"wrote goldens with torchaudio {torchaudio.__version__} to {HERE}")


if __name__ == "__main__":
    main()
