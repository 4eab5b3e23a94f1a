"""onset_strength / onset_strength_multi: parity with librosa 0.11 (float64 input to librosa, float32 to
mlxdsp), eagerly and under mx.compile, on music-like and speech-like signals and hypothesis-drawn
configurations; ``feature``/``aggregate`` callables (mlxdsp / MLX ones against librosa's / NumPy's);
errors pinned.
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from mlxdsp._onset import onset_strength, onset_strength_multi
from tests.cases.features import music_like, speech_like
from tests.cases.spectral import check_parity, rel_err

SR = 22050
SIGNALS = {"music": music_like, "speech": speech_like}


def _signal(name, lead=(), n=SR * 2, seed=0):
    return SIGNALS[name](lead, n=n, sr=SR, seed=seed)


@pytest.mark.parametrize("name", SIGNALS)
@pytest.mark.parametrize(
    "opts",
    [
        dict(),
        dict(lag=2, max_size=3),
        dict(detrend=True),
        dict(center=False),
        dict(n_fft=1024, hop_length=256, n_mels=64, fmax=8000.0),
    ],
    ids=["defaults", "lag=2,max_size=3", "detrend", "center=False", "n_fft=1024,n_mels=64"],
)
def test_onset_strength_matches_librosa(name, opts):
    y = _signal(name, lead=(2,))
    check_parity(
        lambda x: onset_strength(x, sr=SR, **opts),
        (mx.array(y.astype(np.float32)),),
        librosa.onset.onset_strength(y=y, sr=SR, **opts),
        dtype=mx.float32,
        what=f"onset_strength {name} {opts}",
    )


@pytest.mark.parametrize("name", SIGNALS)
@pytest.mark.parametrize(
    "channels",
    [None, [0, 16, 64, 96, 128], [0, 40, 300], [slice(0, 10), slice(5, 128, 2)]],
    ids=["all", "bands", "out-of-range", "slices"],
)
def test_onset_strength_multi_matches_librosa(name, channels):
    y = _signal(name)
    check_parity(
        lambda x: onset_strength_multi(x, sr=SR, channels=channels),
        (mx.array(y.astype(np.float32)),),
        librosa.onset.onset_strength_multi(y=y, sr=SR, channels=channels),
        dtype=mx.float32,
        what=f"onset_strength_multi {name} channels={channels}",
    )


def test_onset_strength_multi_without_aggregation():
    y = _signal("music")
    check_parity(
        lambda x: onset_strength_multi(x, sr=SR, aggregate=False, lag=3),
        (mx.array(y.astype(np.float32)),),
        librosa.onset.onset_strength_multi(y=y, sr=SR, aggregate=False, lag=3),
        dtype=mx.float32,
        what="onset_strength_multi aggregate=False",
    )


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (dict(aggregate=mx.max), dict(aggregate=np.max)),
        (
            dict(feature=mlxdsp.chroma_stft, tuning=0.0),
            dict(feature=librosa.feature.chroma_stft, tuning=0.0),
        ),
        (
            dict(feature=mlxdsp.spectral_contrast, n_bands=4),
            dict(feature=librosa.feature.spectral_contrast, n_bands=4),
        ),
    ],
    ids=["aggregate=max", "feature=chroma_stft", "feature=spectral_contrast"],
)
def test_onset_strength_callables_match_librosa(ours, theirs):
    y = _signal("speech")
    check_parity(
        lambda x: onset_strength(x, sr=SR, **ours),
        (mx.array(y.astype(np.float32)),),
        librosa.onset.onset_strength(y=y, sr=SR, **theirs),
        dtype=mx.float32,
        what=f"onset_strength {sorted(ours)}",
    )


def test_onset_strength_S_and_ref_match_librosa():
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=_signal("music", lead=(2,)), sr=SR))
    ref = np.roll(S, 1, axis=-2)
    for kw in (dict(), dict(ref=ref), dict(lag=3, max_size=5, detrend=True, center=False)):
        ours = {k: mx.array(v.astype(np.float32)) if k == "ref" else v for k, v in kw.items()}
        check_parity(
            lambda s, ours=ours: onset_strength(S=s, **ours),
            (mx.array(S.astype(np.float32)),),
            librosa.onset.onset_strength(S=S, **kw),
            dtype=mx.float32,
            what=f"onset_strength S= {sorted(kw)}",
        )


@given(
    n_fft=st.sampled_from([256, 512, 1024, 2048]),
    hop_div=st.sampled_from([2, 4, 8]),
    lag=st.integers(1, 4),
    max_size=st.integers(1, 6),
    detrend=st.booleans(),
    center=st.booleans(),
    n_mels=st.sampled_from([16, 40, 128]),
    kind=st.sampled_from(["music", "speech"]),
    seed=st.integers(0, 2**16),
)
def test_property_onset_strength_matches_librosa(
    n_fft, hop_div, lag, max_size, detrend, center, n_mels, kind, seed
):
    y = _signal(kind, n=8000, seed=seed)
    opts = dict(
        n_fft=n_fft,
        hop_length=n_fft // hop_div,
        lag=lag,
        max_size=max_size,
        detrend=detrend,
        center=center,
        n_mels=n_mels,
    )
    expected = librosa.onset.onset_strength(y=y, sr=SR, **opts)
    got = onset_strength(mx.array(y.astype(np.float32)), sr=SR, **opts)
    assert got.shape == expected.shape
    assert rel_err(np.array(got), expected) <= 1e-5


X = mx.zeros(4000)
S = mx.zeros((8, 10))


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: onset_strength(), r"\[onset_strength\] pass a waveform x or a spectrogram S="),
        (
            lambda: onset_strength(X, S=S),
            r"\[onset_strength\] pass either a waveform x or a spectrogram S=, not both",
        ),
        (lambda: onset_strength(X, lag=0), r"\[onset_strength\] lag=0 must be a positive int"),
        (
            lambda: onset_strength(X, max_size=0),
            r"\[onset_strength\] max_size=0 must be a positive int",
        ),
        (lambda: onset_strength(X, detrend=1), r"\[onset_strength\] detrend=1 must be a bool"),
        (lambda: onset_strength(X, sr=0), r"\[onset_strength\] sr=0\.0 must be > 0\.0"),
        (
            lambda: onset_strength(X, aggregate=False),
            r"\[onset_strength\] aggregate=False gives one envelope per bin",
        ),
        (
            lambda: onset_strength(X, aggregate="mean"),
            r"\[onset_strength\] aggregate='mean' must be callable, None or False",
        ),
        (
            lambda: onset_strength(X, feature="mel"),
            r"\[onset_strength\] feature='mel' must be callable or None",
        ),
        (
            lambda: onset_strength(S=S, n_mels=3),
            r"\[onset_strength\] options \['n_mels'\] are for the feature of a waveform x",
        ),
        (
            lambda: onset_strength(S=S, lag=10),
            r"\[onset_strength\] 10 frames must be more than lag=10",
        ),
        (
            lambda: onset_strength(S=S, ref=mx.zeros((8, 9))),
            r"\[onset_strength\] ref\.shape=\(8, 9\) must equal the spectrogram's \(8, 10\)",
        ),
        (
            lambda: onset_strength_multi(S=S, channels=[0, -1]),
            r"\[onset_strength_multi\] channels=\[0, -1\] must be non-negative",
        ),
        (
            lambda: onset_strength_multi(S=S, channels=["a"]),
            r"\[onset_strength_multi\] channels=\['a'\] must be a non-empty list of ints or",
        ),
        (
            lambda: onset_strength_multi(S=S, channels=[0, 9]),
            r"\[onset_strength_multi\] channels=\[0, 9\] must hold two boundaries <= 8",
        ),
    ],
)
def test_errors(call, match):
    with pytest.raises(mlxdsp.ParameterError, match=match):
        call()


@pytest.mark.parametrize("kwargs", [{}, {"n_mels": 64, "pad_mode": "reflect", "fmax": 8000.0}])
def test_onset_strength_long_row_in_frame_pieces(kwargs, monkeypatch):
    """300000 samples (587 frames): the mel spectrogram in pieces of frames on two CPU streams. Parity
    with librosa, and the same numbers as one mel spectrogram of the whole row."""
    x = music_like(n=300_000, sr=SR) + 0.3 * speech_like(n=300_000, sr=SR, seed=1)
    expected = librosa.onset.onset_strength(y=x, sr=SR, **kwargs)
    xs = mx.array(x.astype(np.float32))
    check_parity(
        lambda s: onset_strength(s, sr=SR, **kwargs), (xs,), expected, dtype=mx.float32,
        what=f"onset_strength long row {kwargs}",
    )  # fmt: skip
    pieces = onset_strength(xs, sr=SR, **kwargs)
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert np.array_equal(np.array(pieces), np.array(onset_strength(xs, sr=SR, **kwargs)))


def test_onset_db_conversion_matches_power_to_db():
    """onset's dB conversion (logarithm from exponent bits) against librosa.power_to_db in float64, and
    NaN anywhere -> NaN everywhere (the top_db floor is taken over the whole array), as power_to_db."""
    from mlxdsp._onset import _power_db

    mel = librosa.feature.melspectrogram(y=_signal("music"), sr=SR)
    mel[:, 5] = 0.0  # silence: floored at amin, then at the peak - 80 dB
    got = _power_db(mx.array(mel.astype(np.float32)))
    assert got.shape == mel.shape and got.dtype == mx.float32
    assert rel_err(np.array(got), librosa.power_to_db(mel)) <= 1e-6
    mel[3, 7] = np.nan
    assert np.isnan(np.array(_power_db(mx.array(mel.astype(np.float32))))).all()
