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
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp._chroma import (
    _chroma_basis_f64,
    _cq_to_chroma_f64,
    chroma_cens,
    chroma_cqt,
    cq_to_chroma,
)
from tests.cases.chroma import music_like, reference_cqt_magnitude, speech_like
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


# --------------------------------------------------------------------------------------------------
# Constant-Q chroma: cq_to_chroma, chroma_cqt, chroma_cens (librosa 0.11, float64 reference input).
# The C= inputs are |librosa.cqt| of a music-like and a speech-like signal (tests/cases/chroma.py).


CQ_SR = 22050


@pytest.mark.parametrize(
    "n_input,bins_per_octave,n_chroma,fmin,window,base_c",
    [
        (84, 12, 12, None, None, True),
        (252, 36, 12, None, None, True),
        (250, 36, 12, 55.0, None, False),
        (100, 24, 24, 30.0, (0.2, 1.0, 0.5), True),
        (7, 36, 12, None, (1.0, 2.0, 3.0, 4.0), True),
        (90, 36, 6, 441.3, tuple(np.hanning(7)), False),
        (13, 3, 3, 20.0, None, True),
    ],
)
def test_cq_to_chroma_matches_librosa(n_input, bins_per_octave, n_chroma, fmin, window, base_c):
    expected = librosa.filters.cq_to_chroma(
        n_input,
        bins_per_octave=bins_per_octave,
        n_chroma=n_chroma,
        fmin=fmin,
        window=None if window is None else np.array(window),
        base_c=base_c,
        dtype=np.float64,
    )
    got = _cq_to_chroma_f64(n_input, bins_per_octave, n_chroma, fmin, window, base_c)
    assert got.shape == expected.shape and got.dtype == np.float64
    assert rel_err(got, expected) <= 1e-12
    public = cq_to_chroma(
        n_input,
        bins_per_octave=bins_per_octave,
        n_chroma=n_chroma,
        fmin=fmin,
        window=None if window is None else list(window),
        base_c=base_c,
    )
    assert public.shape == expected.shape and public.dtype == mx.float32
    assert rel_err(np.array(public), expected) <= 1e-7


@given(
    n_chroma=st.sampled_from([3, 6, 12, 24]),
    n_merge=st.integers(1, 4),
    n_input=st.integers(1, 300),
    fmin=st.one_of(st.none(), st.floats(8.0, 4000.0)),
    window=st.one_of(st.none(), st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=9)),
    base_c=st.booleans(),
)
def test_cq_to_chroma_matches_librosa_drawn(n_chroma, n_merge, n_input, fmin, window, base_c):
    bpo = n_chroma * n_merge
    expected = librosa.filters.cq_to_chroma(
        n_input,
        bins_per_octave=bpo,
        n_chroma=n_chroma,
        fmin=fmin,
        window=None if window is None else np.array(window),
        base_c=base_c,
        dtype=np.float64,
    )
    got = _cq_to_chroma_f64(
        n_input, bpo, n_chroma, fmin, None if window is None else tuple(window), base_c
    )
    assert got.shape == expected.shape
    assert rel_err(got, expected) <= 1e-12


def _cq_input(kinds, n_bins, bins_per_octave, fmin=None):
    C = np.stack(
        [reference_cqt_magnitude(k, CQ_SR, 3.0, n_bins, bins_per_octave, fmin) for k in kinds]
    )
    return C if len(kinds) > 1 else C[0]


# (signals, n_bins, bins_per_octave, options beyond norm)
CQT_CONFIGS = [
    (("music",), 252, 36, {}),
    (("speech",), 252, 36, {}),
    (("music", "speech"), 84, 12, dict(bins_per_octave=12, threshold=0.2)),
    (("music",), 168, 24, dict(bins_per_octave=24, n_chroma=24, fmin=55.0)),
    (("speech",), 100, 36, dict(window=[0.25, 0.5, 1.0, 0.5, 0.25])),
    (("music", "speech"), 216, 36, dict(n_chroma=6, fmin=40.0)),
    (("speech",), 84, 12, dict(bins_per_octave=None)),
]


