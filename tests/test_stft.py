"""stft / istft: parity with torch.stft/istft and librosa 0.11, the NOLA round trip, dtypes.

Conventions reproduced (each test's docstring names its own):
- torch.stft/istft in float64 with the window from scipy.signal.get_window(spec, win_length) (periodic),
  zero-padded centred to n_fft by torch; pad_mode "reflect"/"constant" are torch's, our "edge" is torch's
  "replicate".
- librosa 0.11 stft/istft on float64 input, pad_mode "constant" (librosa's default), "reflect", "edge".
Our result is float32/complex64; the relative Frobenius error must be <= 1e-5, eagerly and compiled.
"""

from __future__ import annotations

import math

import mlx.core as mx
import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import ParameterError
from tests.cases.spectral import (
    ELEMENTS,
    check_parity,
    librosa_istft64,
    librosa_stft64,
    padded_window,
    rel_err,
    stft_configs,
    torch_istft64,
    torch_stft64,
)

THOROUGH = settings.get_profile("thorough")


def _signal(cfg, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed + cfg["n_fft"] + 7 * cfg["length"])
    return rng.standard_normal((*cfg["lead"], cfg["length"])).astype(dtype)


def _stft_options(cfg):
    return {
        k: cfg[k] for k in ("n_fft", "win_length", "hop_length", "window", "center", "pad_mode")
    }


def _istft_options(cfg):
    return {k: cfg[k] for k in ("n_fft", "win_length", "hop_length", "window", "center")}


def _nola(cfg) -> bool:
    """Independent NOLA decision: scipy.signal.check_NOLA on the zero-padded float64 window."""
    w = padded_window(cfg["window"], cfg["win_length"], cfg["n_fft"])
    return bool(
        scipy.signal.check_NOLA(w, cfg["n_fft"], cfg["n_fft"] - cfg["hop_length"], tol=1e-10)
    )


# ------------------------------------------------------------------------------------------------
# stft parity


@given(cfg=stft_configs(), normalized=st.booleans(), onesided=st.booleans())
def test_stft_matches_torch(cfg, normalized, onesided):
    """torch.stft (float64; window scipy.signal.get_window(spec, win_length), padded centred to n_fft;
    pad_mode reflect/constant/replicate for our reflect/constant/edge; normalized and onesided as drawn)."""
    _check_stft_torch(cfg, normalized, onesided)


def _check_stft_torch(cfg, normalized, onesided):
    x = _signal(cfg)
    opts = _stft_options(cfg)
    expected = torch_stft64(x, normalized=normalized, onesided=onesided, **opts)
    check_parity(
        lambda a: mlxdsp.stft(a, normalized=normalized, onesided=onesided, **opts),
        (mx.array(x),),
        expected,
        dtype=mx.complex64,
        what="stft vs torch.stft",
    )


@given(cfg=stft_configs())
def test_stft_matches_librosa(cfg):
    """librosa 0.11 stft on float64 input, with pad_mode "constant" (librosa's default), "reflect" or
    "edge" as drawn; window spec passed to librosa as is (it calls scipy.signal.get_window)."""
    x = _signal(cfg)
    opts = _stft_options(cfg)
    expected = librosa_stft64(x, **opts)
    check_parity(
        lambda a: mlxdsp.stft(a, **opts),
        (mx.array(x),),
        expected,
        dtype=mx.complex64,
        what="stft vs librosa.stft",
    )


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("n_fft,hop", [(64, 100), (33, 200), (1, 1), (2, 3)])
def test_stft_hop_longer_than_frame(n_fft, hop, center):
    """torch.stft (float64) with hop_length > n_fft (frames skip samples) and the degenerate n_fft of
    1 and 2 (pad_mode "constant": reflect needs n_fft // 2 < len)."""
    x = np.random.default_rng(n_fft).standard_normal((2, 1000)).astype(np.float32)
    opts = dict(n_fft=n_fft, hop_length=hop, center=center, pad_mode="constant")
    check_parity(
        lambda a: mlxdsp.stft(a, **opts),
        (mx.array(x),),
        torch_stft64(x, **opts),
        dtype=mx.complex64,
        what="stft vs torch.stft (hop > n_fft)",
    )


