"""Spectral descriptors: parity with librosa 0.11 (float64 input to librosa, float32 to mlxdsp), eagerly
and under mx.compile, for waveform and ``S=`` input; error messages pinned.

References: librosa.feature.spectral_centroid / spectral_bandwidth / spectral_rolloff /
spectral_flatness / rms (dtype=float64) / zero_crossing_rate.
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp._descriptors import poly_features
from tests.cases.features import music_like, speech_like
from tests.cases.spectral import check_parity, rel_err

SR = 16000
# (leading dims, n_fft, hop_length, center)
CONFIGS = [
    ((), 512, 128, True),
    ((2,), 511, 100, False),
    ((2, 3), 256, 64, True),
    ((), 2048, 512, True),
]
SPECTRAL = ["spectral_centroid", "spectral_bandwidth", "spectral_rolloff", "spectral_flatness"]


def _signal(lead, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    # noise plus a chirp-like tone, so frames differ in centroid/rolloff/flatness
    t = np.arange(n) / SR
    tone = np.sin(2 * np.pi * (300 + 2000 * t) * t)
    return rng.standard_normal((*lead, n)) * 0.3 + tone


def _sr(name):
    return {} if name == "spectral_flatness" else {"sr": SR}


def _config_id(c):
    return f"lead={c[0]},n_fft={c[1]},hop={c[2]},center={c[3]}"


@pytest.mark.parametrize("name", SPECTRAL)
@pytest.mark.parametrize("config", CONFIGS, ids=_config_id)
def test_spectral_waveform_matches_librosa(name, config):
    lead, n_fft, hop, center = config
    x = _signal(lead)
    opts = dict(n_fft=n_fft, hop_length=hop, center=center, **_sr(name))
    expected = getattr(librosa.feature, name)(y=x, **opts)
    fn = getattr(mlxdsp, name)
    check_parity(
        lambda s: fn(s, **opts),
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"{name} {_config_id(config)}",
    )


@pytest.mark.parametrize("name", SPECTRAL)
@pytest.mark.parametrize("lead", [(), (2, 3)])
@pytest.mark.parametrize("frame_major", [False, True], ids=["bins-major", "frame-major"])
def test_spectral_S_matches_librosa(name, lead, frame_major):
    S = np.abs(librosa.stft(_signal(lead, seed=1), n_fft=400, hop_length=100))
    S[..., 3] = 0.0  # a silent frame: librosa leaves it un-normalized
    expected = getattr(librosa.feature, name)(S=S, **_sr(name))
    fn = getattr(mlxdsp, name)
    if frame_major:
        # S as mlxdsp.spectrogram returns it: a transposed view of [..., frames, bins] storage.
        stored = mx.array(np.ascontiguousarray(np.swapaxes(S, -1, -2)).astype(np.float32))
        check_parity(
            lambda s: fn(S=mx.swapaxes(s, -1, -2), **_sr(name)),
            (stored,),
            expected,
            dtype=mx.float32,
            what=f"{name} S= (frame-major) lead={lead}",
        )
        return
    check_parity(
        lambda s: fn(S=s, **_sr(name)),
        (mx.array(S.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"{name} S= lead={lead}",
    )


@pytest.mark.parametrize(
    "opts",
    [dict(p=1.0), dict(p=3.0), dict(norm=False)],
    ids=["p=1", "p=3", "norm=False"],
)
def test_spectral_bandwidth_options_match_librosa(opts):
    x = _signal((2,))
    expected = librosa.feature.spectral_bandwidth(y=x, sr=SR, n_fft=256, hop_length=64, **opts)
    check_parity(
        lambda s: mlxdsp.spectral_bandwidth(s, sr=SR, n_fft=256, hop_length=64, **opts),
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"spectral_bandwidth {opts}",
    )


@pytest.mark.parametrize("roll_percent", [0.1, 0.5, 0.99])
def test_spectral_rolloff_roll_percent_matches_librosa(roll_percent):
    x = _signal((2,))
    kw = dict(sr=SR, n_fft=256, hop_length=64, roll_percent=roll_percent)
    check_parity(
        lambda s: mlxdsp.spectral_rolloff(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.spectral_rolloff(y=x, **kw),
        dtype=mx.float32,
        what=f"spectral_rolloff roll_percent={roll_percent}",
    )


@pytest.mark.parametrize("opts", [dict(power=1.0), dict(amin=1e-3)], ids=["power=1", "amin=1e-3"])
def test_spectral_flatness_options_match_librosa(opts):
    x = _signal((2,))
    kw = dict(n_fft=256, hop_length=64, **opts)
    check_parity(
        lambda s: mlxdsp.spectral_flatness(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.spectral_flatness(y=x, **kw),
        dtype=mx.float32,
        what=f"spectral_flatness {opts}",
    )


@pytest.mark.parametrize("linear", [False, True])
@pytest.mark.parametrize("config", CONFIGS, ids=_config_id)
def test_spectral_contrast_waveform_matches_librosa(config, linear):
    lead, n_fft, hop, center = config
    x = _signal(lead)
    kw = dict(sr=SR, n_fft=n_fft, hop_length=hop, center=center, linear=linear)
    if n_fft == 256:
        kw.update(fmin=400.0, n_bands=4)  # 62.5 Hz bins: keep every octave band populated
    check_parity(
        lambda s: mlxdsp.spectral_contrast(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.spectral_contrast(y=x, **kw),
        dtype=mx.float32,
        what=f"spectral_contrast {_config_id(config)} linear={linear}",
    )


@pytest.mark.parametrize(
    "opts",
    [dict(), dict(quantile=0.2, n_bands=4, fmin=300.0)],
    ids=["defaults", "quantile=0.2,n_bands=4,fmin=300"],
)
def test_spectral_contrast_S_matches_librosa(opts):
    S = np.abs(librosa.stft(_signal((2,), seed=1), n_fft=1024, hop_length=256))
    S[..., 2] = 0.0  # a silent frame hits the top_db floor
    check_parity(
        lambda s: mlxdsp.spectral_contrast(S=s, sr=SR, **opts),
        (mx.array(S.astype(np.float32)),),
        librosa.feature.spectral_contrast(S=S, sr=SR, **opts),
        dtype=mx.float32,
        what=f"spectral_contrast S= {opts}",
    )


# (leading dims, frame_length, hop_length, center)
FRAME_CONFIGS = [
    ((), 2048, 512, True),
    ((2,), 511, 100, False),
    ((2, 3), 256, 64, True),
    ((), 255, 33, True),
    ((2,), 400, 160, True),  # gcd 80: frames of 5 blocks every 2 (the block-sum path)
    ((), 300, 7, False),  # gcd 1: 300 blocks per frame (the framed-rows path)
    (
        (2,),
        1024,
        256,
        True,
    ),  # whole zero blocks of padding (rms: block sums of x), partial last block
]


@pytest.mark.parametrize("config", FRAME_CONFIGS, ids=_config_id)
@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_rms_waveform_matches_librosa(config, pad_mode):
    lead, frame_length, hop, center = config
    x = _signal(lead)
    kw = dict(frame_length=frame_length, hop_length=hop, center=center, pad_mode=pad_mode)
    check_parity(
        lambda s: mlxdsp.rms(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.rms(y=x, dtype=np.float64, **kw),
        dtype=mx.float32,
        what=f"rms {_config_id(config)} {pad_mode}",
    )


@pytest.mark.parametrize("frame_length", [400, 401])
@pytest.mark.parametrize("complex_input", [False, True])
def test_rms_S_matches_librosa(frame_length, complex_input):
    D = librosa.stft(_signal((2,)), n_fft=frame_length, hop_length=100, window="boxcar")
    S = D if complex_input else np.abs(D)
    expected = librosa.feature.rms(S=S, frame_length=frame_length, dtype=np.float64)
    S_in = mx.array(S.astype(np.complex64 if complex_input else np.float32))
    check_parity(
        lambda s: mlxdsp.rms(S=s, frame_length=frame_length),
        (S_in,),
        expected,
        dtype=mx.float32,
        what=f"rms S= frame_length={frame_length} complex={complex_input}",
    )


@pytest.mark.parametrize("config", FRAME_CONFIGS, ids=_config_id)
def test_zero_crossing_rate_matches_librosa(config):
    lead, frame_length, hop, center = config
    x = _signal(lead)
    x[..., 100:140] = 0.0  # exact zeros count as positive
    x[..., 200:220] = 1e-12  # below the threshold: zero
    kw = dict(frame_length=frame_length, hop_length=hop, center=center)
    check_parity(
        lambda s: mlxdsp.zero_crossing_rate(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.zero_crossing_rate(x, **kw),
        dtype=mx.float32,
        what=f"zero_crossing_rate {_config_id(config)}",
    )


def test_zero_crossing_rate_threshold_matches_librosa():
    x = _signal((2,))
    kw = dict(frame_length=256, hop_length=64)
    check_parity(
        lambda s: mlxdsp.zero_crossing_rate(s, threshold=0.2, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.zero_crossing_rate(x, threshold=0.2, **kw),
        dtype=mx.float32,
        what="zero_crossing_rate threshold=0.2",
    )


# ------------------------------------------------------------------------------------------------
# poly_features: float32 against np.polyfit in float64 (librosa). Measured worst rel_err ~1e-6 for
# orders 0-4; the tolerance stays the library's 1e-5.


@pytest.mark.parametrize("kind", ["music", "speech"])
@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
def test_poly_features_waveform_matches_librosa(kind, order):
    x = (music_like if kind == "music" else speech_like)((2,), n=22050, sr=22050)
    kw = dict(sr=22050, order=order)
    check_parity(
        lambda s: poly_features(s, **kw),
        (mx.array(x.astype(np.float32)),),
        librosa.feature.poly_features(y=x, **kw),
        dtype=mx.float32,
        what=f"poly_features {kind} order={order}",
    )


def test_poly_features_S_and_freq_match_librosa():
    S = np.abs(librosa.stft(_signal((2, 3), seed=2), n_fft=400, hop_length=100))
    freq = np.linspace(50.0, 7000.0, S.shape[-2]) ** 1.1
    for kw in (dict(order=2), dict(order=3, freq=freq)):
        check_parity(
            lambda s, kw=kw: poly_features(S=s, sr=SR, **kw),
            (mx.array(S.astype(np.float32)),),
            librosa.feature.poly_features(S=S, sr=SR, **kw),
            dtype=mx.float32,
            what=f"poly_features S= {sorted(kw)}",
        )


@given(
    n_fft=st.integers(16, 1024),
    hop=st.integers(16, 512),
    order=st.integers(0, 3),
    sr=st.sampled_from([8000, 16000, 22050, 44100]),
    center=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_property_poly_features_matches_librosa(n_fft, hop, order, sr, center, seed):
    x = music_like(n=4096, sr=sr, seed=seed)
    kw = dict(sr=sr, n_fft=n_fft, hop_length=hop, order=order, center=center)
    expected = librosa.feature.poly_features(y=x, **kw)
    got = poly_features(mx.array(x.astype(np.float32)), **kw)
    assert got.shape == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-5


# ------------------------------------------------------------------------------------------------
# Errors

X = mx.zeros(1000)
S2 = mx.ones((129, 5))


@pytest.mark.parametrize(
    "call,match",
    [
        (
            lambda: mlxdsp.spectral_rolloff(X, roll_percent=1.5),
            r"\[spectral_rolloff\] roll_percent=1\.5 must be <= 1\.0",
        ),
        (
            lambda: mlxdsp.spectral_rolloff(X, roll_percent=0.0),
            r"\[spectral_rolloff\] roll_percent=0\.0 must be > 0\.0",
        ),
        (
            lambda: mlxdsp.spectral_centroid(),
            r"\[spectral_centroid\] pass a waveform x or a spectrogram S=",
        ),
        (
            lambda: mlxdsp.spectral_centroid(X, S=S2),
            r"\[spectral_centroid\] pass either a waveform x or a spectrogram S=, not both",
        ),
        (
            lambda: mlxdsp.spectral_centroid(X, sr=0),
            r"\[spectral_centroid\] sr=0\.0 must be > 0\.0",
        ),
        (
            lambda: mlxdsp.spectral_centroid(S=mx.ones(5)),
            r"\[spectral_centroid\] S\.shape=\(5,\) must have at least 2 dims",
        ),
        (
            lambda: mlxdsp.spectral_bandwidth(X, p=0),
            r"\[spectral_bandwidth\] p=0\.0 must be > 0\.0",
        ),
        (
            lambda: mlxdsp.spectral_bandwidth(X, norm=1),
            r"\[spectral_bandwidth\] norm=1 must be a bool",
        ),
        (
            lambda: mlxdsp.spectral_contrast(X, quantile=1.0),
            r"\[spectral_contrast\] quantile=1\.0 must be < 1\.0",
        ),
        (
            lambda: mlxdsp.spectral_contrast(X, n_bands=0),
            r"\[spectral_contrast\] n_bands=0 must be a positive int",
        ),
        (
            lambda: mlxdsp.spectral_contrast(X, sr=8000, n_bands=6),
            r"\[spectral_contrast\] fmin=200\.0 \* 2 \*\* n_bands=6 exceeds the Nyquist frequency 4000\.0",
        ),
        (
            lambda: mlxdsp.spectral_contrast(X, sr=16000, n_fft=64),
            r"\[spectral_contrast\] band 0 \(0-200 Hz\) holds no FFT bin",
        ),
        (
            lambda: mlxdsp.spectral_flatness(X, amin=0.0),
            r"\[spectral_flatness\] amin=0\.0 must be > 0\.0",
        ),
        (
            lambda: mlxdsp.spectral_flatness(X, power=-1),
            r"\[spectral_flatness\] power=-1\.0 must be > 0\.0",
        ),
        (
            lambda: mlxdsp.spectral_flatness(X, n_fft=0),
            r"\[spectral_flatness\] n_fft=0 must be a positive int",
        ),
        (
            lambda: mlxdsp.rms(S=S2, frame_length=512),
            r"\[rms\] S\.shape\[-2\]=129 must be frame_length // 2 \+ 1 = 257",
        ),
        (lambda: mlxdsp.rms(), r"\[rms\] pass a waveform x or a spectrogram S="),
        (lambda: mlxdsp.rms(X, frame_length=0), r"\[rms\] frame_length=0 must be a positive int"),
        (lambda: mlxdsp.rms(X, pad_mode="wrap"), r"\[rms\] pad_mode='wrap' must be one of"),
        (lambda: mlxdsp.rms(X, hop_length=0), r"\[rms\] hop_length=0 must be a positive int"),
        (
            lambda: mlxdsp.zero_crossing_rate(X, threshold=-1.0),
            r"\[zero_crossing_rate\] threshold=-1\.0 must be >= 0\.0",
        ),
        (
            lambda: mlxdsp.zero_crossing_rate(X, center=1),
            r"\[zero_crossing_rate\] center=1 must be a bool",
        ),
        (
            lambda: mlxdsp.zero_crossing_rate(mx.zeros(10), center=False),
            r"\[zero_crossing_rate\] input length 10 is shorter than the frame length 2048",
        ),
        (
            lambda: poly_features(X, order=-1),
            r"\[poly_features\] order=-1 must be a non-negative int",
        ),
        (
            lambda: poly_features(S=S2, freq=np.ones(5)),
            r"\[poly_features\] freq\.shape=\(5,\) must be \(S\.shape\[-2\],\) = \(129,\)",
        ),
        (lambda: poly_features(), r"\[poly_features\] pass a waveform x or a spectrogram S="),
        (
            lambda: poly_features(S=mx.ones((1, 4))),
            r"\[poly_features\] S\.shape\[-2\]=1 must be at least 2 \(or pass freq=\)",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


@pytest.mark.parametrize("kind", ["random", "ties", "silence", "two values"])
@pytest.mark.parametrize(
    "n,q", [(5, 2), (7, 3), (74, 2), (149, 3), (20, 6), (100, 4), (297, 6), (431, 9), (96, 4)]
)
def test_contrast_mean_of_extremes_matches_numpy_sort(n, q, kind):
    """spectral_contrast's peak/valley selection (q exact passes for small q, partition beyond, after
    the group filter for wide bands: (100, 4), (297, 6), (431, 9), (96, 4) with no remainder) against
    the mean of NumPy's sorted ends, ties and all-equal (silent) bands included."""
    from mlxdsp._descriptors import _mean_of_extremes

    rng = np.random.default_rng(n * 10 + q)
    v = rng.random((40, n))
    if kind == "ties":
        v = np.round(v * 3) / 3
    elif kind == "silence":
        v[:] = 0.0
    elif kind == "two values":
        v = np.where(v < 0.5, 0.25, 0.75)
    v = v.astype(np.float32)
    ordered = np.sort(v.astype(np.float64), axis=-1)
    for largest, expected in ((False, ordered[:, :q]), (True, ordered[:, n - q :])):
        got = _mean_of_extremes(mx.array(v), q, largest=largest)
        assert got.shape == (40,) and got.dtype == mx.float32
        assert rel_err(np.array(got), expected.mean(axis=-1)) <= 1e-6