@pytest.mark.parametrize("norm", [math.inf, 1, 2, None], ids=["inf", "1", "2", "None"])
@pytest.mark.parametrize(
    "config", CQT_CONFIGS, ids=lambda c: f"{'+'.join(c[0])},n_bins={c[1]},{sorted(c[3])}"
)
def test_chroma_cqt_C_matches_librosa(config, norm):
    kinds, n_bins, bpo, opts = config
    fmin = opts.get("fmin")
    C = _cq_input(kinds, n_bins, bpo, fmin)
    ref_opts = {k: np.array(v) if k == "window" else v for k, v in opts.items()}
    check_parity(
        lambda c: chroma_cqt(C=c, sr=CQ_SR, norm=norm, **opts),
        (mx.array(C.astype(np.float32)),),
        librosa.feature.chroma_cqt(C=C, sr=CQ_SR, norm=norm, **ref_opts),
        dtype=mx.float32,
        what=f"chroma_cqt C= {kinds} {opts} norm={norm}",
    )


@given(
    n_chroma=st.sampled_from([6, 12, 24]),
    n_merge=st.integers(1, 3),
    n_bins=st.integers(1, 260),
    fmin=st.one_of(st.none(), st.floats(20.0, 500.0)),
    norm=st.sampled_from([math.inf, 1, 2, 3.5, None]),
    threshold=st.one_of(st.none(), st.floats(0.0, 1.0)),
    window=st.one_of(st.none(), st.lists(st.floats(0.0, 2.0), min_size=1, max_size=5)),
    lead=st.sampled_from([(), (2,), (1, 2)]),
    seed=st.integers(0, 2**16),
)
def test_chroma_cqt_C_matches_librosa_drawn(
    n_chroma, n_merge, n_bins, fmin, norm, threshold, window, lead, seed
):
    C = np.random.default_rng(seed).uniform(0.0, 1.0, (*lead, n_bins, 7)) ** 3
    opts = dict(
        n_chroma=n_chroma,
        bins_per_octave=n_chroma * n_merge,
        fmin=fmin,
        norm=norm,
        threshold=threshold,
    )
    ref_window = None if window is None else np.array(window)
    expected = librosa.feature.chroma_cqt(C=C, window=ref_window, **opts)
    got = chroma_cqt(C=mx.array(C.astype(np.float32)), window=window, **opts)
    assert got.shape == expected.shape and got.dtype == mx.float32
    # A value within float32 rounding of the threshold may land on either side: its frame is left out
    # of the comparison (the threshold is a documented step, not an accuracy question).
    keep = np.ones(expected.shape[:-2] + (1,) + expected.shape[-1:], dtype=bool)
    if threshold is not None:
        raw = librosa.feature.chroma_cqt(
            C=C, window=ref_window, **{**opts, "norm": None, "threshold": None}
        )
        keep = ~np.any(
            np.abs(raw - threshold) <= 1e-5 * max(1.0, threshold), axis=-2, keepdims=True
        )
    m = np.broadcast_to(keep, expected.shape)
    assert rel_err(np.array(got)[m], expected[m]) <= 1e-5


def _cens_comparable(C, win_len_smooth, **chroma_opts):
    """Frames of chroma_cens that no near-threshold quantization can touch, [..., 1, n_frames].

    CENS quantizes the L1-normalized chroma with thresholds 0.4, 0.2, 0.1, 0.05; a value within float32
    rounding of one may land on either side in float32, and the smoothing spreads that over
    ``win_len_smooth + 2`` frames. Those frames are a documented step, not an accuracy question.
    """
    chroma = librosa.feature.chroma_cqt(C=C, norm=1, **chroma_opts)
    near = np.zeros(chroma.shape[:-2] + chroma.shape[-1:], dtype=bool)
    for t in (0.4, 0.2, 0.1, 0.05):
        near |= np.any(np.abs(chroma - t) <= 1e-5, axis=-2)
    reach = 0 if win_len_smooth is None else (win_len_smooth + 2) // 2 + 1
    touched = near.copy()
    for shift in range(1, reach + 1):
        touched[..., shift:] |= near[..., :-shift]
        touched[..., :-shift] |= near[..., shift:]
    return ~touched[..., None, :]


