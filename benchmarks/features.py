"""Music/speech features: mlxdsp (eager and mx.compile) vs librosa, the "descriptors bundle" of issue 4.

    python -m benchmarks features [--quick] [--budget S] [--malloc-heap]

Mono 22.05 kHz float32 input (30 s and 180 s; --quick: 30 s only), the same options and the same
float32 input for both libraries. Each descriptor is computed from the waveform (its own STFT, as a
plain call does in both libraries); onset_strength from the waveform; pcen of a precomputed mel
spectrogram. Then the "(S=)" rows: the same functions of a precomputed spectrogram (each library's
own: mlxdsp.spectrogram's frame-major layout, librosa's C-ordered ndarray). Three bundle rows: the sum of the rows (every function from the waveform, both libraries);
mlxdsp computing the bundle from one shared magnitude spectrogram passed as ``S=`` (and one mel
spectrogram) against librosa's sum of rows; and both libraries sharing one spectrogram ("one stft
each"). Medians in ms; (ratio) = librosa / mlxdsp best of eager and compiled (> 1: mlxdsp is faster).
"""

from __future__ import annotations

import argparse
import os
import platform

import mlx.core as mx
import numpy as np

import mlxdsp
from mlxdsp._descriptors import poly_features
from mlxdsp._onset import onset_strength
from mlxdsp._pcen import pcen

from .timing import format_table, median_ms

SR = 22050
DURATIONS = (30, 180)
DESCRIPTORS = (
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_contrast",
    "spectral_flatness",
    "poly_features",
    "rms",
    "zero_crossing_rate",
    "chroma_stft",
)


def _signal(seconds: int) -> np.ndarray:
    """Harmonic tones with note changes plus noise, float32."""
    rng = np.random.default_rng(0)
    t = np.arange(seconds * SR) / SR
    x = 0.05 * rng.standard_normal(t.size)
    for k, f0 in enumerate((196.0, 261.6, 329.6)):
        gate = np.floor(t * (2.0 + k)) % 2 == 0
        x += gate * sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 5))
    return x.astype(np.float32)


def _ours():
    """name -> function of the waveform (pcen: of the mel spectrogram)."""
    m = mlxdsp
    return {
        "spectral_centroid": lambda x: m.spectral_centroid(x, sr=SR),
        "spectral_bandwidth": lambda x: m.spectral_bandwidth(x, sr=SR),
        "spectral_rolloff": lambda x: m.spectral_rolloff(x, sr=SR),
        "spectral_contrast": lambda x: m.spectral_contrast(x, sr=SR),
        "spectral_flatness": lambda x: m.spectral_flatness(x),
        "poly_features": lambda x: poly_features(x, sr=SR),
        "rms": lambda x: m.rms(x),
        "zero_crossing_rate": lambda x: m.zero_crossing_rate(x),
        "chroma_stft": lambda x: m.chroma_stft(x, sr=SR, tuning=0.0),
        "onset_strength": lambda x: onset_strength(x, sr=SR),
        "pcen": lambda mel: pcen(mel * 2.0**31, sr=SR),
    }


def _ours_shared(x):
    """The bundle from one magnitude spectrogram (power=1) and its square, as a user would."""
    S = mlxdsp.spectrogram(x, n_fft=2048, hop_length=512, pad_mode="constant", power=1.0)
    P = S * S
    mel = mlxdsp.mel_spectrogram(x, sr=SR, pad_mode="constant")
    return (
        mlxdsp.spectral_centroid(S=S, sr=SR),
        mlxdsp.spectral_bandwidth(S=S, sr=SR),
        mlxdsp.spectral_rolloff(S=S, sr=SR),
        mlxdsp.spectral_contrast(S=S, sr=SR),
        mlxdsp.spectral_flatness(S=S),
        poly_features(S=S, sr=SR),
        mlxdsp.rms(x),
        mlxdsp.zero_crossing_rate(x),
        mlxdsp.chroma_stft(S=P, sr=SR, tuning=0.0),
        onset_strength(S=mlxdsp.power_to_db(mel)),
        pcen(mel * 2.0**31),
    )


