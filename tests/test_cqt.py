"""Constant-Q family: parity with librosa 0.11 (float64 input to librosa, float32 to mlxdsp), eagerly and
under mx.compile; the filter design against librosa's own builders; the soxr_hq emulation against live
soxr; errors pinned.

librosa's tuning default for cqt/vqt is 0.0 already; every reference call states its options.
"""

from __future__ import annotations

import math
import warnings

import librosa
import mlx.core as mx
import numpy as np
import pytest
import soxr
from hypothesis import assume, given
from hypothesis import strategies as st
from librosa.core import constantq as librosa_cq

import mlxdsp
import mlxdsp._cqt
from mlxdsp import _cqt_filters
from mlxdsp._cqt import (
    _soxr_halve,
    _soxr_upsample,
    cqt,
    cqt_frequencies,
    hybrid_cqt,
    icqt,
    pseudo_cqt,
    vqt,
)
from mlxdsp._window import _parse
from tests.cases.cqt import music_like, speech_like
from tests.cases.spectral import check_parity, rel_err


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa's "n_fft too large" on short low octaves
        return fn(*args, **kw)


# ----------------------------------------------------------------------------------------------------
# Filter design
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tuning", [0.0, 0.25, -0.4])
def test_cqt_frequencies_matches_librosa(tuning):
    expected = librosa.cqt_frequencies(30, fmin=55.0, bins_per_octave=7, tuning=tuning)
    got = cqt_frequencies(30, fmin=55.0, bins_per_octave=7, tuning=tuning)
    assert got.shape == (30,) and got.dtype == mx.float32
    assert rel_err(np.array(got), expected) <= 1e-7


@pytest.mark.parametrize(
    "sr,fmin,n_bins,bpo,window,filter_scale,norm,sparsity,gamma",
    [
        (22050, 32.70319566257483, 12, 12, "hann", 1.0, 1.0, 0.01, 0.0),
        (16000, 100.0, 24, 24, "hamming", 0.6, 2.0, 0.05, 0.0),
        (44100, 60.0, 7, 7, ("kaiser", 6.0), 1.5, math.inf, 0.0, None),
        (22050, 200.0, 12, 12, "blackman", 1.0, None, 0.01, 3.0),
    ],
)
def test_filter_fft_matches_librosa(
    sr, fmin, n_bins, bpo, window, filter_scale, norm, sparsity, gamma
):
    freqs = _cqt_filters.equal_frequencies_np(n_bins, fmin, bpo)
    alpha = _cqt_filters.relative_bandwidth(freqs, bpo)
    np.testing.assert_allclose(alpha, librosa.filters._relative_bandwidth(freqs=freqs), rtol=1e-12)
    lib_window = window if isinstance(window, str) else window
    name = (window, None) if isinstance(window, str) else window
    lengths, cutoff = _cqt_filters.wavelet_lengths(freqs, alpha, sr, name, filter_scale, gamma)
    ref_lengths, ref_cutoff = librosa.filters.wavelet_lengths(
        freqs=freqs, sr=sr, window=lib_window, filter_scale=filter_scale, gamma=gamma, alpha=alpha
    )
    np.testing.assert_allclose(lengths, ref_lengths, rtol=1e-12)
    assert cutoff == pytest.approx(ref_cutoff, rel=1e-12)
    filter_fft = getattr(librosa_cq, "__vqt_filter_fft")
    ref, ref_n_fft, _ = filter_fft(
        sr,
        freqs,
        filter_scale,
        norm,
        sparsity,
        window=lib_window,
        gamma=gamma,
        dtype=np.complex128,
        alpha=alpha,
    )
    got, n_fft, _ = _cqt_filters.filter_fft(
        sr, freqs, alpha, name, filter_scale, norm, sparsity, gamma
    )
    assert n_fft == ref_n_fft
    ref = ref.toarray()
    assert np.array_equal(got != 0, ref != 0), "sparsity pattern differs from librosa's"
    assert rel_err(got, ref) <= 1e-6  # librosa rounds the wavelets to complex64 before the FFT


