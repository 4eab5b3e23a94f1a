"""chroma_stft: parity with librosa 0.11 (float64 input to librosa, float32 to mlxdsp), eagerly and under
mx.compile, for waveform and ``S=`` input; the filterbank against librosa.filters.chroma; errors pinned.

mlxdsp's ``tuning`` defaults to 0.0 (librosa's None estimates it from the data), so every reference call
passes ``tuning`` explicitly.
"""

from __future__ import annotations

import math

import librosa
import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from mlxdsp._chroma import _chroma_basis_f64
from tests.cases.spectral import check_parity, rel_err

SR = 16000


def _signal(lead, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    tone = np.sin(2 * np.pi * 440.0 * t) + 0.5 * np.sin(2 * np.pi * 659.25 * t)
    return rng.standard_normal((*lead, n)) * 0.3 + tone


@pytest.mark.parametrize(
    "sr,n_fft,n_chroma,tuning,ctroct,octwidth,base_c",
    [
        (22050, 2048, 12, 0.0, 5.0, 2.0, True),
        (16000, 511, 24, 0.3, 4.0, None, False),
        (8000, 256, 36, -0.25, 5.0, 1.0, True),
    ],
)
def test_chroma_filterbank_matches_librosa(sr, n_fft, n_chroma, tuning, ctroct, octwidth, base_c):
    args = dict(sr=sr, n_fft=n_fft, n_chroma=n_chroma, tuning=tuning, ctroct=ctroct)
    expected = librosa.filters.chroma(**args, octwidth=octwidth, base_c=base_c, dtype=np.float64)
    got = _chroma_basis_f64(sr, n_fft, n_chroma, tuning, ctroct, octwidth, base_c)
    assert got.shape == expected.shape
    assert rel_err(got, expected) <= 1e-12


# (leading dims, n_fft, hop_length, center)
CONFIGS = [
    ((), 512, 128, True),
    ((2,), 511, 100, False),
    ((2, 3), 256, 64, True),
    ((), 2048, 512, True),
]


@pytest.mark.parametrize("norm", [math.inf, 1, 2, None], ids=["inf", "1", "2", "None"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"lead={c[0]},n_fft={c[1]},center={c[3]}")
def test_chroma_stft_waveform_matches_librosa(config, norm):
    lead, n_fft, hop, center = config
    x = _signal(lead)
    kw = dict(sr=SR, n_fft=n_fft, hop_length=hop, center=center, norm=norm, tuning=0.1)
    check_parity(
        lambda s: mlxdsp.chroma_stft(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.chroma_stft(y=x, **kw),
        dtype=mx.float32,
        what=f"chroma_stft lead={lead} n_fft={n_fft} center={center} norm={norm}",
    )


@pytest.mark.parametrize(
    "opts",
    [dict(), dict(n_chroma=24, octwidth=None, base_c=False, norm=3.0, tuning=-0.2)],
    ids=["defaults", "n_chroma=24,octwidth=None,base_c=False,norm=3"],
)
def test_chroma_stft_S_matches_librosa(opts):
    S = np.abs(librosa.stft(_signal((2,), seed=1), n_fft=1024, hop_length=256)) ** 2
    S[..., 2] = 0.0  # a silent frame stays un-normalized (zero)
    ref_opts = {"tuning": 0.0, **opts}
    check_parity(
        lambda s: mlxdsp.chroma_stft(S=s, sr=SR, **opts),
        (mx.array(S.astype(np.float32)),),
        librosa.feature.chroma_stft(S=S, sr=SR, **ref_opts),
        dtype=mx.float32,
        what=f"chroma_stft S= {opts}",
    )


X = mx.zeros(1000)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: mlxdsp.chroma_stft(), r"\[chroma_stft\] pass a waveform x or a spectrogram S="),
        (
            lambda: mlxdsp.chroma_stft(X, S=mx.ones((5, 3))),
            r"\[chroma_stft\] pass either a waveform x or a spectrogram S=, not both",
        ),
        (lambda: mlxdsp.chroma_stft(X, norm=0), r"\[chroma_stft\] norm=0\.0 must be > 0\.0"),
        (
            lambda: mlxdsp.chroma_stft(X, n_chroma=0),
            r"\[chroma_stft\] n_chroma=0 must be a positive int",
        ),
        (
            lambda: mlxdsp.chroma_stft(X, tuning=None),
            r"\[chroma_stft\] tuning=None must be a real number",
        ),
        (
            lambda: mlxdsp.chroma_stft(X, octwidth=0),
            r"\[chroma_stft\] octwidth=0\.0 must be > 0\.0",
        ),
        (lambda: mlxdsp.chroma_stft(X, base_c=1), r"\[chroma_stft\] base_c=1 must be a bool"),
        (lambda: mlxdsp.chroma_stft(X, sr=-1), r"\[chroma_stft\] sr=-1\.0 must be > 0\.0"),
        (
            lambda: mlxdsp.chroma_stft(S=mx.ones((1, 3))),
            r"\[chroma_stft\] S\.shape\[-2\]=1 must be at least 2",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()
