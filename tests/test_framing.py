"""Framing: the pure-integer geometry (no arrays), the NOLA decision and envelopes, frame/overlap_add.

References: scipy.signal.check_NOLA (NOLA), librosa.filters.window_sumsquare (envelope), librosa.util.frame
(framing), a plain-loop overlap-add, np.pad (padding modes), torch.istft's output length.
"""

from __future__ import annotations

import math

import librosa
import mlx.core as mx
import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp import ParameterError, _framing
from mlxdsp._frames import pad_signal
from tests.cases.spectral import (
    check_parity,
    frame64,
    leading_shapes,
    overlap_add64,
    padded_window,
    window_specs,
)
from tests.conftest import rel_err

# ------------------------------------------------------------------------------------------------
# Pure-integer geometry.


@given(length=st.integers(1, 5000), frame_length=st.integers(1, 600), hop=st.integers(1, 700))
def test_n_frames_counts_the_frames_that_fit(length, frame_length, hop):
    """Frames start at 0, hop, 2 hop, ... and must lie inside the signal (librosa.util.frame's count)."""
    if length < frame_length:
        with pytest.raises(ParameterError):
            _framing.n_frames("f", length, frame_length, hop)
        return
    count = _framing.n_frames("f", length, frame_length, hop)
    assert isinstance(count, int)
    assert count == len(range(0, length - frame_length + 1, hop))
    assert (count - 1) * hop + frame_length <= length < count * hop + frame_length