def _ours_from_S():
    """name -> function of (S, P, log-power mel): the descriptors of a given spectrogram."""
    m = mlxdsp
    return {
        "spectral_centroid": lambda S, P, M: m.spectral_centroid(S=S, sr=SR),
        "spectral_bandwidth": lambda S, P, M: m.spectral_bandwidth(S=S, sr=SR),
        "spectral_rolloff": lambda S, P, M: m.spectral_rolloff(S=S, sr=SR),
        "spectral_contrast": lambda S, P, M: m.spectral_contrast(S=S, sr=SR),
        "spectral_flatness": lambda S, P, M: m.spectral_flatness(S=S),
        "poly_features": lambda S, P, M: poly_features(S=S, sr=SR),
        "chroma_stft": lambda S, P, M: m.chroma_stft(S=P, sr=SR, tuning=0.0),
        "onset_strength": lambda S, P, M: onset_strength(S=M),
    }


def _librosa_from_S(S: np.ndarray, P: np.ndarray, M: np.ndarray):
    import librosa

    f = librosa.feature
    return {
        "spectral_centroid": lambda: f.spectral_centroid(S=S, sr=SR),
        "spectral_bandwidth": lambda: f.spectral_bandwidth(S=S, sr=SR),
        "spectral_rolloff": lambda: f.spectral_rolloff(S=S, sr=SR),
        "spectral_contrast": lambda: f.spectral_contrast(S=S, sr=SR),
        "spectral_flatness": lambda: f.spectral_flatness(S=S),
        "poly_features": lambda: f.poly_features(S=S, sr=SR),
        "chroma_stft": lambda: f.chroma_stft(S=P, sr=SR, tuning=0.0),
        "onset_strength": lambda: librosa.onset.onset_strength(S=M),
    }


def _librosa_rows(y: np.ndarray, mel: np.ndarray):
    import librosa

    f = librosa.feature
    rows = {
        "spectral_centroid": lambda: f.spectral_centroid(y=y, sr=SR),
        "spectral_bandwidth": lambda: f.spectral_bandwidth(y=y, sr=SR),
        "spectral_rolloff": lambda: f.spectral_rolloff(y=y, sr=SR),
        "spectral_contrast": lambda: f.spectral_contrast(y=y, sr=SR),
        "spectral_flatness": lambda: f.spectral_flatness(y=y),
        "poly_features": lambda: f.poly_features(y=y, sr=SR),
        "rms": lambda: f.rms(y=y),
        "zero_crossing_rate": lambda: f.zero_crossing_rate(y),
        "chroma_stft": lambda: f.chroma_stft(y=y, sr=SR, tuning=0.0),
        "onset_strength": lambda: librosa.onset.onset_strength(y=y, sr=SR),
        "pcen": lambda: librosa.pcen(mel * 2.0**31, sr=SR),
    }

    def shared():
        S = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
        P = S**2
        M = f.melspectrogram(y=y, sr=SR)
        return (
            f.spectral_centroid(S=S, sr=SR),
            f.spectral_bandwidth(S=S, sr=SR),
            f.spectral_rolloff(S=S, sr=SR),
            f.spectral_contrast(S=S, sr=SR),
            f.spectral_flatness(S=S),
            f.poly_features(S=S, sr=SR),
            f.rms(y=y),
            f.zero_crossing_rate(y),
            f.chroma_stft(S=P, sr=SR, tuning=0.0),
            librosa.onset.onset_strength(S=librosa.power_to_db(M)),
            librosa.pcen(M * 2.0**31, sr=SR),
        )

    return rows, shared


def _time_ours(fn, *args, budget_s):
    compiled = mx.compile(fn)
    eager = median_ms(lambda: mx.eval(fn(*args)), budget_s=budget_s)
    comp = median_ms(lambda: mx.eval(compiled(*args)), budget_s=budget_s)
    return eager, comp


