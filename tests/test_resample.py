"""resample: parity (scipy resample_poly/resample, torchaudio sinc kernels), quality of the default,
batching, gradients through the polyphase engine, errors."""

from __future__ import annotations

import math
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import ParameterError
from tests.conftest import rel_err, to_np

RATIOS = [(44100, 16000), (48000, 44100), (8000, 22050), (16000, 8000), (3, 7), (1, 5), (5, 1)]
GOLDENS = Path(__file__).parent / "reference" / "torchaudio_resample.npz"


def torchaudio_resample64(x, orig, new, lpfw=6, rolloff=0.99, method="sinc_interp_hann", beta=None):
    """float64 NumPy transcription of torchaudio.functional.resample (kernel + strided correlation)."""
    g = math.gcd(orig, new)
    orig, new = orig // g, new // g
    if orig == new:
        return x.astype(np.float64)
    base = min(orig, new) * rolloff
    width = math.ceil(lpfw * orig / base)
    idx = np.arange(-width, width + orig, dtype=np.float64) / orig
    t = np.arange(0, -new, -1, dtype=np.float64)[:, None] / new + idx[None, :]
    t = np.clip(t * base, -lpfw, lpfw)
    if method == "sinc_interp_hann":
        window = np.cos(t * np.pi / lpfw / 2) ** 2
    else:
        beta = 14.769656459379492 if beta is None else beta
        window = np.i0(beta * np.sqrt(1 - (t / lpfw) ** 2)) / np.i0(beta)
    t = t * np.pi
    kernel = np.where(t == 0, 1.0, np.sin(t) / np.where(t == 0, 1.0, t)) * window * base / orig
    n = x.shape[-1]
    xp = np.pad(x.astype(np.float64), [(0, 0)] * (x.ndim - 1) + [(width, width + orig)])
    n_frames = (xp.shape[-1] - kernel.shape[1]) // orig + 1
    frames = np.stack(
        [xp[..., f * orig : f * orig + kernel.shape[1]] for f in range(n_frames)], axis=-2
    )
    y = np.einsum("...fk,rk->...fr", frames, kernel).reshape(*x.shape[:-1], -1)
    return y[..., : math.ceil(new * n / orig)]


@pytest.fixture(scope="module")
def signal():
    return np.random.default_rng(0).standard_normal((2, 3001)).astype(np.float32)