def test_window_bandwidth_of_computed_windows_matches_librosa():
    for spec in ["tukey", ("kaiser", 8.0), ("gaussian", 100.0)]:
        name = _parse("test", spec)
        expected = librosa.filters.window_bandwidth(spec)
        assert _cqt_filters.window_bandwidth(*name) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------------------------------
# The soxr_hq 2:1 decimator
# ----------------------------------------------------------------------------------------------------


def _measured_halfband(reach=200):
    n, c = 8192, 4000
    h = np.zeros(2 * n)
    for phase in (0, 1):
        x = np.zeros(n)
        x[c + phase] = 1.0
        y = soxr.resample(x, 2, 1, quality="soxr_hq").astype(np.float64)
        np.add.at(h, 2 * np.arange(len(y)) - (c + phase) + n, y)
    return h[n : n + reach + 1], np.abs(np.concatenate([h[: n - reach], h[n + reach + 1 :]])).max()


def test_stored_soxr_taps_match_live_soxr():
    taps, beyond = _measured_halfband()
    assert np.abs(taps - np.asarray(_cqt_filters.SOXR_HQ_HALFBAND)).max() <= 1e-7
    assert beyond <= 1e-7  # nothing significant outside the stored reach


@pytest.mark.parametrize("n", [3, 37, 1001, 4096, 20000])
@pytest.mark.parametrize("lead", [(), (2, 3)])
def test_soxr_halve_matches_soxr(n, lead):
    x = np.random.default_rng(n).standard_normal((*lead, n))
    expected = np.apply_along_axis(soxr.resample, -1, x, 2, 1, quality="soxr_hq")
    got = _soxr_halve(mx.array(x.astype(np.float32)))
    assert tuple(got.shape) == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-6


# ----------------------------------------------------------------------------------------------------
# cqt / vqt parity
# ----------------------------------------------------------------------------------------------------

SIGNALS = {"music": music_like, "speech": speech_like}


@pytest.mark.parametrize("signal", ["music", "speech"])
@pytest.mark.parametrize("fn", ["cqt", "vqt"])
def test_default_config_matches_librosa(fn, signal):
    sr = 22050
    y = SIGNALS[signal](sr, 3 * sr)
    ref = getattr(librosa, fn)(y, sr=sr)
    ours = cqt if fn == "cqt" else vqt
    check_parity(
        lambda x: ours(x, sr=sr),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.complex64,
        what=f"{fn} default {signal}",
    )


# (options, tolerance): every option librosa has, edge geometries, the three common rates. The base
# (fmin=65 Hz, 60 bins at 22.05 kHz) decimates early by 2 (a 2:1 soxr call, reproduced exactly).
_BASE = dict(sr=22050, n_bins=60, fmin=65.0)
CONFIGS = [
    (dict(sr=16000, n_bins=72), 1e-5),
    (dict(sr=44100), 1e-5),
    (dict(sr=22050, hop_length=511), 1e-5),  # odd hop: no decimation at all
    (dict(sr=22050, hop_length=384, n_bins=70, bins_per_octave=24, fmin=220.0), 1e-5),
    (dict(_BASE, tuning=0.3, filter_scale=0.7), 1e-5),
    (dict(_BASE, norm=None), 1e-5),
    (dict(_BASE, norm=2), 1e-5),
    (dict(_BASE, norm=math.inf), 1e-5),
    (dict(_BASE, window="hamming"), 1e-5),
    (dict(_BASE, window=("kaiser", 8.0)), 1e-5),
    (dict(_BASE, scale=False), 1e-5),
    (dict(_BASE, pad_mode="reflect"), 1e-5),
    (dict(_BASE, sparsity=0.0), 1e-5),
    (dict(sr=22050, hop_length=64, n_bins=36, fmin=200.0), 1e-5),
    (dict(_BASE, res_type="fft"), 1e-5),
    (dict(sr=22050, n_bins=40, res_type="fft"), 1e-5),  # early 16x, one Fourier resampling
    # Early decimation by 2**k >= 4: librosa makes one soxr call with that ratio (its own transition
    # band), here k half-band stages; they differ on the first and last frames only (measured 2.3e-5
    # for 16x, 4.3e-5 for 32x, 3.6e-7 for 4x).
    (dict(sr=44100, n_bins=48, fmin=100.0), 1e-5),
    (dict(sr=22050, n_bins=40), 1e-4),
    (dict(sr=22050, hop_length=384, n_bins=50, bins_per_octave=24), 1e-4),
]