@given(n_fft=st.integers(1, 5000))
def test_center_padding(n_fft):
    """torch/librosa center=True: n_fft // 2 on each side (odd n_fft: the frame is centred on sample
    n_fft // 2 of the frame, torch and librosa agree)."""
    assert _framing.center_padding(n_fft) == (n_fft // 2, n_fft // 2)


@given(count=st.integers(1, 500), frame_length=st.integers(1, 600), hop=st.integers(1, 700))
def test_overlap_add_length_and_blocks(count, frame_length, hop):
    length = _framing.overlap_add_length(count, frame_length, hop)
    assert length == frame_length + hop * (count - 1)
    r = _framing.blocks_per_frame(frame_length, hop)
    assert r == math.ceil(frame_length / hop)
    assert (r - 1) * hop < frame_length <= r * hop


@given(
    count=st.integers(1, 60),
    n_fft=st.integers(2, 300),
    hop=st.integers(1, 300),
    center=st.booleans(),
)
def test_istft_trim_matches_torch_output_length(count, n_fft, hop, center):
    """torch.istft without length returns n_fft + hop (n_frames - 1) - 2 (n_fft // 2) samples when
    centred, else n_fft + hop (n_frames - 1); the trim starts after the centre padding."""
    hop = min(hop, n_fft)
    start, stop = _framing.istft_trim(count, n_fft, hop, center)
    total = n_fft + hop * (count - 1)
    if center:
        assert (start, stop) == (n_fft // 2, total - n_fft // 2)
    else:
        assert (start, stop) == (0, total)


# ------------------------------------------------------------------------------------------------
# NOLA and the window envelope.


@given(
    spec=window_specs(),
    n_fft=st.integers(2, 1024),
    data=st.data(),
)
def test_nola_matches_scipy_check_nola(spec, n_fft, data):
    """scipy.signal.check_NOLA(window, nperseg=n_fft, noverlap=n_fft - hop, tol=1e-10) on the
    zero-padded window (win_length <= n_fft, centred as torch/librosa pad it)."""
    win_length = data.draw(st.integers(1, n_fft), label="win_length")
    hop = data.draw(st.integers(1, n_fft), label="hop")
    w = padded_window(spec, win_length, n_fft)
    expected = scipy.signal.check_NOLA(w, n_fft, n_fft - hop, tol=1e-10)
    assert _framing.nola_holds(w**2, hop) == expected


@pytest.mark.parametrize(
    "spec,n,hop,expected",
    [
        ("hann", 512, 128, True),
        ("hann", 512, 256, True),
        ("hann", 512, 511, True),  # barely: w[0]^2 + w[511]^2 = sin(pi/512)^4 ~ 1.4e-9 > 1e-10
        ("hann", 512, 512, False),  # w[0] = 0: one residue gets nothing
        ("boxcar", 64, 64, True),
        ("boxcar", 64, 65, False),  # hop > n: gaps
        (("tukey", 0.0), 16, 16, True),
        ("bartlett", 64, 64, False),
    ],
)
def test_nola_known_pairs(spec, n, hop, expected):
    w = scipy.signal.get_window(spec, n)
    assert _framing.nola_holds(w**2, hop) is expected
    if hop <= n:
        assert scipy.signal.check_NOLA(w, n, n - hop) == expected


@given(
    spec=window_specs(),
    n_fft=st.integers(2, 512),
    count=st.integers(1, 40),
    data=st.data(),
)
def test_window_envelope_matches_librosa_window_sumsquare(spec, n_fft, count, data):
    """librosa.filters.window_sumsquare(window, n_frames, hop_length, win_length, n_fft, norm=None)."""
    win_length = data.draw(st.integers(1, n_fft), label="win_length")
    hop = data.draw(st.integers(1, n_fft), label="hop")
    w = padded_window(spec, win_length, n_fft)
    expected = librosa.filters.window_sumsquare(
        window=spec,
        n_frames=count,
        hop_length=hop,
        win_length=win_length,
        n_fft=n_fft,
        dtype=np.float64,
    )
    env = _framing.window_envelope(w, hop, count)
    assert env.dtype == np.float64 and env.shape == expected.shape
    np.testing.assert_allclose(env, expected, rtol=1e-12, atol=1e-15)
    inv = _framing.inverse_envelope(w, hop, count)
    assert inv.dtype == np.float32
    big = expected > _framing.SMALLEST_ENVELOPE
    np.testing.assert_allclose(inv[big], (1.0 / expected[big]).astype(np.float32), rtol=1e-7)
    np.testing.assert_array_equal(inv[~big], 1.0)


# ------------------------------------------------------------------------------------------------
# Padding (used by stft's center=True).


@pytest.mark.parametrize("mode", ["reflect", "constant", "edge"])
@pytest.mark.parametrize("left,right", [(0, 0), (1, 0), (0, 3), (5, 5), (8, 2), (9, 9)])
def test_pad_signal_matches_numpy(mode, left, right):
    """np.pad(x, mode) along the last axis: 'reflect' mirrors without repeating the edge sample."""
    x = np.random.default_rng(0).standard_normal((2, 3, 10)).astype(np.float32)
    expected = np.pad(x, [(0, 0), (0, 0), (left, right)], mode=mode)
    got = pad_signal("t", mx.array(x), left, right, mode)
    np.testing.assert_array_equal(np.array(got), expected)


def test_reflect_needs_a_longer_signal():
    """np.pad reflects repeatedly when the padding exceeds the signal; torch refuses, and so do we."""
    x = mx.zeros((10,))
    pad_signal("t", x, 9, 9, "reflect")
    with pytest.raises(ParameterError, match="length 10 <= padding 10"):
        pad_signal("t", x, 10, 0, "reflect")


# ------------------------------------------------------------------------------------------------
# frame / overlap_add.


@st.composite
def frame_configs(draw):
    frame_length = draw(st.one_of(st.integers(1, 64), st.integers(1, 1024)), label="frame_length")
    hop = draw(
        st.one_of(st.integers(1, frame_length), st.integers(1, 2 * frame_length + 3)), label="hop"
    )
    count = draw(st.integers(1, max(1, min(60, 40000 // frame_length))), label="n_frames")
    extra = draw(st.integers(0, hop - 1), label="extra")  # samples that do not fill another frame
    lead = draw(leading_shapes(), label="lead")
    return frame_length, hop, count, (count - 1) * hop + frame_length + extra, lead


@given(config=frame_configs())
def test_frame_matches_librosa(config):
    """librosa.util.frame(x, frame_length, hop_length, axis=-1): [..., frame_length, n_frames]; both the
    block-slice path and the gather path (more than 32 hops per frame) are drawn."""
    frame_length, hop, count, length, lead = config
    x = np.random.default_rng(count).standard_normal((*lead, length)).astype(np.float32)
    expected = frame64(x.astype(np.float64), frame_length, hop)
    assert expected.shape == (*lead, frame_length, count)
    check_parity(
        lambda a: mlxdsp.frame(a, frame_length=frame_length, hop_length=hop),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        rtol=0.0,  # a copy: exact
        what="frame vs librosa.util.frame",
    )


@given(config=frame_configs(), trim=st.integers(-50, 50))
def test_overlap_add_matches_loop(config, trim):
    """A plain Python loop of frame sums; ``length`` trims or zero-extends."""
    frame_length, hop, count, _, lead = config
    frames = (
        np.random.default_rng(count)
        .standard_normal((*lead, frame_length, count))
        .astype(np.float32)
    )
    natural = frame_length + hop * (count - 1)
    length = None if trim == 0 else max(1, natural + trim)
    expected = overlap_add64(frames.astype(np.float64), hop, length)
    check_parity(
        lambda F: mlxdsp.overlap_add(F, hop_length=hop, length=length),
        (mx.array(frames),),
        expected,
        dtype=mx.float32,
        what="overlap_add vs loop",
    )


@given(config=frame_configs())
def test_overlap_add_is_the_adjoint_of_frame(config):
    """<frame(x), F> == <x, overlap_add(F, length=len(x))> (this is what grad of frame relies on)."""
    frame_length, hop, count, length, lead = config
    rng = np.random.default_rng(length)
    x = rng.standard_normal((*lead, length)).astype(np.float32)
    F = rng.standard_normal((*lead, frame_length, count)).astype(np.float32)
    lhs = np.sum(
        np.array(mlxdsp.frame(mx.array(x), frame_length=frame_length, hop_length=hop), np.float64)
        * F
    )
    back = np.array(mlxdsp.overlap_add(mx.array(F), hop_length=hop, length=length), np.float64)
    rhs = np.sum(x * back)
    assert abs(lhs - rhs) <= 1e-4 * max(
        1.0, np.sqrt(np.sum(F.astype(np.float64) ** 2) * np.sum(x.astype(np.float64) ** 2))
    )


@pytest.mark.parametrize("dtype", [mx.float16, mx.bfloat16, mx.complex64, mx.int32])
def test_frame_and_overlap_add_keep_the_dtype(dtype):
    """frame is a copy and overlap_add a sum: both keep the input dtype (real or complex)."""
    x = mx.arange(40).astype(dtype)
    fr = mlxdsp.frame(x, frame_length=8, hop_length=4)
    assert fr.dtype == dtype and fr.shape == (8, 9)
    np.testing.assert_array_equal(np.array(fr.astype(mx.complex64)), frame64(np.arange(40.0), 8, 4))
    back = mlxdsp.overlap_add(fr, hop_length=4)
    assert back.dtype == dtype and back.shape == (40,)


def test_frame_docstring_examples():
    assert mlxdsp.frame(mx.arange(6.0), frame_length=3, hop_length=2).tolist() == [
        [0.0, 2.0],
        [1.0, 3.0],
        [2.0, 4.0],
    ]
    assert mlxdsp.overlap_add(mx.ones((3, 2)), hop_length=2).tolist() == [1.0, 1.0, 2.0, 1.0, 1.0]


def test_overlap_add_vjp_scatter_path():
    """The scatter path (more than 32 hops per frame) has a correct gradient (it is frame)."""
    F = mx.array(np.random.default_rng(0).standard_normal((40, 10)).astype(np.float32))
    u = mx.array(np.random.default_rng(1).standard_normal(49).astype(np.float32))
    (g,) = mx.vjp(lambda f: mlxdsp.overlap_add(f, hop_length=1), [F], [u])[1]
    np.testing.assert_allclose(np.array(g), frame64(np.array(u), 40, 1), rtol=1e-6)


def test_overlap_add_jvp_scatter_path():
    """jvp of overlap_add (linear) is overlap_add of the tangent, on the scatter path too."""
    F = mx.array(np.random.default_rng(0).standard_normal((40, 10)).astype(np.float32))
    T = mx.array(np.random.default_rng(1).standard_normal((40, 10)).astype(np.float32))
    _, (jv,) = mx.jvp(lambda f: mlxdsp.overlap_add(f, hop_length=1), [F], [T])
    np.testing.assert_allclose(
        np.array(jv), overlap_add64(np.array(T, np.float64), 1), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("max_slices", [8, 32])
@pytest.mark.parametrize(
    ("frame_length", "hop", "length"),
    [(2048, 32, 6000), (4096, 1, 4200), (1000, 3, 1000), (100, 7, 500), (65, 8, 100), (33, 1, 40)],
)
def test_frame_rows_in_one_and_two_levels_match_numpy(frame_length, hop, length, max_slices):
    """frame_rows (one concatenation of hop-blocks, or two levels beyond max_slices blocks) equals
    NumPy's sliding windows, and its vjp is the overlap-add of the cotangent (NumPy's add.at)."""
    from mlxdsp._frames import frame_rows

    rng = np.random.default_rng(frame_length + hop)
    count = 1 + (length - frame_length) // hop
    x = rng.standard_normal((2, length)).astype(np.float32)
    expected = np.lib.stride_tricks.sliding_window_view(x, frame_length, axis=-1)[:, ::hop][
        :, :count
    ]
    rows = frame_rows(mx.array(x), frame_length, hop, count, max_slices=max_slices)
    assert rows.shape == (2, count, frame_length)
    assert np.array_equal(np.array(rows), expected)
    cot = rng.standard_normal((2, count, frame_length)).astype(np.float32)
    _, (back,) = mx.vjp(
        lambda v: frame_rows(v, frame_length, hop, count, max_slices=max_slices),
        [mx.array(x)],
        [mx.array(cot)],
    )
    adjoint = np.zeros((2, length))
    index = np.arange(count)[:, None] * hop + np.arange(frame_length)[None, :]
    for row in range(2):
        np.add.at(adjoint[row], index, cot[row].astype(np.float64))
    assert rel_err(np.array(back), adjoint) <= 1e-6