@pytest.mark.parametrize(("orig", "new"), RATIOS)
def test_polyphase_matches_scipy_resample_poly(signal, orig, new):
    g = math.gcd(orig, new)
    ref = ss.resample_poly(signal.astype(np.float64), new // g, orig // g, axis=-1)
    y = mlxdsp.resample(mx.array(signal), orig_sr=orig, target_sr=new, method="polyphase")
    assert y.shape == ref.shape and y.dtype == mx.float32
    assert rel_err(to_np(y), ref) <= 1e-5


@pytest.mark.parametrize(("orig", "new"), RATIOS)
def test_fft_matches_scipy_resample(signal, orig, new):
    num = math.ceil(signal.shape[-1] * new / orig)
    ref = ss.resample(signal.astype(np.float64), num, axis=-1)
    y = mlxdsp.resample(mx.array(signal), orig_sr=orig, target_sr=new, method="fft")
    assert y.shape == ref.shape
    assert rel_err(to_np(y), ref) <= 1e-5


@pytest.mark.parametrize("method", ["sinc_interp_hann", "sinc_interp_kaiser"])
@pytest.mark.parametrize(("orig", "new"), RATIOS)
def test_sinc_matches_torchaudio_transcription(signal, orig, new, method):
    ref = torchaudio_resample64(signal, orig, new, method=method)
    y = mlxdsp.resample(mx.array(signal), orig_sr=orig, target_sr=new, method=method)
    assert y.shape == ref.shape
    assert rel_err(to_np(y), ref) <= 1e-5


def test_sinc_options_match_transcription(signal):
    ref = torchaudio_resample64(
        signal, 48000, 44100, lpfw=16, rolloff=0.85, method="sinc_interp_kaiser", beta=8.0
    )
    y = mlxdsp.resample(
        mx.array(signal),
        orig_sr=48000,
        target_sr=44100,
        method="sinc_interp_kaiser",
        lowpass_filter_width=16,
        rolloff=0.85,
        beta=8.0,
    )
    assert rel_err(to_np(y), ref) <= 1e-5


@pytest.mark.skipif(
    not GOLDENS.exists(),
    reason="torchaudio goldens absent: run tests/reference/generate_torchaudio.py",
)
def test_sinc_matches_torchaudio_goldens():
    data = np.load(GOLDENS)
    x = data["x"]
    for key in data.files:
        if not key.startswith("resample/"):  # also skips x and torchaudio_version
            continue
        _, method, orig, new = key.split("/")
        y = mlxdsp.resample(mx.array(x), orig_sr=int(orig), target_sr=int(new), method=method)
        assert rel_err(to_np(y), data[key]) <= 1e-5, key


def _tone_gain_db(freq, orig=44100, new=16000, n=44100):
    t = np.arange(n) / orig
    x = np.sin(2 * np.pi * freq * t).astype(np.float32)
    y = to_np(mlxdsp.resample(mx.array(x), orig_sr=orig, target_sr=new))[2000:-2000]
    return 20 * np.log10(np.sqrt(2 * np.mean(y.astype(np.float64) ** 2)) + 1e-30)


def test_default_quality_tones():
    """End to end, 44.1k -> 16k: passband tones keep their level, tones above 8 kHz vanish."""
    for f in (1000.0, 5000.0, 7000.0):
        assert abs(_tone_gain_db(f)) < 0.04, f
    for f in (8000.0, 9000.0, 15000.0):
        assert _tone_gain_db(f) < -110, f


def test_default_prototype_response():
    """The hq kernel's response: >= 118 dB stopband from the lower Nyquist, <= 0.036 dB to 0.9 Nyquist."""
    from mlxdsp._resample import HQ_BETA, HQ_ROLLOFF, HQ_ZEROS

    over = 16
    k = np.arange(-int(HQ_ZEROS / HQ_ROLLOFF * over) - 1, int(HQ_ZEROS / HQ_ROLLOFF * over) + 2)
    t = np.clip(k / over * HQ_ROLLOFF, -HQ_ZEROS, HQ_ZEROS)
    win = np.i0(HQ_BETA * np.sqrt(1 - (t / HQ_ZEROS) ** 2)) / np.i0(HQ_BETA)
    h = np.sinc(t) * win
    h[np.abs(k / over * HQ_ROLLOFF) > HQ_ZEROS] = 0
    n = 1 << 20
    resp = np.abs(np.fft.rfft(h, n))
    resp /= resp[0]
    f = np.arange(resp.size) / n * over  # in units of the lower rate; its Nyquist is 0.5
    assert 20 * np.log10(resp[f >= 0.5].max()) < -118
    assert np.abs(20 * np.log10(resp[f <= 0.45])).max() < 0.036


@pytest.mark.parametrize("method", ["hq", "polyphase", "sinc_interp_hann", "fft"])
def test_batch_dims_and_vmap(method):
    x = mx.array(np.random.default_rng(1).standard_normal((2, 3, 500)).astype(np.float32))
    kw = dict(orig_sr=48000, target_sr=44100, method=method)
    y = mlxdsp.resample(x, **kw)
    row = mlxdsp.resample(x[1, 2], **kw)
    assert rel_err(to_np(y[1, 2]), to_np(row)) <= 1e-6
    v = mx.vmap(lambda s: mlxdsp.resample(s, **kw))(x.reshape(6, 500))
    assert rel_err(to_np(v).reshape(y.shape), to_np(y)) <= 1e-6


def test_identity_and_integer_input():
    x = mx.arange(10)
    y = mlxdsp.resample(x, orig_sr=16000, target_sr=16000)
    assert y.dtype == mx.float32 and np.array_equal(to_np(y), np.arange(10))


def test_gradient_is_adjoint_of_forward():
    """The map is linear: <R x, u> = <x, R^T u> with R^T from mx.vjp."""
    rng = np.random.default_rng(2)
    x = mx.array(rng.standard_normal(700).astype(np.float32))
    f = lambda s: mlxdsp.resample(s, orig_sr=44100, target_sr=16000)  # noqa: E731
    y = f(x)
    u = mx.array(rng.standard_normal(y.shape).astype(np.float32))
    (g,) = mx.vjp(f, [x], [u])[1]
    lhs = float(mx.sum(y * u).item())
    rhs = float(mx.sum(g * x).item())
    assert abs(lhs - rhs) <= 1e-4 * abs(lhs)


@given(
    n=st.integers(16, 400),
    pair=st.sampled_from([(2, 3), (3, 2), (160, 441), (441, 160), (1, 4), (7, 5)]),
)
def test_property_length_and_polyphase_parity(n, pair):
    orig, new = pair
    x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
    y = mlxdsp.resample(mx.array(x), orig_sr=orig, target_sr=new, method="polyphase")
    ref = ss.resample_poly(x.astype(np.float64), new, orig)
    assert y.shape == (math.ceil(n * new / orig),) == ref.shape
    assert rel_err(to_np(y), ref) <= 1e-5


def test_errors():
    x = mx.zeros(10)
    with pytest.raises(ParameterError, match=r"\[resample\] orig_sr=0 must be a positive int"):
        mlxdsp.resample(x, orig_sr=0, target_sr=1)
    with pytest.raises(ParameterError, match=r"\[resample\] target_sr=1.5 must be a positive int"):
        mlxdsp.resample(x, orig_sr=2, target_sr=1.5)
    with pytest.raises(ParameterError, match=r"\[resample\] method='sinc' must be one of 'hq'"):
        mlxdsp.resample(x, orig_sr=2, target_sr=1, method="sinc")
    with pytest.raises(ParameterError, match=r"\[resample\] rolloff=1.5 must be <= 1.0"):
        mlxdsp.resample(x, orig_sr=2, target_sr=1, rolloff=1.5)
    with pytest.raises(
        ParameterError, match=r"\[resample\] x.dtype=.*complex64 must be real floating"
    ):
        mlxdsp.resample(mx.zeros(4, dtype=mx.complex64), orig_sr=2, target_sr=1)