# --- one long row: frame pieces on two CPU streams --------------------------------------------------

# 300000 samples: 587 frames of 2048 every 512, above _parallel.MIN_SAMPLES, so a single row is split
# into pieces of frames alternating over two CPU streams (_frame_pieces.frame_plan).
_LONG = dict(n=300_000, sr=22050)
_PIECEWISE_FNS = [
    ("spectral_centroid", {"sr": 22050}),
    ("spectral_bandwidth", {"sr": 22050}),
    ("spectral_flatness", {}),
    ("spectral_contrast", {"sr": 22050}),
    ("poly_features", {"sr": 22050, "order": 2}),
]


def _call(name, x, **opts):
    fn = poly_features if name == "poly_features" else getattr(mlxdsp, name)
    return fn(x, **opts)


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize("name,opts", _PIECEWISE_FNS, ids=[n for n, _ in _PIECEWISE_FNS])
def test_long_row_in_frame_pieces_matches_librosa(name, opts, pad_mode):
    x = music_like(**_LONG) + 0.3 * speech_like(**_LONG, seed=1)
    expected = getattr(librosa.feature, name)(y=x, pad_mode=pad_mode, **opts)
    check_parity(
        lambda s: _call(name, s, pad_mode=pad_mode, **opts),
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"{name} long row pad_mode={pad_mode}",
    )


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge"])
@pytest.mark.parametrize(
    "name,opts", [*_PIECEWISE_FNS, ("spectral_rolloff", {"sr": 22050})], ids=lambda v: str(v)
)
def test_long_row_frame_pieces_are_bit_identical_to_one_stft(name, opts, pad_mode, monkeypatch):
    """Pieces are the un-centred STFTs of stretches of the padded signal: the same numbers as one STFT
    of the whole row (MLXDSP_CPU_STREAMS=0 below 1.5 pieces' worth of frames takes that path)."""
    from mlxdsp._frame_pieces import frame_plan

    x = mx.array((music_like(**_LONG) + 0.3 * speech_like(**_LONG, seed=1)).astype(np.float32))
    assert len(frame_plan(x, 2048, 512, None, True)[-1]) == 2
    pieces = _call(name, x, pad_mode=pad_mode, **opts)
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert frame_plan(x, 2048, 512, None, True) is None
    whole = _call(name, x, pad_mode=pad_mode, **opts)
    assert pieces.shape == whole.shape and pieces.dtype == whole.dtype
    assert np.array_equal(np.array(pieces), np.array(whole))


