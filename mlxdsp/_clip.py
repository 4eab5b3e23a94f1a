"""The embedded default clip: 4 s of synthesized audio (harmonic tones, a chirp, noise), made here.

It is generated from a fixed seed rather than shipped as a file, so it is bit-identical everywhere and
costs nothing to install.
"""

from __future__ import annotations

import functools

import numpy as np

SAMPLE_RATE = 22050
DURATION_S = 4.0


@functools.lru_cache(maxsize=1)
def default_clip_np() -> np.ndarray:
    """float32 [n] at 22.05 kHz: an A3 harmonic tone with vibrato, a C-major arpeggio, an exponential
    chirp 100 Hz -> 8 kHz, and a burst of pink-ish noise, peak-normalised to 0.8."""
    sr = SAMPLE_RATE
    n = int(sr * DURATION_S)
    t = np.arange(n) / sr
    rng = np.random.default_rng(20261120)
    y = np.zeros(n)
    # 0-1.5 s: harmonic tone (220 Hz, 6 partials with 1/k amplitudes) and 5 Hz vibrato.
    seg = t < 1.5
    phase = 2 * np.pi * 220 * t + 0.3 * np.sin(2 * np.pi * 5 * t)
    y[seg] += sum(np.sin(k * phase[seg]) / k for k in range(1, 7)) * 0.5
    # 1.5-2.5 s: arpeggio C5 E5 G5 C6, 0.25 s each, with a short decay.
    for i, f in enumerate((523.25, 659.25, 783.99, 1046.5)):
        start, stop = 1.5 + 0.25 * i, 1.75 + 0.25 * i
        s = (t >= start) & (t < stop)
        local = t[s] - start
        y[s] += np.sin(2 * np.pi * f * local) * np.exp(-6 * local) * 0.8
    # 2.5-3.5 s: exponential chirp 100 Hz -> 8 kHz.
    s = (t >= 2.5) & (t < 3.5)
    local = t[s] - 2.5
    k = np.log(8000 / 100)
    y[s] += 0.5 * np.sin(2 * np.pi * 100 * (np.exp(k * local) - 1) / k)
    # 3.5-4 s: noise with a 1/f tilt (leaky integration of white noise).
    s = t >= 3.5
    white = rng.standard_normal(int(s.sum()))
    pink = np.zeros_like(white)
    acc = 0.0
    for i, v in enumerate(white):
        acc = 0.97 * acc + v
        pink[i] = acc
    y[s] += 0.05 * pink
    y *= 0.8 / np.abs(y).max()
    return y.astype(np.float32)
