"""resample: parity (scipy resample_poly/resample, torchaudio sinc kernels) through both engines (overlap-save
FFT blocks and banded tap matmuls), quality of the default, batching, gradients, block geometry, errors."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import ParameterError, _parallel, _resample
from mlxdsp._resample import (
    _resample_ratio,
    block_geometry,
    block_pieces,
    choose_engine,
    kernel_reach,
)
from tests.conftest import rel_err, to_np

RATIOS = [(44100, 16000), (48000, 44100), (8000, 22050), (16000, 8000), (3, 7), (1, 5), (5, 1)]
KAISER_BETA = 14.769656459379492
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


def _engine(x, orig, new, method, engine, lpfw=6, rolloff=0.99, beta=KAISER_BETA):
    g = math.gcd(orig, new)
    return _resample_ratio(x, method, new // g, orig // g, lpfw, rolloff, beta, engine)


def _reference(x, orig, new, method):
    if method == "polyphase":
        g = math.gcd(orig, new)
        return ss.resample_poly(x.astype(np.float64), new // g, orig // g, axis=-1)
    return torchaudio_resample64(x, orig, new, method=method)


@pytest.mark.parametrize("engine", ["fft", "direct"])
@pytest.mark.parametrize("method", ["polyphase", "sinc_interp_hann", "sinc_interp_kaiser"])
@pytest.mark.parametrize(("orig", "new"), RATIOS)
def test_engines_match_references(signal, orig, new, method, engine):
    """Each engine alone, eager and compiled, against scipy / the torchaudio transcription."""
    ref = _reference(signal, orig, new, method)
    run = lambda s: _engine(s, orig, new, method, engine)  # noqa: E731
    for fn in (run, mx.compile(run)):
        y = fn(mx.array(signal))
        assert y.shape == ref.shape and y.dtype == mx.float32
        assert rel_err(to_np(y), ref) <= 1e-5


@pytest.mark.parametrize("method", ["polyphase", "sinc_interp_hann", "sinc_interp_kaiser"])
@pytest.mark.parametrize(("orig", "new"), [(44100, 16000), (16000, 44100), (48000, 44100)])
def test_fft_engine_many_blocks(orig, new, method):
    """Signals spanning several overlap-save blocks (block joins, last partial block)."""
    x = np.random.default_rng(3).standard_normal((2, 40001)).astype(np.float32)
    g = math.gcd(orig, new)
    reach = kernel_reach(method, new // g, orig // g, 6, 0.99)
    p, h, r = block_geometry(x.shape[-1], new // g, orig // g, reach)
    assert x.shape[-1] > 2 * h * (orig // g)
    y = _engine(mx.array(x), orig, new, method, "fft")
    assert rel_err(to_np(y), _reference(x, orig, new, method)) <= 1e-5


@pytest.mark.parametrize(("orig", "new"), RATIOS)
def test_hq_engines_agree(signal, orig, new):
    """The FFT engine drops the hq kernel's response beyond the lower Nyquist (< -118 dB): it differs from
    the time-domain kernel by that much and no more."""
    y = to_np(_engine(mx.array(signal), orig, new, "hq", "fft"))
    ref = to_np(_engine(mx.array(signal), orig, new, "hq", "direct"))
    assert y.shape == ref.shape
    assert rel_err(y, ref) <= 1.5e-6


def _tone_gain(orig, new, freq, engine, n=22050):
    """Output level of a unit tone (dB), least-squares fit at the tone's frequency away from the edges."""
    x = np.sin(2 * np.pi * freq * np.arange(n) / orig).astype(np.float32)
    y = to_np(_engine(mx.array(x), orig, new, "hq", engine)).astype(np.float64)[400:-400]
    t = (np.arange(y.size) + 400) / new
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    if freq < new / 2:
        coef = np.linalg.lstsq(basis, y, rcond=None)[0]
        return 20 * np.log10(np.hypot(*coef))
    return 10 * np.log10(2 * np.mean(y * y) + 1e-30)  # removed tone: all that is left is leakage