@pytest.mark.parametrize("fn", ["cqt", "vqt"])
@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c[0].items())
)
def test_options_match_librosa(fn, config):
    opts, rtol = config
    y = music_like(opts["sr"], int(1.5 * opts["sr"]))
    ref = _quiet(getattr(librosa, fn), y, **opts)
    ours = cqt if fn == "cqt" else vqt
    check_parity(
        lambda x: ours(x, **opts),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.complex64,
        what=f"{fn} {opts}",
        rtol=rtol,
    )


@given(
    sr=st.sampled_from([16000, 22050]),
    hop_length=st.sampled_from([64, 128, 160, 256, 301, 512]),
    fmin=st.floats(30.0, 400.0),
    n_bins=st.integers(1, 60),
    bins_per_octave=st.sampled_from([6, 12, 24]),
    tuning=st.floats(-0.5, 0.5),
    filter_scale=st.floats(0.5, 1.5),
    norm=st.sampled_from([None, 1, 2, math.inf]),
    window=st.sampled_from(["hann", "hamming", "blackman"]),
    gamma=st.one_of(st.none(), st.floats(0.0, 20.0)),
    pad_mode=st.sampled_from(["constant", "reflect"]),
)
def test_drawn_configurations_match_librosa(
    sr,
    hop_length,
    fmin,
    n_bins,
    bins_per_octave,
    tuning,
    filter_scale,
    norm,
    window,
    gamma,
    pad_mode,
):
    """vqt over hypothesis-drawn options. 1e-5 where the decimation is 2:1 (reproduced exactly); drawn
    configurations may also decimate early by up to 64x in one soxr call, which k half-band stages
    reproduce except at the signal's edges: on these 6000-sample signals measured up to 9e-4."""
    opts = dict(
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        n_bins=n_bins,
        bins_per_octave=bins_per_octave,
        tuning=tuning,
        filter_scale=filter_scale,
        norm=norm,
        window=window,
        gamma=gamma,
        pad_mode=pad_mode,
    )
    y = speech_like(sr, 6000)
    try:
        ref = _quiet(librosa.vqt, y, **opts)
    except librosa.ParameterError:
        assume(False)
    got = vqt(mx.array(y.astype(np.float32)), **opts)
    assert tuple(got.shape) == ref.shape and got.dtype == mx.complex64
    checked = _cqt_filters.options("vqt", dict(opts, sparsity=0.01, scale=True))
    early = _cqt_filters.vqt_plan("vqt", checked, gamma).early
    assert rel_err(np.array(got), ref) <= (1e-5 if early <= 1 else 2e-3), opts


@pytest.mark.parametrize("lead", [(2,), (2, 1, 2)])
def test_leading_dims_match_librosa(lead):
    sr = 16000
    y = speech_like(sr, 6000, lead=lead)
    opts = dict(sr=sr, n_bins=60, hop_length=256, gamma=2.0)
    ref = _quiet(librosa.vqt, y, **opts)
    check_parity(
        lambda x: vqt(x, **opts),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.complex64,
        what=f"vqt lead={lead}",
    )