CENS_CONFIGS = [
    (("music",), 252, 36, {}),
    (("speech",), 252, 36, dict(win_len_smooth=None)),
    (("music", "speech"), 84, 12, dict(bins_per_octave=12, win_len_smooth=10, norm=1)),
    (("music",), 168, 24, dict(bins_per_octave=24, n_chroma=24, smoothing_window=("kaiser", 4.0))),
    (("speech",), 252, 36, dict(win_len_smooth=4, norm=math.inf, smoothing_window="hamming")),
]


@pytest.mark.parametrize("config", CENS_CONFIGS, ids=lambda c: f"{'+'.join(c[0])},{sorted(c[3])}")
def test_chroma_cens_C_matches_librosa(config):
    kinds, n_bins, bpo, opts = config
    C = _cq_input(kinds, n_bins, bpo)
    chroma_opts = {k: v for k, v in opts.items() if k in ("bins_per_octave", "n_chroma")}
    mask = _cens_comparable(C, opts.get("win_len_smooth", 41), **chroma_opts)
    assert mask.mean() >= 0.8, f"only {mask.mean():.0%} of the frames are comparable"
    check_parity(
        lambda c: chroma_cens(C=c, sr=CQ_SR, **opts),
        (mx.array(C.astype(np.float32)),),
        librosa.feature.chroma_cens(C=C, sr=CQ_SR, **opts),
        dtype=mx.float32,
        what=f"chroma_cens C= {kinds} {opts}",
        mask=mask,
    )


@given(
    n_chroma=st.sampled_from([6, 12, 24]),
    n_merge=st.integers(1, 3),
    n_bins=st.integers(1, 200),
    n_frames=st.integers(1, 60),
    win_len_smooth=st.one_of(st.none(), st.integers(1, 50)),
    smoothing_window=st.sampled_from(
        ["hann", "hamming", "boxcar", ("kaiser", 6.0), ("tukey", 0.3)]
    ),
    norm=st.sampled_from([math.inf, 1, 2, None]),
    lead=st.sampled_from([(), (2,)]),
    seed=st.integers(0, 2**16),
)
def test_chroma_cens_C_matches_librosa_drawn(
    n_chroma, n_merge, n_bins, n_frames, win_len_smooth, smoothing_window, norm, lead, seed
):
    C = np.random.default_rng(seed).uniform(0.0, 1.0, (*lead, n_bins, n_frames)) ** 4
    bpo = n_chroma * n_merge
    opts = dict(n_chroma=n_chroma, bins_per_octave=bpo, norm=norm, win_len_smooth=win_len_smooth)
    expected = librosa.feature.chroma_cens(C=C, smoothing_window=smoothing_window, **opts)
    got = chroma_cens(C=mx.array(C.astype(np.float32)), smoothing_window=smoothing_window, **opts)
    assert got.shape == expected.shape and got.dtype == mx.float32
    mask = np.broadcast_to(
        _cens_comparable(C, win_len_smooth, n_chroma=n_chroma, bins_per_octave=bpo), expected.shape
    )
    assert rel_err(np.array(got)[mask], expected[mask]) <= 1e-5


# --------------------------------------------------------------------------------------------------
# Waveform input: mlxdsp's chroma of its own cqt (mlxdsp._cqt) against librosa's chroma of librosa.cqt
# (float64 input, tuning=0.0). The tolerance is cqt's against librosa (1e-4 relative in librosa's
# default configuration, the bar), not the chroma map's.

WAVE_RTOL = 1e-4

WAVE_CONFIGS = [
    (("music",), {}),
    (("speech",), {}),
    (("music", "speech"), dict(bins_per_octave=12, n_octaves=6, hop_length=256, fmin=55.0, norm=2)),
    (("speech",), dict(n_chroma=24, bins_per_octave=24, norm=1, threshold=0.05)),
    (("music", "speech"), dict(cqt_mode="hybrid", norm=None)),
]


def _waveforms(kinds, seconds=3.0):
    ys = [(music_like if k == "music" else speech_like)(CQ_SR, seconds) for k in kinds]
    return np.stack(ys) if len(ys) > 1 else ys[0]