def run(durations, budget_s: float):
    import librosa

    rows = []
    for seconds in durations:
        y = _signal(seconds)
        x = mx.array(y)
        mel_np = librosa.feature.melspectrogram(y=y, sr=SR)
        mel = mx.array(mel_np)
        ours = _ours()
        peers, peer_shared = _librosa_rows(y, mel_np)
        totals = [0.0, 0.0, 0.0]
        for name in (*DESCRIPTORS, "onset_strength", "pcen"):
            arg = mel if name == "pcen" else x
            eager, comp = _time_ours(ours[name], arg, budget_s=budget_s)
            theirs = median_ms(peers[name], budget_s=budget_s)
            best = min(eager, comp)
            totals = [totals[0] + eager, totals[1] + comp, totals[2] + theirs]
            row = [name, f"{seconds} s", f"{eager:.1f}", f"{comp:.1f}"]
            row.append(f"{theirs:.1f} ({theirs / best:.2f}x)")
            rows.append(row)
            print("  ".join(row), flush=True)
        # The same functions of a given spectrogram (S= rows): each library's own S (ours: the
        # frame-major layout that mlxdsp.spectrogram returns; librosa's: a C-ordered ndarray).
        S = mlxdsp.spectrogram(x, n_fft=2048, hop_length=512, pad_mode="constant", power=1.0)
        P = S * S
        M = mlxdsp.power_to_db(mlxdsp.mel_spectrogram(x, sr=SR, pad_mode="constant"))
        mx.eval(S, P, M)
        S_np = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, pad_mode="constant"))
        theirs_S = _librosa_from_S(S_np, S_np**2, librosa.power_to_db(mel_np))
        for name, fn in _ours_from_S().items():
            eager, comp = _time_ours(fn, S, P, M, budget_s=budget_s)
            theirs = median_ms(theirs_S[name], budget_s=budget_s)
            row = [f"{name} (S=)", f"{seconds} s", f"{eager:.1f}", f"{comp:.1f}"]
            row.append(f"{theirs:.1f} ({theirs / min(eager, comp):.2f}x)")
            rows.append(row)
            print("  ".join(row), flush=True)
        del S, P, M
        best = min(totals[0], totals[1])
        row = ["bundle (sum of rows)", f"{seconds} s", f"{totals[0]:.1f}", f"{totals[1]:.1f}"]
        row.append(f"{totals[2]:.1f} ({totals[2] / best:.2f}x)")
        rows.append(row)
        print("  ".join(row), flush=True)
        eager, comp = _time_ours(_ours_shared, x, budget_s=budget_s)
        shared = min(eager, comp)
        theirs = median_ms(peer_shared, budget_s=budget_s)
        for label, peer in (
            ("bundle: mlxdsp one stft, librosa rows", totals[2]),
            ("bundle, one stft each", theirs),
        ):
            row = [label, f"{seconds} s", f"{eager:.1f}", f"{comp:.1f}"]
            row.append(f"{peer:.1f} ({peer / shared:.2f}x)")
            rows.append(row)
            print("  ".join(row), flush=True)
    return rows


def _malloc_heap() -> None:
    """glibc serves allocations >= 32 MB with mmap and unmaps them on free, so every large eager
    temporary (a 180 s STFT's frames and spectrum are ~32 MB) page-faults afresh: measured here at
    ~75k faults and ~0.45 s per mlxdsp.spectrogram call of 180 s. M_MMAP_MAX=0 and a maximal
    M_TRIM_THRESHOLD keep freed memory in the process for reuse. Process-wide: it applies to numpy
    (librosa) as well."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_max = -1, -4
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, ctypes.c_int(2**31 - 1))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks features")
    parser.add_argument("--quick", action="store_true", help="30 s only, shorter budget")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument(
        "--malloc-heap",
        action="store_true",
        help="serve large allocations from the heap and keep freed memory (glibc mallopt), for both "
        "libraries: see _malloc_heap",
    )
    args = parser.parse_args(argv)
    if args.malloc_heap:
        _malloc_heap()
    import librosa

    print(
        f"# features benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"mlx {mx.__version__} ({mx.default_device()}), librosa {librosa.__version__}; "
        f"medians in ms; (ratio) = librosa / mlxdsp best; malloc-heap={args.malloc_heap}; "
        f"load average {os.getloadavg()[0]:.2f} (2 cores: above ~1 the second CPU stream is contended)"
    )
    durations = DURATIONS[:1] if args.quick else DURATIONS
    rows = run(durations, 0.6 if args.quick else args.budget)
    header = ["function", "input", "mlxdsp eager", "mlxdsp compiled", "librosa"]
    print()
    print(format_table(header, rows))
    print(f"# load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(__import__("sys").argv[1:])