@pytest.mark.parametrize("n", [1, 3, 100])
def test_reflect_padding_of_very_short_signals_matches_librosa(n):
    """librosa pads each octave with NumPy's reflect, which reflects again when the padding is
    wider than the (decimated) signal."""
    y = music_like(22050, n)
    ref = _quiet(librosa.cqt, y, sr=22050, hop_length=511, n_bins=48, pad_mode="reflect")
    check_parity(
        lambda x: cqt(x, sr=22050, hop_length=511, n_bins=48, pad_mode="reflect"),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.complex64,
        what=f"cqt reflect n={n}",
    )


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge"])
def test_pieces_match_librosa(monkeypatch, pad_mode):
    """Long signals run in ~1 MiB pieces (halving blocks, octave frames); force tiny pieces here."""
    monkeypatch.setattr(mlxdsp._cqt, "_PIECE_BYTES", 20000)
    y = music_like(22050, 3 * 22050, lead=(2,))
    opts = dict(sr=22050, pad_mode=pad_mode)
    ref = librosa.cqt(y, **opts)
    got = cqt(mx.array(y.astype(np.float32)), **opts)
    assert tuple(got.shape) == ref.shape and got.dtype == mx.complex64
    assert rel_err(np.array(got), ref) <= 1e-5
    ref = librosa.hybrid_cqt(y, **opts)
    got = hybrid_cqt(mx.array(y.astype(np.float32)), **opts)
    assert tuple(got.shape) == ref.shape and got.dtype == mx.float32
    assert rel_err(np.array(got), ref) <= 1e-5
    y = music_like(22050, 300000)
    expected = soxr.resample(y, 2, 1, quality="soxr_hq")
    assert rel_err(np.array(_soxr_halve(mx.array(y.astype(np.float32)))), expected) <= 1e-6


def test_short_signal_matches_librosa():
    y = music_like(22050, 700)
    ref = _quiet(librosa.cqt, y, sr=22050)
    check_parity(
        lambda x: cqt(x, sr=22050),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.complex64,
        what="cqt short",
    )


# ----------------------------------------------------------------------------------------------------
# pseudo_cqt / hybrid_cqt parity (magnitudes)
# ----------------------------------------------------------------------------------------------------

# (options, tolerance). pseudo_cqt's FFT is as long as the longest wavelet (32768 at 44.1 kHz from C1):
# there float32 itself is the limit (librosa with float32 input is 7.3e-5 from its float64 result).
PSEUDO_CONFIGS = [
    (dict(sr=22050), 1e-5),
    (dict(sr=22050, fmin=500.0, n_bins=48), 1e-5),
    (dict(sr=16000, hop_length=256, scale=False, n_bins=60), 1e-5),
    (dict(sr=22050, n_bins=30, fmin=300.0, norm=None, window="blackman", pad_mode="reflect"), 1e-5),
    (dict(sr=44100, hop_length=1024, norm=2, window="hamming", tuning=0.2), 2e-4),
]


@pytest.mark.parametrize("signal", ["music", "speech"])
@pytest.mark.parametrize("fn", ["pseudo_cqt", "hybrid_cqt"])
@pytest.mark.parametrize(
    "config", PSEUDO_CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c[0].items())
)
def test_pseudo_and_hybrid_match_librosa(fn, signal, config):
    opts, rtol = config
    y = SIGNALS[signal](opts["sr"], int(1.5 * opts["sr"]))
    ref = _quiet(getattr(librosa, fn), y, **opts)
    ours = pseudo_cqt if fn == "pseudo_cqt" else hybrid_cqt
    check_parity(
        lambda x: ours(x, **opts),
        (mx.array(y.astype(np.float32)),),
        ref,
        dtype=mx.float32,
        what=f"{fn} {signal} {opts}",
        rtol=rtol if fn == "pseudo_cqt" else 1e-5,
    )


def test_hybrid_all_pseudo_and_all_full():
    """hop 4096 from 1 kHz: every wavelet is shorter than 2 * hop (all pseudo); hop 63 from 100 Hz: none
    is (all multirate; the odd hop means no decimation)."""
    y = music_like(22050, 30000, lead=(2,))
    for opts in [
        dict(sr=22050, fmin=1000.0, n_bins=36, hop_length=4096),
        dict(sr=22050, fmin=100.0, n_bins=24, hop_length=63),
    ]:
        ref = _quiet(librosa.hybrid_cqt, y, **opts)
        check_parity(
            lambda x, o=opts: hybrid_cqt(x, **o),
            (mx.array(y.astype(np.float32)),),
            ref,
            dtype=mx.float32,
            what=f"hybrid_cqt {opts}",
        )


# ----------------------------------------------------------------------------------------------------
# icqt
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [5, 300, 1001])
def test_soxr_upsample_by_two_matches_soxr(n):
    x = np.random.default_rng(n).standard_normal((2, n))
    expected = np.apply_along_axis(soxr.resample, -1, x, 1, 2, quality="soxr_hq")
    got = _soxr_upsample(mx.array(x.astype(np.float32)), 1)
    assert tuple(got.shape) == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-6