def test_stft_shape_docstring_example():
    X = mlxdsp.stft(mx.zeros((2, 16000)), n_fft=512, hop_length=128)
    assert X.shape == (2, 257, 126) and X.dtype == mx.complex64


def test_stft_defaults_are_librosa_defaults_but_reflect():
    """Defaults n_fft=2048, hop=win_length // 4, hann, center, reflect = librosa.stft(pad_mode='reflect')."""
    x = np.random.default_rng(1).standard_normal(5000)
    expected = librosa_stft64(x, n_fft=2048, hop_length=512, pad_mode="reflect")
    check_parity(
        mlxdsp.stft,
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.complex64,
        what="stft defaults",
    )
    # hop_length=None with win_length: win_length // 4 (librosa's and torch's default)
    X = mlxdsp.stft(mx.array(x.astype(np.float32)), n_fft=256, win_length=100)
    assert X.shape[-1] == 1 + 5000 // 25


def test_window_arrays_are_windows():
    """A NumPy window (a constant) and an mx.array window (data) give the named window's result."""
    x = mx.array(np.random.default_rng(2).standard_normal((2, 900)).astype(np.float32))
    w = scipy.signal.get_window(("kaiser", 9.0), 300)
    named = np.array(
        mlxdsp.stft(x, n_fft=512, win_length=300, hop_length=75, window=("kaiser", 9.0))
    )
    for window in (w, list(w), mx.array(w.astype(np.float32))):
        got = np.array(mlxdsp.stft(x, n_fft=512, win_length=300, hop_length=75, window=window))
        assert rel_err(got, named) <= 1e-6
    X = mx.array(named)
    y_named = np.array(
        mlxdsp.istft(X, n_fft=512, win_length=300, hop_length=75, window=("kaiser", 9.0))
    )
    y_array = np.array(
        mlxdsp.istft(
            X, n_fft=512, win_length=300, hop_length=75, window=mx.array(w.astype(np.float32))
        )
    )
    assert rel_err(y_array, y_named) <= 1e-6


def test_mx_window_receives_gradients():
    """An mx.array window is data: d/dw sum|stft(x; w)|^2 matches torch autograd (float64)."""
    import torch

    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 300)).astype(np.float32)
    w = rng.uniform(0.1, 1.0, 64).astype(np.float32)

    def loss(win):
        X = mlxdsp.stft(mx.array(x), n_fft=64, hop_length=16, window=win)
        return mx.sum(mx.real(X) ** 2 + mx.imag(X) ** 2)

    g = np.array(mx.grad(loss)(mx.array(w)))
    wt = torch.tensor(w.astype(np.float64), requires_grad=True)
    X = torch.stft(
        torch.from_numpy(x.astype(np.float64)),
        64,
        16,
        64,
        wt,
        center=True,
        pad_mode="reflect",
        return_complex=True,
    )
    (X.abs() ** 2).sum().backward()
    assert rel_err(g, wt.grad.numpy()) <= 1e-5


# ------------------------------------------------------------------------------------------------
# istft parity


def _random_spectrum(cfg, count, seed=0):
    rng = np.random.default_rng(seed + count)
    n_freq = cfg["n_fft"] // 2 + 1
    shape = (*cfg["lead"], n_freq, count)
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)


