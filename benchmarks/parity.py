"""Parity table: mlxdsp (float32) against the reference libraries (float64 where they allow).

    python -m benchmarks parity

Prints, per function and reference convention, the worst relative Frobenius error
``||ours - ref|| / ||ref||`` over a fixed grid of configurations (odd n_fft, hop not dividing n_fft,
win_length < n_fft, every pad mode, several windows). The tests assert <= 1e-5 on hypothesis-drawn
configurations; this table reports the figure reached.
"""

from __future__ import annotations

import itertools

import mlx.core as mx
import numpy as np

import mlxdsp

from .timing import format_table


def _rel(a, b) -> float:
    a = np.asarray(a, dtype=np.complex128)
    b = np.asarray(b, dtype=np.complex128)
    denom = np.linalg.norm(b)
    diff = np.linalg.norm(a - b)
    return (
        float(diff / denom) if denom > 0 else float(diff)
    )  # all-zero references (hann of length 2)


STFT_GRID = [
    # n_fft, hop, win_length, window, center, pad_mode
    (512, 128, None, "hann", True, "reflect"),
    (511, 100, 300, "hamming", True, "constant"),
    (1024, 300, 1000, ("kaiser", 8.0), False, "reflect"),
    (400, 160, None, "blackman", True, "edge"),
    (2048, 512, None, "hann", True, "reflect"),
    (33, 7, 20, ("tukey", 0.3), True, "reflect"),
]
TORCH_PAD = {"reflect": "reflect", "constant": "constant", "edge": "replicate"}
LIBROSA_PAD = {"reflect": "reflect", "constant": "constant", "edge": "edge"}


def _window64(window, win_length):
    from scipy.signal import get_window

    return get_window(window, win_length, fftbins=True)


def stft_rows(x):
    import librosa
    import torch

    worst = {
        "torch": 0.0,
        "librosa": 0.0,
        "istft torch": 0.0,
        "istft librosa": 0.0,
        "round trip": 0.0,
    }
    for n_fft, hop, wl, window, center, pad in STFT_GRID:
        wl_eff = wl or n_fft
        ours = mlxdsp.stft(
            mx.array(x),
            n_fft=n_fft,
            hop_length=hop,
            win_length=wl,
            window=window,
            center=center,
            pad_mode=pad,
        )
        w64 = _window64(window, wl_eff)
        ref_t = torch.stft(
            torch.from_numpy(x.astype(np.float64)),
            n_fft,
            hop,
            wl_eff,
            window=torch.from_numpy(w64),
            center=center,
            pad_mode=TORCH_PAD[pad],
            return_complex=True,
        ).numpy()
        worst["torch"] = max(worst["torch"], _rel(ours, ref_t))
        ref_l = librosa.stft(
            x.astype(np.float64),
            n_fft=n_fft,
            hop_length=hop,
            win_length=wl_eff,
            window=w64,
            center=center,
            pad_mode=LIBROSA_PAD[pad],
        )
        worst["librosa"] = max(worst["librosa"], _rel(ours, ref_l))
        length = x.shape[-1] if center else None
        back = mlxdsp.istft(
            ours,
            n_fft=n_fft,
            hop_length=hop,
            win_length=wl,
            window=window,
            center=center,
            length=length,
        )
        X64 = ref_t
        ref_it = (
            torch.istft(
                torch.from_numpy(X64),
                n_fft,
                hop,
                wl_eff,
                window=torch.from_numpy(w64),
                center=center,
                length=length,
            ).numpy()
            if center
            else None
        )
        if ref_it is not None:
            worst["istft torch"] = max(worst["istft torch"], _rel(back, ref_it))
            worst["round trip"] = max(worst["round trip"], _rel(back, x))
        ref_il = librosa.istft(
            X64,
            n_fft=n_fft,
            hop_length=hop,
            win_length=wl_eff,
            window=w64,
            center=center,
            length=length,
        )
        if center:
            worst["istft librosa"] = max(worst["istft librosa"], _rel(back, ref_il))
    return [
        ["stft", "torch.stft float64 (pad_mode reflect/constant/replicate)", worst["torch"]],
        ["stft", "librosa.stft float64 (pad_mode reflect/constant/edge)", worst["librosa"]],
        ["istft", "torch.istft float64 (center=True)", worst["istft torch"]],
        ["istft", "librosa.istft float64 (center=True)", worst["istft librosa"]],
        ["istft(stft(x))", "x itself (NOLA configurations above)", worst["round trip"]],
    ]