@pytest.mark.parametrize("mode", ["constant", "reflect", "edge"])
def test_padded_slice_matches_padding_the_whole_signal(mode):
    from mlxdsp._frame_pieces import padded_slice
    from mlxdsp._frames import pad_signal

    x = mx.array(np.arange(1.0, 41.0, dtype=np.float32))
    left, right = 9, 12
    padded = np.array(pad_signal("stft", x, left, right, mode))
    for a in range(0, padded.size, 3):
        for b in range(a + 1, padded.size + 1, 5):
            got = np.array(padded_slice(x, a, b, left, right, mode))
            assert np.array_equal(got, padded[a:b]), (a, b)


def test_log_from_bits_matches_numpy_log():
    """spectral_flatness's logarithm (exponent bits + atanh series) against float64 NumPy over float32's
    normal range, the series' interval ends included."""
    from mlxdsp._fastmath import fast_log

    rng = np.random.default_rng(3)
    v = np.exp(rng.uniform(-87.0, 88.0, 200_000)).astype(np.float32)
    edges = [1.0, 2.0, 0.5, np.sqrt(0.5), np.sqrt(2.0), np.finfo(np.float32).smallest_normal]
    v = np.concatenate([v, np.float32(edges), np.nextafter(np.float32(edges), np.float32(0))])
    got = fast_log(mx.array(v))
    assert got.shape == v.shape and got.dtype == mx.float32
    expected = np.log(v.astype(np.float64))
    assert np.max(np.abs(np.array(got) - expected) / np.maximum(np.abs(expected), 1.0)) <= 2e-7
    # zero counts as the smallest normal number
    tiny = np.finfo(np.float32).smallest_normal
    zero, smallest = np.array(fast_log(mx.array(np.float32([0.0, tiny]))))
    assert zero == smallest and abs(smallest - np.log(np.float64(tiny))) <= 1e-5