@pytest.mark.parametrize("config", WAVE_CONFIGS, ids=lambda c: f"{'+'.join(c[0])},{sorted(c[1])}")
def test_chroma_cqt_waveform_matches_librosa(config):
    kinds, opts = config
    y = _waveforms(kinds)
    check_parity(
        lambda x: chroma_cqt(x, sr=CQ_SR, **opts),
        (mx.array(y.astype(np.float32)),),
        librosa.feature.chroma_cqt(y=y, sr=CQ_SR, tuning=0.0, **opts),
        dtype=mx.float32,
        what=f"chroma_cqt waveform {kinds} {opts}",
        rtol=WAVE_RTOL,
    )


@pytest.mark.parametrize("kind", ["music", "speech"])
def test_chroma_cens_waveform_matches_librosa(kind):
    y = _waveforms((kind,))
    C = reference_cqt_magnitude(kind, CQ_SR, 3.0, 252, 36)
    mask = _cens_comparable(C, 41)  # librosa's chroma of the same |librosa.cqt| locates the steps
    assert mask.mean() >= 0.8, f"only {mask.mean():.0%} of the frames are comparable"
    check_parity(
        lambda x: chroma_cens(x, sr=CQ_SR),
        (mx.array(y.astype(np.float32)),),
        librosa.feature.chroma_cens(y=y, sr=CQ_SR, tuning=0.0),
        dtype=mx.float32,
        what=f"chroma_cens waveform {kind}",
        rtol=WAVE_RTOL,
        mask=mask,
    )