def window_rows():
    from scipy.signal import get_window

    worst = 0.0
    names = [
        "hann",
        "hamming",
        "blackman",
        "bartlett",
        "boxcar",
        "cosine",
        ("kaiser", 12.0),
        ("tukey", 0.25),
        ("gaussian", 7.0),
    ]
    for name, n, periodic in itertools.product(names, (1, 2, 17, 512, 1025), (True, False)):
        ours = np.array(mlxdsp.get_window(name, n, periodic=periodic))
        worst = max(worst, _rel(ours, get_window(name, n, fftbins=periodic)))
    return [["get_window", "scipy.signal.get_window (9 windows, periodic and symmetric)", worst]]


def mel_rows(x):
    import librosa

    worst_fb = worst_mel = worst_mfcc = worst_db = 0.0
    for sr, n_fft, n_mels, scale, norm in [
        (22050, 2048, 128, "slaney", "slaney"),
        (16000, 400, 80, "htk", None),
        (16000, 1024, 64, "slaney", None),
    ]:
        htk = scale == "htk"
        fb = mlxdsp.mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, mel_scale=scale, norm=norm)
        worst_fb = max(
            worst_fb,
            _rel(
                fb,
                librosa.filters.mel(
                    sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm, dtype=np.float64
                ),
            ),
        )
        opts = dict(sr=sr, n_fft=n_fft, hop_length=n_fft // 4, n_mels=n_mels)
        ours = mlxdsp.mel_spectrogram(
            mx.array(x), pad_mode="constant", mel_scale=scale, norm=norm, **opts
        )
        ref = librosa.feature.melspectrogram(y=x.astype(np.float64), htk=htk, norm=norm, **opts)
        worst_mel = max(worst_mel, _rel(ours, ref))
        ours_c = mlxdsp.mfcc(
            mx.array(x), pad_mode="constant", mel_scale=scale, mel_norm=norm, n_mfcc=20, **opts
        )
        ref_c = librosa.feature.mfcc(
            y=x.astype(np.float64), htk=htk, mel_norm=norm, n_mfcc=20, **opts
        )
        worst_mfcc = max(worst_mfcc, _rel(ours_c, ref_c))
        ours_db = mlxdsp.power_to_db(mx.array(ref.astype(np.float32)))
        worst_db = max(worst_db, _rel(ours_db, librosa.power_to_db(ref)))
    return [
        ["mel_filterbank", "librosa.filters.mel float64 (slaney/htk, slaney/None)", worst_fb],
        [
            "mel_spectrogram",
            "librosa.feature.melspectrogram float64 (pad_mode='constant')",
            worst_mel,
        ],
        [
            "mfcc",
            "librosa.feature.mfcc float64 (DCT-II ortho, top_db=80, mel_norm slaney/None)",
            worst_mfcc,
        ],
        ["power_to_db", "librosa.power_to_db (top_db=80, global max)", worst_db],
    ]


def feature_rows(rng):
    import librosa
    import scipy.fft

    data = rng.standard_normal((3, 40, 200))
    worst_delta = 0.0
    for width, order, mode in [
        (9, 1, "interp"),
        (5, 2, "interp"),
        (7, 1, "nearest"),
        (9, 2, "mirror"),
        (3, 1, "wrap"),
    ]:
        ours = mlxdsp.delta(mx.array(data.astype(np.float32)), width=width, order=order, mode=mode)
        worst_delta = max(
            worst_delta,
            _rel(ours, librosa.feature.delta(data, width=width, order=order, mode=mode)),
        )
    worst_dct = 0.0
    for kind, norm in itertools.product((2, 3), ("ortho", None)):
        ours = mlxdsp.dct(mx.array(data.astype(np.float32)), type=kind, norm=norm, axis=-2)
        worst_dct = max(worst_dct, _rel(ours, scipy.fft.dct(data, type=kind, norm=norm, axis=-2)))
    return [
        [
            "delta",
            "librosa.feature.delta (Savitzky-Golay; interp/nearest/mirror/wrap)",
            worst_delta,
        ],
        ["dct", "scipy.fft.dct float64 (types 2, 3; ortho and backward)", worst_dct],
    ]


def main(argv: list[str]) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(24000) * np.hanning(24000) + 0.1 * rng.standard_normal(24000)).astype(
        np.float32
    )
    rows = stft_rows(x) + window_rows() + mel_rows(x) + feature_rows(rng)
    print(
        format_table(
            ["function", "reference (convention)", "worst rel. error (float32)"],
            [[a, b, f"{c:.1e}"] for a, b, c in rows],
        )
    )