# (options, tolerance on icqt(C) vs librosa.icqt(C)). librosa upsamples each octave back with one soxr
# call of ratio 2**k; here k 1:2 stages (exact for k = 1): measured 1e-4 to 4.5e-4 for the default
# geometry (k up to 6), 1.4e-7 with an odd hop (no resampling) and 2.2e-7 with res_type="fft".
ICQT_CONFIGS = [
    (dict(sr=22050), 1e-3),
    (dict(sr=22050, n_bins=60, fmin=65.0, scale=False), 1e-3),
    (dict(sr=16000, hop_length=256, n_bins=72, norm=2, window="hamming"), 1e-3),
    (dict(sr=22050, hop_length=511, n_bins=48), 1e-5),
    (dict(sr=22050, res_type="fft"), 1e-5),
]


@pytest.mark.parametrize("signal", ["music", "speech"])
@pytest.mark.parametrize(
    "config", ICQT_CONFIGS, ids=lambda c: ",".join(f"{k}={v}" for k, v in c[0].items())
)
def test_icqt_matches_librosa(signal, config):
    opts, rtol = config
    y = SIGNALS[signal](opts["sr"], 2 * opts["sr"])
    C = librosa.cqt(y, **opts)
    inverse = {k: v for k, v in opts.items() if k != "n_bins"}
    ref = librosa.icqt(C, length=len(y), **inverse)
    check_parity(
        lambda c: icqt(c, length=len(y), **inverse),
        (mx.array(C.astype(np.complex64)),),
        ref,
        dtype=mx.float32,
        what=f"icqt {signal} {opts}",
        rtol=rtol,
    )
    # The round trip icqt(cqt(x)) has librosa's reconstruction error (an approximate inverse).
    ours = np.array(icqt(cqt(mx.array(y.astype(np.float32)), **opts), length=len(y), **inverse))
    assert rel_err(ours, y) == pytest.approx(rel_err(ref, y), rel=1e-3)


def test_icqt_without_length_and_with_leading_dims():
    y = speech_like(22050, 9000, lead=(2,))
    C = _quiet(librosa.cqt, y, sr=22050, hop_length=511, n_bins=48)
    ref = librosa.icqt(C, sr=22050, hop_length=511)
    check_parity(
        lambda c: icqt(c, sr=22050, hop_length=511),
        (mx.array(C.astype(np.complex64)),),
        ref,
        dtype=mx.float32,
        what="icqt lead=(2,) no length",
    )


# ----------------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------------