@pytest.mark.parametrize(("orig", "new"), [(44100, 16000), (48000, 44100), (16000, 8000)])
def test_default_quality_end_to_end(orig, new):
    """Measured through the FFT engine: passband within 0.036 dB up to 0.9 of the lower Nyquist, every tone
    between the output Nyquist and the input Nyquist below -130 dB (the direct kernel: -118 dB)."""
    low = min(orig, new) / 2
    passband = [_tone_gain(orig, new, f, "fft") for f in np.linspace(0.02, 0.9, 12) * low]
    assert np.abs(passband).max() < 0.036
    stop = [_tone_gain(orig, new, f, "fft") for f in np.linspace(1.0, 0.98 * orig / new, 12) * low]
    assert max(stop) < -130


@pytest.mark.parametrize(("orig", "new"), [(44100, 44099), (22051, 44100), (1, 3), (3, 1)])
def test_hq_awkward_ratios_tone(orig, new):
    """Ratios with large coprime terms (one block spans 4 x 44100 samples): a 0.05-Nyquist tone comes out
    as the ideal band-limited tone at the new rate."""
    n = max(orig, 2000)
    freq = 0.05 * min(orig, new) / 2
    x = np.sin(2 * np.pi * freq * np.arange(n) / orig).astype(np.float32)
    y = to_np(mlxdsp.resample(mx.array(x), orig_sr=orig, target_sr=new))
    assert y.shape == (math.ceil(n * new / orig),)
    ref = np.sin(2 * np.pi * freq * np.arange(y.size) / new)
    edge = y.size // 8
    assert np.abs(y[edge:-edge] - ref[edge:-edge]).max() < 3e-6


def test_engine_choice():
    """hq always takes the FFT engine; the exact methods take the engine the cost model prefers."""
    assert _engine_of("hq", 16000, 44100) == "fft"
    assert _engine_of("sinc_interp_kaiser", 16000, 44100) == "fft"
    # torchaudio's Hann kernel: 30 s stereo 44.1k -> 16k took 76 ms by FFT blocks, 112 ms direct.
    assert _engine_of("sinc_interp_hann", 44100, 16000) == "fft"
    assert _engine_of("polyphase", 16000, 44100) == "direct"  # its kernel response spans the band
    assert _engine_of("polyphase", 8000, 16000) == "fft"


def _engine_of(method, orig, new, n=100000):
    g = math.gcd(orig, new)
    up, down = new // g, orig // g
    geometry = block_geometry(n, up, down, kernel_reach(method, up, down, 6, 0.99))
    return choose_engine(method, up, down, 6, 0.99, KAISER_BETA, geometry)


@given(
    n=st.integers(1, 10**6),
    up=st.integers(1, 500),
    down=st.integers(1, 500),
    reach=st.floats(1.0, 400.0),
)
def test_property_block_geometry(n, up, down, reach):
    """Context covers the kernel on both sides, the hop is at least one period, blocks are FFT-friendly."""
    p, h, r = block_geometry(n, up, down, reach)
    k = p + h + r
    assert p * down >= reach + 1 and r * down >= reach + 1 and h >= 1
    assert k % 2 == 0
    for f in (2, 3, 5, 7):
        while k % f == 0:
            k //= f
    assert k == 1


