"""Spectral core: mlxdsp (eager and mx.compile) vs torch CPU, librosa and scipy.signal.ShortTimeFFT.

    python -m benchmarks spectral [--quick] [--markdown]

Every number is the median of repeated runs on the same input in this process; ratios are
peer time / mlxdsp time (> 1 means mlxdsp is faster), against mlxdsp's faster of eager/compiled.
"""

from __future__ import annotations

import argparse
import os
import platform

import mlx.core as mx
import numpy as np

import mlxdsp

from .timing import format_table, median_ms

CONFIGS = [(1, 16000, 512, 128), (4, 160000, 1024, 256), (8, 480000, 2048, 512)]
SR = 16000
N_MELS = 80
N_MFCC = 20


def _mlx_cases(x: mx.array, n_fft: int, hop: int, length: int):
    X = mlxdsp.stft(x, n_fft=n_fft, hop_length=hop)
    mx.eval(X)
    mel = dict(sr=SR, n_fft=n_fft, hop_length=hop, n_mels=N_MELS, mel_scale="htk", norm=None)
    mfcc_mel = {k: v for k, v in mel.items() if k != "norm"}
    target = mlxdsp.log_mel_spectrogram(x * 0.5, top_db=None, **mel)
    mx.eval(target)

    def loss(signal):
        return mx.mean(mx.abs(mlxdsp.log_mel_spectrogram(signal, top_db=None, **mel) - target))

    grad_fn = mx.value_and_grad(loss)
    return {
        "stft": (lambda v: mlxdsp.stft(v, n_fft=n_fft, hop_length=hop), x),
        "istft": (lambda S: mlxdsp.istft(S, n_fft=n_fft, hop_length=hop, length=length), X),
        "mel_spectrogram": (lambda v: mlxdsp.mel_spectrogram(v, **mel), x),
        "mfcc": (lambda v: mlxdsp.mfcc(v, n_mfcc=N_MFCC, mel_norm=None, **mfcc_mel), x),
        "grad log-mel L1": (grad_fn, x),
    }


def _torch_cases(x_np: np.ndarray, n_fft: int, hop: int, length: int):
    import torch

    x = torch.from_numpy(x_np)
    window = torch.hann_window(n_fft)
    X = torch.stft(x, n_fft, hop, window=window, return_complex=True)
    import librosa

    fb = torch.from_numpy(
        librosa.filters.mel(sr=SR, n_fft=n_fft, n_mels=N_MELS, htk=True, norm=None).T.copy()
    )
    dct = torch.from_numpy(
        __import__("scipy.fft")
        .fft.dct(np.eye(N_MELS), type=2, norm="ortho", axis=0)[:N_MFCC]
        .T.copy()
    ).float()

    def mel(v):
        # torchaudio.transforms.MelSpectrogram: power spectrogram, then the filterbank (matmul).
        S = torch.stft(v, n_fft, hop, window=window, return_complex=True).abs().pow(2.0)
        return torch.matmul(S.transpose(-1, -2), fb).transpose(-1, -2)

    def log_mel(v):
        return 10.0 * torch.log10(torch.clamp(mel(v), min=1e-10))

    def mfcc(v):
        return torch.matmul(log_mel(v).transpose(-1, -2), dct).transpose(-1, -2)

    target = log_mel(x * 0.5)

    def grad_step(v):
        v = v.detach().requires_grad_(True)
        loss = (log_mel(v) - target).abs().mean()
        loss.backward()
        return loss, v.grad

    with torch.no_grad():
        plain = {
            "stft": lambda: torch.stft(x, n_fft, hop, window=window, return_complex=True),
            "istft": lambda: torch.istft(X, n_fft, hop, window=window, length=length),
            "mel_spectrogram": lambda: mel(x),
            "mfcc": lambda: mfcc(x),
        }
    plain = {k: _no_grad(f) for k, f in plain.items()}
    plain["grad log-mel L1"] = lambda: grad_step(x)
    return plain


def _no_grad(f):
    import torch

    def run():
        with torch.no_grad():
            return f()

    return run


