"""dct (SciPy types 2 and 3), mfcc (librosa and a torchaudio MFCC transcription), delta (librosa).

References: scipy.fft.dct (float64); librosa 0.11 feature.mfcc (float64; its melspectrogram with the
pad_mode given, librosa's default "constant"); torchaudio.transforms.MFCC transcribed in
tests/cases/spectral.py (torch.stft float64 + librosa htk/None filterbank + per-example AmplitudeToDB +
torchaudio's create_dct); librosa.feature.delta (scipy.signal.savgol_filter).
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
import scipy.fft
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from tests.cases.spectral import (
    check_parity,
    librosa_melspectrogram64,
    librosa_mfcc64,
    rel_err,
    torchaudio_mfcc64,
)

# ------------------------------------------------------------------------------------------------
# dct


@given(
    shape=st.lists(st.integers(1, 40), min_size=1, max_size=4).map(tuple),
    type_=st.sampled_from([2, 3]),
    norm=st.sampled_from(["ortho", None]),
    data=st.data(),
)
def test_dct_matches_scipy(shape, type_, norm, data):
    """scipy.fft.dct(x, type, axis, norm) (norm=None is SciPy's "backward"), float64, first n_out kept."""
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    n = shape[axis]
    n_out = data.draw(st.one_of(st.none(), st.integers(1, n)), label="n_out")
    x = np.random.default_rng(n).standard_normal(shape).astype(np.float32)
    expected = scipy.fft.dct(x.astype(np.float64), type=type_, axis=axis, norm=norm)
    if n_out is not None:
        expected = np.take(expected, np.arange(n_out), axis=axis)
    check_parity(
        lambda a: mlxdsp.dct(a, type=type_, norm=norm, n_out=n_out, axis=axis),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what=f"dct type {type_} vs scipy",
    )


@pytest.mark.parametrize("n", [1, 2, 13, 128])
def test_dct3_ortho_inverts_dct2_ortho(n):
    x = np.random.default_rng(0).standard_normal((3, n)).astype(np.float32)
    back = mlxdsp.dct(mlxdsp.dct(mx.array(x)), type=3)
    assert rel_err(np.array(back), x) <= 1e-6


def test_dct_dtypes():
    for dtype in (mx.float16, mx.bfloat16, mx.int32):
        y = mlxdsp.dct(mx.arange(12).reshape(3, 4).astype(dtype))
        assert y.dtype == mx.float32


# ------------------------------------------------------------------------------------------------
# mfcc


@given(
    n_mfcc=st.integers(1, 40),
    n_mels=st.integers(40, 96),
    dct_type=st.sampled_from([2, 3]),
    norm=st.sampled_from(["ortho", None]),
    lifter=st.sampled_from([0.0, 22.0, 3.5]),
    n_fft=st.integers(64, 1024),
    hop_frac=st.floats(0.1, 1.0),
    pad_mode=st.sampled_from(["constant", "reflect", "edge"]),
    lead=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    sr=st.sampled_from([16000, 22050]),
)
def test_mfcc_matches_librosa(
    n_mfcc, n_mels, dct_type, norm, lifter, n_fft, hop_frac, pad_mode, lead, sr
):
    """librosa.feature.mfcc(y (float64), sr, n_mfcc, dct_type, norm, lifter, n_fft, hop_length,
    n_mels, pad_mode): power_to_db(ref=1, amin=1e-10, top_db=80, whole-array max = our "global") of the
    Slaney mel spectrogram, DCT over mels, first n_mfcc, sinusoidal lifter."""
    hop = max(1, int(hop_frac * n_fft))
    x = np.random.default_rng(n_fft).standard_normal((*lead, 3 * n_fft)).astype(np.float32)
    mel = dict(sr=sr, n_fft=n_fft, hop_length=hop, n_mels=n_mels, pad_mode=pad_mode)
    expected = librosa_mfcc64(x, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter, **mel)
    check_parity(
        lambda a: mlxdsp.mfcc(a, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter, **mel),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="mfcc vs librosa",
    )


@given(
    ref=st.sampled_from([1.0, 1e-2, "max"]),
    amin=st.sampled_from([1e-10, 1e-6]),
    top_db=st.sampled_from([None, 80.0, 30.0]),
    n_mfcc=st.integers(1, 30),
)
def test_mfcc_db_options_match_librosa(ref, amin, top_db, n_mfcc):
    """librosa.feature.mfcc(S=librosa.power_to_db(melspectrogram, ref, amin, top_db), n_mfcc): our
    mfcc's ref/amin/top_db are those of its dB step (librosa's mfcc(y=...) fixes them at 1/1e-10/80)."""
    x = np.random.default_rng(n_mfcc).standard_normal((2, 8000)).astype(np.float32)
    mel = dict(sr=16000, n_fft=512, hop_length=128, n_mels=64, pad_mode="reflect")
    S_db = librosa.power_to_db(
        librosa_melspectrogram64(x, **mel),
        ref=np.max if ref == "max" else ref,
        amin=amin,
        top_db=top_db,
    )
    expected = librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc)
    our_ref = mx.max if ref == "max" else ref
    check_parity(
        lambda a: mlxdsp.mfcc(a, n_mfcc=n_mfcc, ref=our_ref, amin=amin, top_db=top_db, **mel),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="mfcc(ref, amin, top_db) vs librosa",
    )