@pytest.mark.parametrize("engine", ["fft", "direct"])
def test_engines_batch_vmap_adjoint(engine):
    """48k -> 44.1k sinc_interp_kaiser: the FFT engine's folded path with bins past the input Nyquist."""
    rng = np.random.default_rng(4)
    x = mx.array(rng.standard_normal((2, 3, 900)).astype(np.float32))
    f = lambda s: _engine(s, 48000, 44100, "sinc_interp_kaiser", engine)  # noqa: E731
    y = f(x)
    assert rel_err(to_np(y[1, 2]), to_np(f(x[1, 2]))) <= 1e-6
    v = mx.vmap(f)(x.reshape(6, 900))
    assert rel_err(to_np(v).reshape(y.shape), to_np(y)) <= 1e-6
    u = mx.array(rng.standard_normal(y.shape).astype(np.float32))
    (g,) = mx.vjp(f, [x], [u])[1]
    lhs, rhs = float(mx.sum(y * u).item()), float(mx.sum(g * x).item())
    assert abs(lhs - rhs) <= 1e-4 * abs(lhs)
    (t,) = mx.jvp(f, [x], [x])[1]
    assert rel_err(to_np(t), to_np(y)) <= 1e-6  # linear map: its jvp along x is itself


@given(
    n=st.integers(1, 3000),
    pair=st.sampled_from([(2, 3), (3, 2), (160, 441), (441, 160), (1, 4), (7, 5), (4, 1)]),
    method=st.sampled_from(["polyphase", "sinc_interp_kaiser", "sinc_interp_hann"]),
)
def test_property_fft_engine_parity(n, pair, method):
    """The FFT engine at any length (one partial block up to many blocks) against the references."""
    orig, new = pair
    x = np.random.default_rng(n).standard_normal((2, n)).astype(np.float32)
    y = _engine(mx.array(x), orig, new, method, "fft")
    ref = _reference(x, orig, new, method)
    assert y.shape == ref.shape
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


# ---- FFT engine in pieces (CPU): pieces of blocks on two streams give the one-piece result bit for bit ----


def _split(monkeypatch, blocks_per_piece):
    """Make the FFT engine cut pieces of ``blocks_per_piece`` blocks (0: one piece for any input)."""
    count = blocks_per_piece or 1 << 40
    monkeypatch.setattr(_resample, "_piece_blocks", lambda plan, up, down: count)


PIECE_CASES = [
    (44100, 16000, "hq"),
    (48000, 44100, "sinc_interp_kaiser"),  # folded, bins past the input Nyquist
    (16000, 44100, "polyphase"),
    (16000, 8000, "polyphase"),
]


@pytest.mark.parametrize("max_phases", [_resample._MAX_PHASES, 0])
@pytest.mark.parametrize(("orig", "new", "method"), PIECE_CASES)
@pytest.mark.parametrize("shape", [(40001,), (2, 40001), (3, 2, 3000)])
def test_fft_engine_pieces_bit_identical(monkeypatch, orig, new, method, shape, max_phases):
    """Pieces of one, two and three blocks and of whole rows; blocks framed by phases (pieces of an even
    number of blocks) or by one copy: the same samples as one piece."""
    monkeypatch.setattr(_resample, "_MAX_PHASES", max_phases)
    x = mx.array(np.random.default_rng(5).standard_normal(shape).astype(np.float32))
    run = lambda s: _engine(s, orig, new, method, "fft")  # noqa: E731
    _split(monkeypatch, 0)
    whole = to_np(run(x))
    if method != "hq":
        assert rel_err(whole, _reference(to_np(x), orig, new, method)) <= 1e-5
    for per_piece in (1, 2, 3):
        _split(monkeypatch, per_piece)
        y = run(x)
        assert y.shape == whole.shape and y.dtype == mx.float32
        assert np.array_equal(to_np(y), whole), per_piece
        assert np.array_equal(to_np(mx.compile(run)(x)), whole), per_piece


def test_phases_apply_to_plain_plans():
    """hq frames its blocks by phases; plans that fold bins (the exact kernels reach past the output
    Nyquist) or continue them past the input Nyquist frame them by one copy."""
    b = KAISER_BETA

    def phases(method, up, down):
        reach = kernel_reach(method, up, down, 6, 0.99)
        plan = _resample._fft_plan(
            method, up, down, 6, 0.99, b, block_geometry(10**6, up, down, reach)
        )
        return _resample._phases(plan, down)

    assert phases("hq", 160, 441) == 2 and phases("hq", 441, 160) == 2
    assert phases("polyphase", 1, 2) == 0 and phases("sinc_interp_kaiser", 160, 441) == 0  # folded
    assert phases("sinc_interp_kaiser", 441, 160) == 0  # continued past the input Nyquist