CQ = mx.ones((36, 4))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: chroma_cqt(), r"\[chroma_cqt\] pass a waveform x or a constant-Q spectrogram C="),
        (
            lambda: chroma_cqt(X, C=CQ),
            r"\[chroma_cqt\] pass either a waveform x or a constant-Q spectrogram C=, not both",
        ),
        (
            lambda: chroma_cqt(C=CQ, bins_per_octave=30),
            r"\[chroma_cqt\] bins_per_octave=30 must be an integer multiple of n_chroma=12",
        ),
        (
            lambda: chroma_cqt(C=CQ, bins_per_octave=0),
            r"\[chroma_cqt\] bins_per_octave=0 must be a positive int",
        ),
        (lambda: chroma_cqt(C=CQ, n_chroma=0), r"\[chroma_cqt\] n_chroma=0 must be a positive int"),
        (lambda: chroma_cqt(C=CQ, norm=-1), r"\[chroma_cqt\] norm=-1\.0 must be > 0\.0"),
        (lambda: chroma_cqt(C=CQ, fmin=0), r"\[chroma_cqt\] fmin=0\.0 must be > 0\.0"),
        (
            lambda: chroma_cqt(C=CQ, threshold="a"),
            r"\[chroma_cqt\] threshold='a' must be a real number",
        ),
        (
            lambda: chroma_cqt(C=CQ, tuning=None),
            r"\[chroma_cqt\] tuning=None must be a real number",
        ),
        (
            lambda: chroma_cqt(C=CQ, n_octaves=0),
            r"\[chroma_cqt\] n_octaves=0 must be a positive int",
        ),
        (
            lambda: chroma_cqt(C=CQ, hop_length=0),
            r"\[chroma_cqt\] hop_length=0 must be a positive int",
        ),
        (lambda: chroma_cqt(C=CQ, sr=0), r"\[chroma_cqt\] sr=0\.0 must be > 0\.0"),
        (
            lambda: chroma_cqt(C=CQ, cqt_mode="fast"),
            r"\[chroma_cqt\] cqt_mode='fast' must be one of 'full', 'hybrid'",
        ),
        (
            lambda: chroma_cqt(C=CQ, window=mx.ones(3)),
            r"\[chroma_cqt\] window must be None or a non-empty 1-D NumPy array, list or tuple of "
            r"finite numbers \(got array\)",
        ),
        (
            lambda: chroma_cqt(C=CQ, window=[[1.0]]),
            r"\[chroma_cqt\] window must be None .* \(got list\)",
        ),
        (
            lambda: chroma_cqt(C=CQ, window=[]),
            r"\[chroma_cqt\] window must be None .* \(got list\)",
        ),
        (
            lambda: chroma_cqt(C=CQ, window=["a"]),
            r"\[chroma_cqt\] window must be None .* \(got list\)",
        ),
        (
            lambda: chroma_cqt(C=CQ, window=[np.nan]),
            r"\[chroma_cqt\] window must be None .* \(got list\)",
        ),
        (
            lambda: chroma_cqt(C=mx.ones(36)),
            r"\[chroma_cqt\] C\.shape=\(36,\) must have at least 2 dims",
        ),
        (
            lambda: chroma_cqt(C=mx.ones((36, 4), dtype=mx.complex64)),
            r"\[chroma_cqt\] C\.dtype=mlx\.core\.complex64 must be real floating",
        ),
        (
            lambda: chroma_cens(C=CQ, win_len_smooth=0),
            r"\[chroma_cens\] win_len_smooth=0 must be a positive int",
        ),
        (lambda: chroma_cens(C=CQ, norm=0), r"\[chroma_cens\] norm=0\.0 must be > 0\.0"),
        (
            lambda: chroma_cens(C=CQ, smoothing_window="nope"),
            r"\[chroma_cens\] smoothing_window='nope' must be one of 'hann', ",
        ),
        (
            lambda: chroma_cens(),
            r"\[chroma_cens\] pass a waveform x or a constant-Q spectrogram C=",
        ),
        (
            lambda: chroma_cens(C=CQ, bins_per_octave=13),
            r"\[chroma_cens\] bins_per_octave=13 must be an integer multiple of n_chroma=12",
        ),
        (lambda: cq_to_chroma(0), r"\[cq_to_chroma\] n_input=0 must be a positive int"),
        (
            lambda: cq_to_chroma(10, bins_per_octave=18),
            r"\[cq_to_chroma\] bins_per_octave=18 must be an integer multiple of n_chroma=12",
        ),
        (lambda: cq_to_chroma(10, base_c=None), r"\[cq_to_chroma\] base_c=None must be a bool"),
        (lambda: cq_to_chroma(10, fmin=-3), r"\[cq_to_chroma\] fmin=-3\.0 must be > 0\.0"),
    ],
)
def test_cq_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_chroma_stft_long_row_in_frame_pieces(pad_mode, monkeypatch):
    """300000 samples (587 frames): pieces of frames on two CPU streams. Parity with librosa, and the
    same numbers as one STFT of the whole row."""
    x = music_like(22050, 300_000 / 22050) + 0.3 * speech_like(22050, 300_000 / 22050)
    opts = dict(sr=22050, tuning=0.0, pad_mode=pad_mode)
    expected = librosa.feature.chroma_stft(y=x, **opts)
    xs = mx.array(x.astype(np.float32))
    check_parity(
        lambda s: mlxdsp.chroma_stft(s, **opts), (xs,), expected, dtype=mx.float32,
        what=f"chroma_stft long row pad_mode={pad_mode}",
    )  # fmt: skip
    pieces = mlxdsp.chroma_stft(xs, **opts)
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert np.array_equal(np.array(pieces), np.array(mlxdsp.chroma_stft(xs, **opts)))


def test_chroma_stft_long_S_in_frame_pieces(monkeypatch):
    """A power spectrogram of >= _parallel.MIN_SAMPLES values: pieces of frames on two CPU streams, the
    same numbers as one projection of the whole and librosa's."""
    y = music_like(22050, 300_000 / 22050)
    P = np.abs(librosa.stft(y, n_fft=1024, hop_length=256)) ** 2
    assert P.size >= 1 << 18
    expected = librosa.feature.chroma_stft(S=P, sr=22050, tuning=0.0)
    x = mx.array(P.astype(np.float32))
    pieces = mlxdsp.chroma_stft(S=x, sr=22050)
    assert rel_err(np.array(pieces), expected) <= 1e-5
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert np.array_equal(np.array(pieces), np.array(mlxdsp.chroma_stft(S=x, sr=22050)))