def test_spectral_flatness_propagates_nan_per_frame():
    S = np.abs(librosa.stft(_signal((), seed=2), n_fft=256, hop_length=64)).astype(np.float32)
    S[10, 4] = np.nan
    got = np.array(mlxdsp.spectral_flatness(S=mx.array(S)))
    assert np.isnan(got[0, 4]) and not np.isnan(np.delete(got, 4, axis=-1)).any()


@pytest.mark.parametrize("name,opts", [*_PIECEWISE_FNS, ("spectral_rolloff", {"sr": 22050})])
def test_long_S_in_frame_pieces_matches_one_call(name, opts, monkeypatch):
    """A given spectrogram of >= _parallel.MIN_SAMPLES values: pieces of frames on two CPU streams, the
    same numbers as one call on the whole (MLXDSP_CPU_STREAMS=0) and librosa's."""
    S = np.abs(librosa.stft(music_like(n=300_000, sr=22050), n_fft=1024, hop_length=256))
    S[:, 7] = 0.0  # a silent frame
    assert S.size >= 1 << 18
    fn = poly_features if name == "poly_features" else getattr(mlxdsp, name)
    x = mx.array(S.astype(np.float32))
    pieces = fn(S=x, **opts)
    if name != "spectral_rolloff":  # a step function of float32 sums: compared with itself only
        expected = getattr(librosa.feature, name)(S=S, **opts)
        assert rel_err(np.array(pieces), expected) <= 1e-5
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    whole = fn(S=x, **opts)
    assert pieces.shape == whole.shape and pieces.dtype == whole.dtype
    assert np.array_equal(np.array(pieces), np.array(whole))
