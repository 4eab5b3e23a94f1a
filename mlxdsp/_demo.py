"""``mlxdsp demo``: the library's main job on the embedded clip, end to end.

STFT/iSTFT round trip, mel and MFCC features, parity against librosa and torch when they are installed,
eager vs ``mx.compile`` timings, one compiled gradient-descent fit (a per-bin equaliser that makes the
clip's log-mel spectrogram match a target), and a PNG of waveform, spectrogram and mel spectrogram.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import time

import mlx.core as mx
import numpy as np

from ._clip import SAMPLE_RATE, default_clip_np
from ._db import power_to_db
from ._mel import mel_filterbank, mel_spectrogram
from ._mfcc import mfcc
from ._spectrum import power_of, spectrogram
from ._stft import istft, stft

N_FFT = 1024
HOP = 256
N_MELS = 80


def _rel(a, b) -> float:
    a = np.asarray(a, dtype=np.complex128)
    b = np.asarray(b, dtype=np.complex128)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _median_ms(fn, runs: int = 20) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return 1e3 * statistics.median(samples)


def _parity(y_np: np.ndarray, X, M, C) -> list[str]:
    lines = []
    if importlib.util.find_spec("librosa") is not None:
        import librosa

        y64 = y_np.astype(np.float64)
        ref = librosa.stft(y64, n_fft=N_FFT, hop_length=HOP, pad_mode="reflect")
        lines.append(
            f"  librosa.stft (pad_mode='reflect')          rel. error {_rel(np.array(X), ref):.2e}"
        )
        mel_ref = librosa.feature.melspectrogram(
            y=y64, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, pad_mode="reflect"
        )
        lines.append(
            f"  librosa.feature.melspectrogram             rel. error {_rel(np.array(M), mel_ref):.2e}"
        )
        mfcc_ref = librosa.feature.mfcc(
            y=y64, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, pad_mode="reflect"
        )
        lines.append(
            f"  librosa.feature.mfcc                       rel. error {_rel(np.array(C), mfcc_ref):.2e}"
        )
    else:
        lines.append("  librosa not installed: skipped")
    if importlib.util.find_spec("torch") is not None:
        import torch

        ref = torch.stft(
            torch.from_numpy(y_np).double(),
            N_FFT,
            HOP,
            window=torch.hann_window(N_FFT, dtype=torch.float64),
            return_complex=True,
        ).numpy()
        lines.append(
            f"  torch.stft (float64 reference)             rel. error {_rel(np.array(X), ref):.2e}"
        )
    else:
        lines.append("  torch not installed: skipped")
    return lines


def _fit_equaliser(y: mx.array, steps: int = 40) -> tuple[float, float, float]:
    """Learn per-bin log-gains g so that log-mel(istft(stft(y) * exp(g))) matches a target made with a
    -24 dB spectral tilt; Adam on a compiled value_and_grad."""
    fb = mel_filterbank(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS)
    n_freq = N_FFT // 2 + 1
    tilt = (10.0 ** (-1.2 * np.arange(n_freq) / n_freq)).astype(
        np.float32
    )  # amplitude, 0 to -24 dB
    X = stft(y, n_fft=N_FFT, hop_length=HOP)
    target = power_to_db(fb @ (power_of(X) * mx.array(tilt**2)[:, None]), amin=1e-8, top_db=None)

    def loss(g):
        shaped = istft(X * mx.exp(g)[:, None], n_fft=N_FFT, hop_length=HOP, length=y.shape[-1])
        est = power_to_db(
            fb @ power_of(stft(shaped, n_fft=N_FFT, hop_length=HOP)), amin=1e-8, top_db=None
        )
        return mx.mean(mx.square(est - target))

    step = mx.compile(mx.value_and_grad(loss))
    g = mx.zeros((n_freq,))
    first, _ = step(g)
    first_value = first.item()
    start = time.perf_counter()
    value = first
    m = mx.zeros_like(g)
    v = mx.zeros_like(g)
    for i in range(1, steps + 1):  # Adam, lr 0.05
        value, grad = step(g)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * mx.square(grad)
        g = g - 0.05 * (m / (1 - 0.9**i)) / (mx.sqrt(v / (1 - 0.999**i)) + 1e-8)
        mx.eval(g, value)
    return first_value, float(value.item()), (time.perf_counter() - start) / steps * 1e3


def _plot(path: str, y_np: np.ndarray, S_db: np.ndarray, M_db: np.ndarray) -> str | None:
    if importlib.util.find_spec("matplotlib") is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(10, 9), constrained_layout=True)
    t = np.arange(y_np.shape[-1]) / SAMPLE_RATE
    axes[0].plot(t, y_np, linewidth=0.5)
    axes[0].set(title="waveform (embedded clip)", xlabel="time [s]", xlim=(0, t[-1]))
    extent = [0, t[-1], 0, SAMPLE_RATE / 2]
    im = axes[1].imshow(S_db, origin="lower", aspect="auto", extent=extent, cmap="magma")
    axes[1].set(
        title=f"power spectrogram [dB] (n_fft={N_FFT}, hop={HOP})", xlabel="time [s]", ylabel="Hz"
    )
    fig.colorbar(im, ax=axes[1])
    im = axes[2].imshow(
        M_db, origin="lower", aspect="auto", extent=[0, t[-1], 0, N_MELS], cmap="magma"
    )
    axes[2].set(
        title=f"mel spectrogram [dB] ({N_MELS} Slaney bands)", xlabel="time [s]", ylabel="mel band"
    )
    fig.colorbar(im, ax=axes[2])
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run_demo(out_dir: str = ".", plot: bool = True) -> int:
    y_np = default_clip_np()
    y = mx.array(y_np)
    print(
        f"mlxdsp demo: embedded clip, {y_np.shape[-1]} samples at {SAMPLE_RATE} Hz on {mx.default_device()}"
    )

    X = stft(y, n_fft=N_FFT, hop_length=HOP)
    back = istft(X, n_fft=N_FFT, hop_length=HOP, length=y.shape[-1])
    M = mel_spectrogram(y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    C = mfcc(y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, n_mfcc=20)
    mx.eval(X, back, M, C)
    print(f"stft {tuple(X.shape)} complex64, mel {tuple(M.shape)}, mfcc {tuple(C.shape)}")
    print(f"istft(stft(x)) round trip: max abs error {float(mx.max(mx.abs(back - y))):.2e}")

    print("parity against reference libraries (relative Frobenius error, float64 references):")
    for line in _parity(y_np, X, M, C):
        print(line)

    def features(v):
        return mel_spectrogram(v, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)

    compiled = mx.compile(features)
    eager_ms = _median_ms(lambda: mx.eval(features(y)))
    compiled_ms = _median_ms(lambda: mx.eval(compiled(y)))
    print(
        f"mel_spectrogram: eager {eager_ms:.2f} ms, mx.compile {compiled_ms:.2f} ms (median of 20)"
    )

    before, after, step_ms = _fit_equaliser(y)
    print(
        f"compiled gradient fit (per-bin equaliser -> log-mel of the clip tilted by -24 dB): loss {before:.2f} -> "
        f"{after:.2f} dB^2 in 40 steps, {step_ms:.1f} ms per value_and_grad step"
    )

    if plot:
        S_db = np.array(power_to_db(spectrogram(y, n_fft=N_FFT, hop_length=HOP), ref=mx.max))
        M_db = np.array(power_to_db(M, ref=mx.max))
        os.makedirs(out_dir, exist_ok=True)
        path = _plot(os.path.join(out_dir, "mlxdsp-demo.png"), y_np, S_db, M_db)
        if path is None:
            print("matplotlib is not installed: no PNG written (pip install matplotlib)")
        else:
            print(f"wrote {os.path.abspath(path)}")
    return 0