def _envelope_mask(cfg, count, out_length):
    """Output samples comparable with librosa: its istft divides wherever the window envelope exceeds
    tiny(float64), mlxdsp (documented) only where it exceeds 1e-11; samples in between are excluded."""
    import librosa

    env = librosa.filters.window_sumsquare(
        window=cfg["window"],
        n_frames=count,
        hop_length=cfg["hop_length"],
        win_length=cfg["win_length"],
        n_fft=cfg["n_fft"],
        dtype=np.float64,
    )
    start = cfg["n_fft"] // 2 if cfg["center"] else 0
    env = env[start : start + out_length]
    ok = (env > 1e-11) | (env <= np.finfo(np.float64).tiny)
    return np.pad(ok, (0, out_length - ok.shape[0]), constant_values=True)


@given(
    cfg=stft_configs(), count=st.integers(1, 60), trim=st.one_of(st.none(), st.integers(-40, 40))
)
def test_istft_matches_librosa(cfg, count, trim):
    """librosa 0.11 istft on a random complex128 spectrum (the same complex64 values we get), with the
    drawn window/hop/center and length (None, shorter, or longer: zero-extended). NOLA pairs only
    (others raise, see test_istft_refuses_non_nola); samples whose envelope lies in (tiny, 1e-11) are
    excluded (librosa divides there, mlxdsp leaves them unscaled)."""
    if not _nola(cfg):
        return
    count = max(1, min(count, ELEMENTS // (cfg["n_fft"] * max(1, math.prod(cfg["lead"])))))
    X = _random_spectrum(cfg, count)
    natural = (
        cfg["n_fft"]
        + cfg["hop_length"] * (count - 1)
        - (2 * (cfg["n_fft"] // 2) if cfg["center"] else 0)
    )
    length = None if trim is None else max(1, natural + trim)
    opts = _istft_options(cfg)
    expected = librosa_istft64(X, length=length, **opts)
    mask = _envelope_mask(cfg, count, expected.shape[-1])
    check_parity(
        lambda Z: mlxdsp.istft(Z, length=length, **opts),
        (mx.array(X),),
        expected,
        dtype=mx.float32,
        mask=mask,
        what="istft vs librosa.istft",
    )


@given(
    cfg=stft_configs(),
    count=st.integers(1, 60),
    normalized=st.booleans(),
    trim=st.one_of(st.none(), st.integers(-40, 40)),
)
def test_istft_matches_torch(cfg, count, normalized, trim):
    """torch.istft (float64, complex128 input, center=True, normalized as drawn, length None/shorter/
    longer) on a random spectrum. torch refuses any output sample whose envelope is below 1e-11 (with
    center=False the window's zero edges always are), so center=False is librosa's test."""
    cfg = dict(cfg, center=True)
    if not _nola(cfg):
        return
    count = max(1, min(count, ELEMENTS // (cfg["n_fft"] * max(1, math.prod(cfg["lead"])))))
    X = _random_spectrum(cfg, count, seed=1)
    natural = cfg["n_fft"] + cfg["hop_length"] * (count - 1) - 2 * (cfg["n_fft"] // 2)
    if natural < 1 and trim is None:
        trim = 1 - natural
    length = None if trim is None else max(1, natural + trim)
    opts = _istft_options(cfg)
    try:
        expected = torch_istft64(X, normalized=normalized, length=length, **opts)
    except RuntimeError as err:  # the envelope check of torch (a partial frame at an edge)
        assert "window overlap add min" in str(err)
        return
    check_parity(
        lambda Z: mlxdsp.istft(Z, normalized=normalized, length=length, **opts),
        (mx.array(X),),
        expected,
        dtype=mx.float32,
        what="istft vs torch.istft",
    )


@given(cfg=stft_configs(pad_modes=("reflect",)))
def test_two_sided_round_trip_matches_torch(cfg):
    """onesided=False: torch.stft(onesided=False) -> torch.istft(onesided=False) (float64, center=True),
    against our two-sided pair. The spectrum is Hermitian (from a real signal): on non-Hermitian input
    torch's return_complex=False and real(ifft) differ, so only this case is a shared convention."""
    cfg = dict(cfg, center=True)
    if not _nola(cfg):
        return
    x = _signal(cfg, seed=2)
    opts = _stft_options(cfg)
    X64 = torch_stft64(x, onesided=False, **opts)
    X = mlxdsp.stft(mx.array(x), onesided=False, **opts)
    assert X.shape == X64.shape and X.dtype == mx.complex64
    assert rel_err(np.array(X), X64) <= 1e-5
    iopts = _istft_options(cfg)
    # the same complex64 values for both (the stft step is checked just above)
    try:
        expected = torch_istft64(np.array(X), onesided=False, length=cfg["length"], **iopts)
    except RuntimeError as err:  # torch's envelope check (a partial frame at an edge)
        assert "window overlap add min" in str(err)
        return
    check_parity(
        lambda Z: mlxdsp.istft(Z, onesided=False, length=cfg["length"], **iopts),
        (X,),
        expected,
        dtype=mx.float32,
        what="istft(onesided=False) vs torch.istft",
    )


# ------------------------------------------------------------------------------------------------
# Round trip and NOLA


def _folded(cfg) -> np.ndarray:
    """The squared padded window folded modulo hop: the envelope of a sample every frame overlaps."""
    sq = padded_window(cfg["window"], cfg["win_length"], cfg["n_fft"]) ** 2
    hop = cfg["hop_length"]
    folded = np.zeros(hop)
    for start in range(0, sq.shape[0], hop):
        chunk = sq[start : start + hop]
        folded[: chunk.shape[0]] += chunk
    return folded


def _round_trip_mask(cfg, count):
    """Samples a round trip must recover: those whose envelope (librosa.filters.window_sumsquare) is at
    least the folded minimum NOLA bounds. That is every sample all of whose overlapping frames exist;
    it excludes only edge samples covered by fewer frames (center=False, or signals shorter than a few
    hops, or a tail no frame reaches), where the envelope may be 0 (hann's edge) or arbitrarily small,
    and no inverse can recover them (torch.istft refuses such pairs outright)."""
    import librosa

    env = librosa.filters.window_sumsquare(
        window=cfg["window"],
        n_frames=count,
        hop_length=cfg["hop_length"],
        win_length=cfg["win_length"],
        n_fft=cfg["n_fft"],
        dtype=np.float64,
    )
    start = cfg["n_fft"] // 2 if cfg["center"] else 0
    env = env[start : start + cfg["length"]]
    mask = np.zeros(cfg["length"], dtype=bool)
    mask[: env.shape[0]] = env >= _folded(cfg).min() * (1 - 1e-9)
    return mask


def round_trip_rtol(cfg) -> float:
    """1e-5, relaxed for NOLA pairs that float32 cannot invert to 1e-5: the reconstruction divides by
    the envelope, so rounding errors grow like eps32 / min|w| ~ 1e-7 * sqrt(max/min folded envelope).
    Up to a ratio of 1e4 this is 1e-5; e.g. hann with hop = n_fft - 1 (ratio 7e8) gives ~1e-4 for us
    and for torch's float32 round trip alike (test_ill_conditioned_pairs_are_float32_limited)."""
    folded = _folded(cfg)
    return max(1e-5, 1e-7 * math.sqrt(folded.max() / folded.min()))


def _check_round_trip(cfg):
    x = _signal(cfg, seed=3)
    opts = _stft_options(cfg)
    iopts = _istft_options(cfg)
    X = mlxdsp.stft(mx.array(x), **opts)
    if not _nola(cfg):
        with pytest.raises(ParameterError, match=r"^\[istft\] .*violates NOLA"):
            mlxdsp.istft(X, length=cfg["length"], **iopts)
        return None
    count = X.shape[-1]
    mask = _round_trip_mask(cfg, count)
    if not mask.any():
        return None
    return check_parity(
        lambda Z: mlxdsp.istft(Z, length=cfg["length"], **iopts),
        (X,),
        x.astype(np.float64),
        dtype=mx.float32,
        mask=mask,
        rtol=round_trip_rtol(cfg),
        what="istft(stft(x)) vs x" + ("" if round_trip_rtol(cfg) == 1e-5 else " (ill-conditioned)"),
    )


@given(cfg=stft_configs())
def test_round_trip_under_nola(cfg):
    """istft(stft(x), length=len(x)) == x to 1e-5 (round_trip_rtol: float32's limit for ill-conditioned
    pairs) for every NOLA window/hop pair drawn (NOLA decided independently by scipy.signal.check_NOLA),
    on the samples every overlapping frame covers (_round_trip_mask); non-NOLA pairs raise
    ParameterError."""
    _check_round_trip(cfg)


@pytest.mark.slow
@settings(THOROUGH)
@given(cfg=stft_configs(elements=4_000_000))
def test_round_trip_under_nola_thorough(cfg):
    """The same sweep, 400 random examples with larger signals (pytest -m slow)."""
    _check_round_trip(cfg)


@pytest.mark.slow
@settings(THOROUGH)
@given(cfg=stft_configs(elements=4_000_000), normalized=st.booleans(), onesided=st.booleans())
def test_stft_matches_torch_thorough(cfg, normalized, onesided):
    """test_stft_matches_torch under the "thorough" profile with larger signals (pytest -m slow)."""
    _check_stft_torch(cfg, normalized, onesided)


@pytest.mark.parametrize(
    "window,n_fft,hop,win_length",
    [
        ("hann", 512, 511, 512),  # folded envelope max/min 7e8
        (("kaiser", 12.9), 303, 96, 96),  # one window sample per residue: max/min 2e9
    ],
)
def test_ill_conditioned_pairs_are_float32_limited(window, n_fft, hop, win_length):
    """NOLA holds but barely: our float32 round-trip error is within round_trip_rtol and of the order of
    torch's own float32 round trip (torch.stft -> torch.istft, float32), i.e. a float32 limit."""
    import torch

    length = 40 * hop + 1  # the last frame is centred on the last sample: every sample is covered
    cfg = dict(
        n_fft=n_fft,
        hop_length=hop,
        win_length=win_length,
        window=window,
        center=True,
        pad_mode="reflect",
        lead=(),
        length=length,
    )
    assert _nola(cfg) and round_trip_rtol(cfg) > 1e-5
    err = _check_round_trip(cfg)
    x = _signal(cfg, seed=3)
    w = torch.from_numpy(scipy.signal.get_window(window, win_length).astype(np.float32))
    Xt = torch.stft(
        torch.from_numpy(x), n_fft, hop, win_length, w, center=True, return_complex=True
    )
    yt = torch.istft(Xt, n_fft, hop, win_length, w, length=length).numpy()
    torch_err = rel_err(yt, x)
    assert torch_err > 1e-5 and err < 10 * torch_err


@pytest.mark.parametrize(
    "window,n_fft,hop,win_length",
    [
        ("hann", 512, 512, 512),  # hann's zero at n = 0 is never covered
        ("hann", 400, 300, 200),  # window shorter than the hop: gaps
        ("bartlett", 64, 64, 64),
        (("tukey", 1.0), 128, 128, 128),
        ("boxcar", 100, 60, 50),
    ],
)
def test_istft_refuses_non_nola(window, n_fft, hop, win_length):
    """Decided from the window alone (scipy.signal.check_NOLA agrees), before looking at data."""
    w = padded_window(window, win_length, n_fft)
    assert not scipy.signal.check_NOLA(w, n_fft, n_fft - hop)
    X = mx.zeros((n_fft // 2 + 1, 5), dtype=mx.complex64)
    with pytest.raises(ParameterError, match="violates NOLA"):
        mlxdsp.istft(X, n_fft=n_fft, hop_length=hop, win_length=win_length, window=window)


def test_istft_with_data_window_skips_the_nola_check():
    """An mx.array window is data (never inspected): no NOLA error, and where its envelope is zero the
    samples are left unscaled rather than divided by zero (finite output)."""
    w = mx.array(scipy.signal.get_window("hann", 64).astype(np.float32))
    X = mx.ones((33, 4), dtype=mx.complex64)
    y = mlxdsp.istft(X, n_fft=64, hop_length=64, window=w, center=False)
    assert np.isfinite(np.array(y)).all()


# ------------------------------------------------------------------------------------------------
# dtypes


@pytest.mark.parametrize("dtype", [mx.float16, mx.bfloat16])
def test_half_precision_input_gives_complex64(dtype):
    """float16/bfloat16 signals are computed in float32 (documented): complex64 out, equal to the
    float32 transform of the same (rounded) samples; istft of that returns float32."""
    x = mx.array(np.random.default_rng(4).standard_normal((2, 1000)).astype(np.float32)).astype(
        dtype
    )
    X = mlxdsp.stft(x, n_fft=128, hop_length=32)
    assert X.dtype == mx.complex64
    ref = np.array(mlxdsp.stft(x.astype(mx.float32), n_fft=128, hop_length=32))
    np.testing.assert_array_equal(np.array(X), ref)
    expected = torch_stft64(np.array(x.astype(mx.float32)), n_fft=128, hop_length=32)
    assert rel_err(np.array(X), expected) <= 1e-5
    y = mlxdsp.istft(X, n_fft=128, hop_length=32, length=1000)
    assert y.dtype == mx.float32
    assert mlxdsp.spectrogram(x, n_fft=128, hop_length=32).dtype == mx.float32


@pytest.mark.parametrize("dtype", [mx.int16, mx.int32, mx.uint8, mx.bool_])
def test_integer_input_is_promoted(dtype):
    """Integer (and bool) signals are promoted to float32."""
    x_np = np.random.default_rng(5).integers(0, 2, (3, 600))
    X = mlxdsp.stft(mx.array(x_np).astype(dtype), n_fft=64, hop_length=16)
    assert X.dtype == mx.complex64
    assert (
        rel_err(np.array(X), torch_stft64(x_np.astype(np.float64), n_fft=64, hop_length=16)) <= 1e-5
    )


def test_numpy_and_float64_inputs():
    """NumPy input is accepted; float64 NumPy becomes float32 (MLX has no float64 FFT)."""
    x = np.random.default_rng(6).standard_normal(700)
    X = mlxdsp.stft(x, n_fft=64, hop_length=16)
    assert X.dtype == mx.complex64
    assert rel_err(np.array(X), torch_stft64(x, n_fft=64, hop_length=16)) <= 1e-5


def test_complex_input_is_refused():
    with pytest.raises(
        ParameterError, match=r"^\[stft\] x\.dtype=mlx\.core\.complex64 must be real floating$"
    ):
        mlxdsp.stft(mx.zeros((100,), dtype=mx.complex64), n_fft=16)


def test_istft_input_dtypes():
    """istft takes complex64 only (a real array is not a spectrum)."""
    with pytest.raises(ParameterError, match="must be complex64"):
        mlxdsp.istft(mx.zeros((9, 4)), n_fft=16)


# ------------------------------------------------------------------------------------------------
# Regressions of bugs found and fixed: odd-n_fft irfft jvp (an MLX 0.32 bug, worked around in istft).


def test_istft_jvp_odd_n_fft():
    """jvp of istft (linear) equals istft of the tangent."""
    rng = np.random.default_rng(7)
    X = mx.array(
        (rng.standard_normal((16, 6)) + 1j * rng.standard_normal((16, 6))).astype(np.complex64)
    )
    T = mx.array(
        (rng.standard_normal((16, 6)) + 1j * rng.standard_normal((16, 6))).astype(np.complex64)
    )

    def f(Z):
        return mlxdsp.istft(Z, n_fft=31, hop_length=8)

    _, (jv,) = mx.jvp(f, [X], [T])
    np.testing.assert_allclose(np.array(jv), np.array(f(T)), rtol=1e-5, atol=1e-6)