X = mx.zeros(4000)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: cqt(X, n_bins=0), r"\[cqt\] n_bins=0 must be a positive int"),
        (lambda: cqt(X, hop_length=0), r"\[cqt\] hop_length=0 must be a positive int"),
        (lambda: cqt(X, sr=-1), r"\[cqt\] sr=-1\.0 must be > 0\.0"),
        (lambda: cqt(X, fmin=0), r"\[cqt\] fmin=0\.0 must be > 0\.0"),
        (lambda: cqt(X, bins_per_octave=0), r"\[cqt\] bins_per_octave=0 must be a positive int"),
        (lambda: cqt(X, filter_scale=0), r"\[cqt\] filter_scale=0\.0 must be > 0\.0"),
        (lambda: cqt(X, norm=0), r"\[cqt\] norm=0\.0 must be > 0\.0"),
        (lambda: cqt(X, sparsity=1.0), r"\[cqt\] sparsity=1\.0 must be < 1"),
        (lambda: cqt(X, sparsity=-0.1), r"\[cqt\] sparsity=-0\.1 must be >= 0\.0"),
        (lambda: cqt(X, tuning=None), r"\[cqt\] tuning=None must be a real number"),
        (lambda: cqt(X, scale=1), r"\[cqt\] scale=1 must be a bool"),
        (lambda: cqt(X, pad_mode="wrap"), r"\[cqt\] pad_mode='wrap' must be one of"),
        (lambda: cqt(X, res_type="kaiser_best"), r"\[cqt\] res_type='kaiser_best' must be one of"),
        (lambda: cqt(X, window="nope"), r"\[cqt\] window='nope' must be one of"),
        (
            lambda: cqt(X, n_bins=102),
            r"\[cqt\] wavelet basis with max frequency=11175\.\d+ would exceed the Nyquist "
            r"frequency=11025\.0",
        ),
        (lambda: cqt(mx.zeros((4000,), dtype=mx.complex64)), r"\[cqt\] x\.dtype=.* must be real"),
        (lambda: vqt(X, gamma=-1), r"\[vqt\] gamma=-1\.0 must be >= 0\.0"),
        (lambda: pseudo_cqt(X, n_bins=-1), r"\[pseudo_cqt\] n_bins=-1 must be a positive int"),
        (lambda: pseudo_cqt(X, pad_mode="x"), r"\[pseudo_cqt\] pad_mode='x' must be one of"),
        (lambda: hybrid_cqt(X, res_type="x"), r"\[hybrid_cqt\] res_type='x' must be one of"),
        (lambda: hybrid_cqt(X, window=("kaiser",)), r"\[hybrid_cqt\] window=\('kaiser',\) needs"),
        (lambda: vqt(X, intervals="ji5"), r"\[vqt\] intervals='ji5' must be 'equal'"),
        (
            lambda: cqt(mx.zeros(1), sr=22050, n_bins=24, fmin=100.0),
            r"\[cqt\] input signal length=1 is too short for 2-octave CQT",
        ),
        (lambda: icqt(mx.zeros((84, 5))), r"\[icqt\] C\.dtype=.*float32 must be complex64"),
        (
            lambda: icqt(mx.zeros((84, 5), dtype=mx.complex64), length=0),
            r"\[icqt\] length=0 must be a positive int",
        ),
        (
            lambda: cqt_frequencies(0, fmin=30.0),
            r"\[cqt_frequencies\] n_bins=0 must be a positive int",
        ),
        (
            lambda: cqt_frequencies(10, fmin=-1.0),
            r"\[cqt_frequencies\] fmin=-1\.0 must be > 0\.0",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


def test_two_cpu_streams_are_bit_identical(monkeypatch):
    """Long enough that the pieces of every decimation stage and of every octave's frames alternate
    over two CPU streams: the same result as one stream, eagerly, compiled and under vmap; gradients
    equal to float32 rounding (two pieces instead of one: the overlaps' adjoints add in another order)."""
    y = mx.array(music_like(22050, 8 * 22050, lead=(2,)).astype(np.float32))

    def loss(x):
        return mx.sum(mx.abs(cqt(x, sr=22050, n_bins=48, fmin=65.0)))

    def run():
        compiled = mx.compile(lambda x: cqt(x, sr=22050))
        vmapped = mx.vmap(lambda x: cqt(x, sr=22050))
        return [cqt(y, sr=22050), compiled(y), vmapped(y), mx.grad(loss)(y)]

    two = run()
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    one = run()
    for a, b in zip(two, one, strict=True):
        assert a.shape == b.shape and a.dtype == b.dtype
    for a, b in zip(two[:3], one[:3], strict=True):
        assert mx.array_equal(a, b).item()
    assert rel_err(np.array(two[3]), np.array(one[3])) <= 1e-6


@pytest.mark.parametrize("stages", [2, 3, 5])
def test_early_decimation_in_one_pass_matches_the_stages(stages):
    """Early decimation by 2**stages: the first 256 outputs from the 2:1 stages, the rest from their
    cascade in one FFT pass; both parts against the stages run on the whole signal."""
    y = mx.array(music_like(22050, 40000, lead=(2,)).astype(np.float32))
    staged = mlxdsp._cqt._staged_decimate(y, stages)
    got = mlxdsp._cqt._early_decimate(y, stages, "soxr_hq")
    kept = (40000 + 2 ** (stages - 1)) // 2**stages
    final = -(-40000 // 2**stages)
    assert got.shape == (2, final) and got.dtype == mx.float32
    assert rel_err(np.array(got[..., :kept]), np.array(staged[..., :kept])) <= 1e-6
