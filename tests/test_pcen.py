"""pcen: parity with librosa 0.11 (float64 input to librosa, float32 to mlxdsp), eagerly and under
mx.compile, on mel spectrograms of music-like and speech-like signals; long time constants (pole near 1);
librosa's special forms (power=0, bias=0, max_size); streaming with zi/zf; gradients with respect to each
parameter against float64 finite differences of librosa.pcen; errors pinned.
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp._pcen import pcen
from tests.cases.features import music_like, speech_like
from tests.cases.spectral import check_parity, rel_err

SR = 22050
HOP = 512


def _mel(signal, lead=(), n=SR * 4, seed=0):
    y = signal(lead, n=n, sr=SR, seed=seed)
    # librosa's pcen example scales a float mel spectrogram by 2**31 (integer-audio range).
    return librosa.feature.melspectrogram(y=y, sr=SR, hop_length=HOP, n_mels=64) * 2.0**31


SIGNALS = {"music": music_like, "speech": speech_like}


@pytest.mark.parametrize("name", SIGNALS)
@pytest.mark.parametrize(
    "opts",
    [
        dict(),
        dict(power=0.0),
        dict(bias=0.0),
        dict(power=0.25, bias=1.0, gain=0.8, eps=1e-3),
        dict(max_size=3),
        dict(b=0.3),
        dict(time_constant=0.06),
    ],
    ids=["defaults", "power=0", "bias=0", "power=0.25", "max_size=3", "b=0.3", "tc=0.06"],
)
def test_pcen_matches_librosa(name, opts):
    S = _mel(SIGNALS[name], lead=(2,))
    with np.errstate(divide="ignore"):  # bias=0 takes log(S): the speech gaps hold exact zeros
        # librosa needs the frequency axis named for a 3-D input; mlxdsp's is always axis -2.
        extra = dict(max_axis=-2) if "max_size" in opts else {}
        expected = librosa.pcen(S, sr=SR, hop_length=HOP, **opts, **extra)
    check_parity(
        lambda s: pcen(s, sr=SR, hop_length=HOP, **opts),
        (mx.array(S.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"pcen {name} {opts}",
    )


@pytest.mark.parametrize("time_constant", [0.4, 1.0, 3.0, 6.0])
@pytest.mark.parametrize("arrays", [False, True], ids=["number", "array"])
def test_pcen_long_time_constants(time_constant, arrays):
    """A pole near 1 (b = 0.0039 at 6 s): the float32 smoother still meets 1e-5 over 1000 frames."""
    S = _mel(music_like, n=HOP * 1000)
    tc = mx.array(time_constant) if arrays else time_constant
    expected = librosa.pcen(S, sr=SR, hop_length=HOP, time_constant=time_constant)
    got = pcen(mx.array(S.astype(np.float32)), sr=SR, hop_length=HOP, time_constant=tc)
    assert got.shape == expected.shape and got.dtype == mx.float32
    assert rel_err(np.array(got), expected) <= 1e-5


def test_pcen_array_parameters_match_numbers():
    S = mx.array(_mel(speech_like, lead=(2,)).astype(np.float32))
    opts = dict(gain=0.9, bias=1.5, power=0.4, eps=1e-4, b=0.1)
    arrays = {k: mx.array(v) for k, v in opts.items()}
    assert rel_err(np.array(pcen(S, **arrays)), np.array(pcen(S, **opts))) <= 1e-6
    # per-channel (per-mel-band) gains, as in trainable PCEN
    gains = np.linspace(0.5, 1.0, S.shape[-2])
    got = pcen(S, gain=mx.array(gains[:, None].astype(np.float32)))
    S64 = np.array(S).astype(np.float64)
    expected = np.concatenate(
        [librosa.pcen(S64[:, f : f + 1], gain=g) for f, g in enumerate(gains)], axis=-2
    )
    assert rel_err(np.array(got), expected) <= 1e-5


def test_pcen_axis_zi_and_streaming():
    S = _mel(music_like, lead=(2,))
    zi = np.full((2, S.shape[1], 1), 0.3)
    ref, ref_zf = librosa.pcen(S, zi=zi, return_zf=True)
    got, zf = pcen(mx.array(S.astype(np.float32)), zi=mx.array(zi), return_zf=True)
    assert zf.shape == ref_zf.shape
    assert rel_err(np.array(got), ref) <= 1e-5 and rel_err(np.array(zf), ref_zf) <= 1e-5
    # time on axis 0, and two halves chained through zf give the whole
    St = np.ascontiguousarray(S[0].T)
    assert (
        rel_err(np.array(pcen(mx.array(St.astype(np.float32)), axis=0)), librosa.pcen(St, axis=0))
        <= 1e-5
    )
    whole = pcen(mx.array(S.astype(np.float32)))
    cut = S.shape[-1] // 3
    first, z = pcen(mx.array(S[..., :cut].astype(np.float32)), return_zf=True)
    second = pcen(mx.array(S[..., cut:].astype(np.float32)), zi=z)
    assert rel_err(np.array(mx.concatenate([first, second], axis=-1)), np.array(whole)) <= 1e-6


_PARAM_RANGES = {
    "gain": 0.8,
    "bias": 1.5,
    "power": 0.4,
    "time_constant": 0.3,
    "b": 0.2,
    "eps": 0.3,
}


@pytest.mark.parametrize("param", list(_PARAM_RANGES))
def test_pcen_parameter_gradient_matches_librosa_finite_differences(param):
    rng = np.random.default_rng(0)
    S = rng.uniform(0.1, 3.0, (4, 50))
    u = rng.standard_normal(S.shape)
    value = _PARAM_RANGES[param]
    fixed = dict(sr=8000, hop_length=128)

    def loss(p):
        return mx.sum(pcen(mx.array(S.astype(np.float32)), **{param: p}, **fixed) * mx.array(u))

    analytic = float(mx.grad(loss)(mx.array(value)).item())

    def ref(v):
        return float(np.sum(librosa.pcen(S, **{param: v}, **fixed) * u))

    h = 1e-6 * max(1.0, value)
    numeric = (ref(value + h) - ref(value - h)) / (2 * h)
    assert abs(analytic - numeric) <= 1e-3 * abs(numeric), (param, analytic, numeric)


@given(
    n_bins=st.integers(1, 8),
    n_frames=st.integers(1, 200),
    time_constant=st.floats(0.01, 5.0),
    gain=st.floats(0.0, 1.0),
    power=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    bias=st.sampled_from([0.0, 0.5, 2.0]),
    max_size=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_property_pcen_matches_librosa(
    n_bins, n_frames, time_constant, gain, power, bias, max_size, seed
):
    S = np.random.default_rng(seed).uniform(0.0, 10.0, (n_bins, n_frames))
    opts = dict(time_constant=time_constant, gain=gain, power=power, bias=bias, max_size=max_size)
    with np.errstate(divide="ignore"):
        expected = librosa.pcen(S, **opts)
    got = pcen(mx.array(S.astype(np.float32)), **opts)
    assert got.shape == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-5


S2 = mx.ones((4, 10))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: pcen(S2, power=-1), r"\[pcen\] power=-1\.0 must be >= 0\.0"),
        (lambda: pcen(S2, gain=-0.5), r"\[pcen\] gain=-0\.5 must be >= 0\.0"),
        (lambda: pcen(S2, bias=-1), r"\[pcen\] bias=-1\.0 must be >= 0\.0"),
        (lambda: pcen(S2, eps=0), r"\[pcen\] eps=0\.0 must be > 0\.0"),
        (lambda: pcen(S2, time_constant=0), r"\[pcen\] time_constant=0\.0 must be > 0\.0"),
        (lambda: pcen(S2, b=1.5), r"\[pcen\] b=1\.5 must be <= 1\.0"),
        (lambda: pcen(S2, max_size=0), r"\[pcen\] max_size=0 must be a positive int"),
        (lambda: pcen(S2, axis=2), r"\[pcen\] axis=2 must be an int in \[-2, 1\]"),
        (lambda: pcen(S2, return_zf=1), r"\[pcen\] return_zf=1 must be a bool"),
        (lambda: pcen(mx.ones(10), max_size=3), r"\[pcen\] max_size=3 needs S with a frequency"),
        (
            lambda: pcen(S2, ref=mx.ones((4, 9))),
            r"\[pcen\] ref\.shape=\(4, 9\) must equal S\.shape=\(4, 10\)",
        ),
        (
            lambda: pcen(S2, zi=mx.ones((4, 2))),
            r"\[pcen\] zi\.shape=\(4, 2\) must have size 1 on axis=1",
        ),
        (
            lambda: pcen(S2, b=mx.ones((4, 10))),
            r"\[pcen\] b and time_constant arrays need size 1 on axis=1",
        ),
        (
            lambda: pcen(S2, gain=mx.ones((1, 4, 10))),
            r"\[pcen\] gain\.shape=\(1, 4, 10\) has more dims than S \(2\)",
        ),
        (lambda: pcen(S2, hop_length=0), r"\[pcen\] hop_length=0 must be a positive int"),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


@pytest.mark.parametrize("opts", [dict(), dict(max_size=3, power=0.0), dict(axis=-2)])
def test_pcen_large_input_in_two_channel_halves(opts, monkeypatch):
    """At least 2**16 values with number options: two halves of the channels on two CPU streams. Parity
    with librosa, and the same numbers as one stream."""
    S = np.tile(_mel(music_like, n=SR * 26), (1, 4))  # [64, 4484]: 286976 values
    if opts.get("axis") == -2:
        S = np.ascontiguousarray(S.T)
    assert S.size >= 1 << 16
    expected = librosa.pcen(S, sr=SR, hop_length=HOP, **opts)
    x = mx.array(S.astype(np.float32))
    check_parity(
        lambda s: pcen(s, sr=SR, hop_length=HOP, **opts), (x,), expected, dtype=mx.float32,
        what=f"pcen two halves {opts}",
    )  # fmt: skip
    P, zf = pcen(x, sr=SR, hop_length=HOP, return_zf=True, **opts)
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    P1, zf1 = pcen(x, sr=SR, hop_length=HOP, return_zf=True, **opts)
    assert np.array_equal(np.array(P), np.array(P1)) and np.array_equal(np.array(zf), np.array(zf1))