def _librosa_cases(x_np: np.ndarray, n_fft: int, hop: int, length: int):
    import librosa

    X = librosa.stft(x_np, n_fft=n_fft, hop_length=hop, pad_mode="reflect")
    mel = dict(
        sr=SR, n_fft=n_fft, hop_length=hop, n_mels=N_MELS, htk=True, norm=None, pad_mode="reflect"
    )
    return {
        "stft": lambda: librosa.stft(x_np, n_fft=n_fft, hop_length=hop, pad_mode="reflect"),
        "istft": lambda: librosa.istft(X, n_fft=n_fft, hop_length=hop, length=length),
        "mel_spectrogram": lambda: librosa.feature.melspectrogram(y=x_np, **mel),
        "mfcc": lambda: librosa.feature.mfcc(y=x_np, n_mfcc=N_MFCC, **mel),
    }


def _scipy_cases(x_np: np.ndarray, n_fft: int, hop: int, length: int):
    from scipy.signal import ShortTimeFFT
    from scipy.signal.windows import hann

    sft = ShortTimeFFT(hann(n_fft, sym=False), hop=hop, fs=SR, mfft=n_fft)
    S = sft.stft(x_np, axis=-1)
    return {
        "stft": lambda: sft.stft(x_np, axis=-1),
        "istft": lambda: sft.istft(S, k1=length, f_axis=-2, t_axis=-1),
    }


def run(configs, budget_s: float):
    rows = []
    for batch, length, n_fft, hop in configs:
        rng = np.random.default_rng(0)
        x_np = rng.standard_normal((batch, length)).astype(np.float32)
        x = mx.array(x_np)
        peers = {
            "torch": _torch_cases(x_np, n_fft, hop, length),
            "librosa": _librosa_cases(x_np, n_fft, hop, length),
            "scipy": _scipy_cases(x_np, n_fft, hop, length),
        }
        for op, (fn, arg) in _mlx_cases(x, n_fft, hop, length).items():
            compiled = mx.compile(fn)
            eager_ms = median_ms(lambda fn=fn, arg=arg: mx.eval(fn(arg)), budget_s=budget_s)
            compiled_ms = median_ms(lambda c=compiled, arg=arg: mx.eval(c(arg)), budget_s=budget_s)
            ours = min(eager_ms, compiled_ms)
            row = [op, f"{batch}x{length} {n_fft}/{hop}", f"{eager_ms:.2f}", f"{compiled_ms:.2f}"]
            for name in ("torch", "librosa", "scipy"):
                peer = peers[name].get(op)
                if peer is None:
                    row.append("-")
                    continue
                peer_ms = median_ms(peer, budget_s=budget_s)
                row.append(f"{peer_ms:.2f} ({peer_ms / ours:.2f}x)")
            rows.append(row)
            print("  ".join(row), flush=True)
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks spectral")
    parser.add_argument("--quick", action="store_true", help="first two configs, shorter budget")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument(
        "--mlx-cache",
        type=float,
        default=None,
        metavar="GIB",
        help="mx.set_cache_limit(GIB * 2**30) first: MLX keeps freed buffers up to this size for reuse "
        "(its default on this Linux CPU build is 32 MiB, so every larger spectrum is a fresh, page-faulting mmap)",
    )
    args = parser.parse_args(argv)
    cache_note = "MLX default buffer cache"
    if args.mlx_cache is not None:
        mx.set_cache_limit(int(args.mlx_cache * 2**30))
        cache_note = f"mx.set_cache_limit({args.mlx_cache:g} GiB)"
    configs = CONFIGS[:2] if args.quick else CONFIGS
    import torch

    print(
        f"# spectral benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"mlx {mx.__version__} ({mx.default_device()}), torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), {cache_note}; medians in ms; (ratio) = peer / mlxdsp best"
    )
    rows = run(configs, 0.6 if args.quick else args.budget)
    header = [
        "op",
        "B x T n_fft/hop",
        "mlxdsp eager",
        "mlxdsp compiled",
        "torch",
        "librosa",
        "scipy",
    ]
    print()
    print(format_table(header, rows))


if __name__ == "__main__":
    main(__import__("sys").argv[1:])