@given(
    n_mfcc=st.integers(1, 40),
    n_mels=st.integers(40, 128),
    n_fft=st.integers(32, 512).map(lambda n: 2 * n),
    hop_frac=st.floats(0.1, 1.0),
    lead=st.sampled_from([(), (2,), (2, 3)]),
    norm=st.sampled_from(["ortho", None]),
    sr=st.sampled_from([16000, 44100, 48000]),
)
def test_mfcc_matches_torchaudio(n_mfcc, n_mels, n_fft, hop_frac, lead, norm, sr):
    """torchaudio.transforms.MFCC(sr, n_mfcc, dct_type=2, norm, log_mels=False, melkwargs=dict(n_fft,
    hop_length, n_mels)), transcribed (tests/cases/spectral.py): reflect-padded htk/None mel power
    spectrogram, AmplitudeToDB("power", top_db=80) clipping per example (an example is the last three
    axes: [B, T] input is one example, [B, C, T] gives B examples), torchaudio's create_dct matrix.
    Ours: mel_scale="htk" and the norm=None filterbank passed as filterbank= (mfcc's own ``norm`` is the
    DCT's), top_db_scope="per_example". Even sr and n_fft (torchaudio's bin frequencies)."""
    assert sr % 2 == 0
    hop = max(1, int(hop_frac * n_fft))
    x = np.random.default_rng(n_fft).standard_normal((*lead, 4 * n_fft)).astype(np.float32)
    # One example much quieter than the others, so per-example and global clipping differ.
    if lead:
        x[(0,) * len(lead)] *= 1e-3
    expected = torchaudio_mfcc64(
        x, sr=sr, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop, n_mels=n_mels, dct_norm=norm
    )
    fb = mlxdsp.mel_filterbank(sr=sr, n_fft=n_fft, n_mels=n_mels, mel_scale="htk", norm=None)
    check_parity(
        lambda a: mlxdsp.mfcc(
            a,
            sr=sr,
            n_mfcc=n_mfcc,
            norm=norm,
            top_db=80.0,
            top_db_scope="per_example",
            n_fft=n_fft,
            hop_length=hop,
            filterbank=fb,
        ),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="mfcc vs torchaudio",
    )


def test_mfcc_dtypes():
    for dtype in (mx.float16, mx.bfloat16, mx.int16):
        y = mlxdsp.mfcc(
            mx.array(np.arange(4000) % 11).astype(dtype),
            sr=16000,
            n_fft=256,
            hop_length=64,
            n_mels=40,
        )
        assert y.dtype == mx.float32 and y.shape == (20, 63)


# ------------------------------------------------------------------------------------------------
# delta

MODES = ["interp", "nearest", "mirror", "constant", "wrap"]


@st.composite
def delta_configs(draw):
    width = draw(st.integers(1, 12).map(lambda k: 2 * k + 1), label="width")
    order = draw(st.integers(1, min(width - 1, 6)), label="order")
    mode = draw(st.sampled_from(MODES), label="mode")
    # interp needs t >= width (librosa raises too); the other modes extend any length, but below 3
    # samples the true derivative is often exactly 0 and relative errors compare roundoff to roundoff.
    low = width if mode == "interp" else 3
    t = draw(st.integers(low, low + 60), label="t")
    lead = draw(st.lists(st.integers(1, 4), max_size=3).map(tuple), label="lead")
    return width, order, mode, t, lead


@given(config=delta_configs())
def test_delta_matches_librosa(config):
    """librosa.feature.delta(data (float64), width, order, axis=-1, mode) =
    scipy.signal.savgol_filter(data, width, polyorder=order, deriv=order, mode)."""
    width, order, mode, t, lead = config
    x = np.random.default_rng(t).standard_normal((*lead, t)).astype(np.float32)
    expected = librosa.feature.delta(x.astype(np.float64), width=width, order=order, mode=mode)
    check_parity(
        lambda a: mlxdsp.delta(a, width=width, order=order, mode=mode),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="delta vs librosa",
    )


def test_delta_of_a_polynomial():
    """The first delta of a line is its slope, the second of a parabola its second derivative, everywhere
    (interp edges included)."""
    t = np.arange(30.0)
    np.testing.assert_allclose(np.array(mlxdsp.delta(mx.array(3.0 * t - 2.0))), 3.0, rtol=1e-5)
    np.testing.assert_allclose(
        np.array(mlxdsp.delta(mx.array(0.5 * t**2), order=2)), 1.0, rtol=1e-4
    )


def test_delta_dtypes():
    for dtype in (mx.float16, mx.bfloat16, mx.int32):
        y = mlxdsp.delta(mx.arange(20).reshape(2, 10).astype(dtype))
        assert y.dtype == mx.float32 and y.shape == (2, 10)


def test_delta_wrap_shorter_than_half_width():
    x = np.random.default_rng(0).standard_normal((2, 5))
    expected = librosa.feature.delta(x, width=13, mode="wrap")
    got = np.array(mlxdsp.delta(mx.array(x.astype(np.float32)), width=13, mode="wrap"))
    assert rel_err(got, expected) <= 1e-5


def test_delta_mirror_shorter_than_half_width():
    x = np.random.default_rng(0).standard_normal((2, 5))
    expected = librosa.feature.delta(x, width=13, mode="mirror")
    got = np.array(mlxdsp.delta(mx.array(x.astype(np.float32)), width=13, mode="mirror"))
    assert rel_err(got, expected) <= 1e-5
