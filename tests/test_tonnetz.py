"""tonnetz: parity with librosa 0.11 (float64 input to librosa, float32 to mlxdsp), eagerly and under
mx.compile, for ``chroma=`` input and for ``C=`` forwarded to chroma_cqt; errors pinned.

The chromagrams are librosa's chroma_cqt of |librosa.cqt| of a music-like and a speech-like signal
(tests/cases/chroma.py), and hypothesis-drawn non-negative arrays.
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
from mlxdsp._tonnetz import tonnetz
from tests.cases.chroma import music_like, reference_cqt_magnitude, speech_like
from tests.cases.spectral import check_parity, rel_err

SR = 22050


def _C(kinds, n_bins, bins_per_octave):
    return np.stack([reference_cqt_magnitude(k, SR, 3.0, n_bins, bins_per_octave) for k in kinds])


@pytest.mark.parametrize(
    "kinds,chroma_opts",
    [
        (("music",), {}),
        (("speech",), dict(norm=2)),
        (("music", "speech"), dict(norm=None, threshold=0.1)),
        (("music",), dict(n_chroma=24, bins_per_octave=24)),
    ],
    ids=["music", "speech,norm=2", "both,norm=None,threshold", "music,n_chroma=24"],
)
def test_tonnetz_chroma_matches_librosa(kinds, chroma_opts):
    bpo = chroma_opts.get("bins_per_octave", 36)
    chroma = librosa.feature.chroma_cqt(C=_C(kinds, 7 * bpo, bpo), sr=SR, **chroma_opts)
    chroma[..., 3] = 0.0  # a silent frame gives 0 (its L1 norm is below tiny: left un-normalized)
    if len(kinds) == 1:
        chroma = chroma[0]
    check_parity(
        lambda c: tonnetz(chroma=c, sr=SR),
        (mx.array(chroma.astype(np.float32)),),
        librosa.feature.tonnetz(chroma=chroma, sr=SR),
        dtype=mx.float32,
        what=f"tonnetz chroma= {kinds} {chroma_opts}",
    )


@pytest.mark.parametrize(
    "opts",
    [dict(), dict(bins_per_octave=12, norm=1, fmin=55.0)],
    ids=["defaults", "bins_per_octave=12,norm=1,fmin=55"],
)
def test_tonnetz_C_matches_librosa(opts):
    # librosa's tonnetz takes C only through chroma=chroma_cqt(C=...): the reference composes the two.
    bpo = opts.get("bins_per_octave", 36)
    C = np.stack(
        [
            reference_cqt_magnitude(k, SR, 3.0, 7 * bpo, bpo, opts.get("fmin"))
            for k in ("music", "speech")
        ]
    )
    check_parity(
        lambda c: tonnetz(C=c, sr=SR, **opts),
        (mx.array(C.astype(np.float32)),),
        librosa.feature.tonnetz(chroma=librosa.feature.chroma_cqt(C=C, sr=SR, **opts)),
        dtype=mx.float32,
        what=f"tonnetz C= {opts}",
    )


@given(
    n_chroma=st.integers(1, 36),
    lead=st.sampled_from([(), (3,), (2, 1)]),
    n_frames=st.integers(1, 20),
    seed=st.integers(0, 2**16),
)
def test_tonnetz_matches_librosa_drawn(n_chroma, lead, n_frames, seed):
    chroma = np.random.default_rng(seed).uniform(0.0, 1.0, (*lead, n_chroma, n_frames)) ** 2
    expected = librosa.feature.tonnetz(chroma=chroma)
    got = tonnetz(chroma=mx.array(chroma.astype(np.float32)))
    assert got.shape == expected.shape and got.dtype == mx.float32
    assert rel_err(np.array(got), expected) <= 1e-5


@pytest.mark.parametrize(
    "kind,opts",
    [("music", {}), ("speech", dict(bins_per_octave=12, hop_length=256))],
    ids=["music", "speech,bins_per_octave=12,hop_length=256"],
)
def test_tonnetz_waveform_matches_librosa(kind, opts):
    # Through mlxdsp's own cqt: the tolerance is cqt's against librosa (1e-4, the bar).
    y = (music_like if kind == "music" else speech_like)(SR, 3.0)
    check_parity(
        lambda x: tonnetz(x, sr=SR, **opts),
        (mx.array(y.astype(np.float32)),),
        librosa.feature.tonnetz(y=y, sr=SR, tuning=0.0, **opts),
        dtype=mx.float32,
        what=f"tonnetz waveform {kind} {opts}",
        rtol=1e-4,
    )


CH = mx.ones((12, 4))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: tonnetz(), r"\[tonnetz\] pass a waveform x, a chromagram chroma= or C="),
        (
            lambda: tonnetz(mx.zeros(1000), chroma=CH),
            r"\[tonnetz\] pass either a waveform x or a chromagram chroma=, not both",
        ),
        (
            lambda: tonnetz(chroma=CH, norm=2, hop_length=256),
            r"\[tonnetz\] chroma_cqt options \(hop_length, norm\) do nothing with chroma=",
        ),
        (lambda: tonnetz(chroma=CH, sr=0), r"\[tonnetz\] sr=0\.0 must be > 0\.0"),
        (
            lambda: tonnetz(chroma=mx.ones(12)),
            r"\[tonnetz\] chroma\.shape=\(12,\) must have at least 2 dims",
        ),
        (
            lambda: tonnetz(chroma=mx.ones((12, 3), dtype=mx.complex64)),
            r"\[tonnetz\] chroma\.dtype=mlx\.core\.complex64 must be real floating",
        ),
        (lambda: tonnetz(C=mx.ones((36, 4)), norm=0), r"\[chroma_cqt\] norm=0\.0 must be > 0\.0"),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="n_mels"):
        tonnetz(C=mx.ones((36, 4)), n_mels=math.inf)