def test_fft_engine_pieces_transforms(monkeypatch):
    """vmap, vjp (adjoint) and jvp through one-block pieces."""
    _split(monkeypatch, 1)
    rng = np.random.default_rng(6)
    x = mx.array(rng.standard_normal((2, 3, 2500)).astype(np.float32))
    f = lambda s: _engine(s, 48000, 44100, "sinc_interp_kaiser", "fft")  # noqa: E731
    y = f(x)
    v = mx.vmap(f)(x.reshape(6, 2500))
    assert np.array_equal(to_np(v).reshape(y.shape), to_np(y))
    u = mx.array(rng.standard_normal(y.shape).astype(np.float32))
    (g,) = mx.vjp(f, [x], [u])[1]
    lhs, rhs = float(mx.sum(y * u).item()), float(mx.sum(g * x).item())
    assert abs(lhs - rhs) <= 1e-4 * abs(lhs)
    (t,) = mx.jvp(f, [x], [x])[1]
    assert rel_err(to_np(t), to_np(y)) <= 1e-6


@pytest.mark.parametrize(
    ("shape", "orig", "new"),
    [((300001,), 44100, 16000), ((2, 150001), 44100, 16000), ((262220,), 44, 37)],
)
def test_fft_engine_two_streams_bit_identical(monkeypatch, shape, orig, new):
    """Inputs large enough for the second CPU stream (default piece size; 44 -> 37 fits one piece and is
    halved for the second core): the result of one stream and of one piece, eager and compiled."""
    x = mx.array(np.random.default_rng(7).standard_normal(shape).astype(np.float32))
    assert x.size >= _parallel.MIN_SAMPLES and len(_parallel.cpu_streams(x)) == 2
    run = lambda s: mlxdsp.resample(s, orig_sr=orig, target_sr=new)  # noqa: E731
    y = to_np(run(x))
    compiled = to_np(mx.compile(run)(x))
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert _parallel.cpu_streams(x) == (None,)
    one_stream = to_np(run(x))
    _split(monkeypatch, 0)
    whole = to_np(run(x))
    assert y.shape == whole.shape == (*shape[:-1], math.ceil(shape[-1] * new / orig))
    assert np.array_equal(y, whole) and np.array_equal(one_stream, whole)
    assert np.array_equal(compiled, whole)


@given(rows=st.integers(1, 9), blocks=st.integers(1, 40), per_piece=st.integers(1, 50))
def test_property_block_pieces(rows, blocks, per_piece):
    """Pieces cover every (row, block) once, in row-major order, at most per_piece blocks each, each a run of
    one row's blocks (all of per_piece blocks but a row's last) or a group of whole rows."""
    pieces = block_pieces(rows, blocks, per_piece)
    cells = [(i, b) for r0, r1, b0, b1 in pieces for i in range(r0, r1) for b in range(b0, b1)]
    assert cells == [(i, b) for i in range(rows) for b in range(blocks)]
    for r0, r1, b0, b1 in pieces:
        assert (r1 - r0) * (b1 - b0) <= per_piece
        assert r1 - r0 == 1 or (b0, b1) == (0, blocks)
    if rows * blocks > per_piece:
        assert len(pieces) > 1
    for (r0, _, _, b1), (r0_next, _, _, _) in itertools.pairwise(pieces):
        if r0 == r0_next:  # inside a row, every run but the last has per_piece blocks
            assert b1 % per_piece == 0


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 5), (3, 1)])
def test_empty_and_tiny_inputs(shape):
    y = mlxdsp.resample(mx.zeros(shape), orig_sr=44100, target_sr=16000)
    assert y.shape == (*shape[:-1], math.ceil(shape[-1] * 16000 / 44100)) and y.dtype == mx.float32
    assert not np.any(to_np(y))
