"""mlxdsp.compat.librosa: the same calls as librosa 0.11 (its defaults) give the same numbers."""

from __future__ import annotations

import inspect
import types

import librosa
import mlx.core as mx
import numpy as np
import pytest
from mlxdsp.compat import librosa as shim

from mlxdsp import ParameterError
from tests.conftest import assert_close, to_np


@pytest.fixture(scope="module")
def y():
    rng = np.random.default_rng(11)
    t = np.arange(22050) / 22050
    return (np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(t.shape)).astype(np.float32)


def test_stft_istft_defaults(y):
    """librosa.stft/istft with their defaults (pad_mode='constant', n_fft=2048, hop=512)."""
    ours = shim.stft(mx.array(y))
    ref = librosa.stft(y.astype(np.float64))
    assert ours.shape == ref.shape and ours.dtype == mx.complex64
    assert_close(to_np(ours), ref, 1e-5, "stft")
    back = shim.istft(ours, length=y.shape[-1])
    assert_close(to_np(back), librosa.istft(ref, length=y.shape[-1]), 1e-5, "istft")


def test_feature_defaults(y):
    """librosa.feature.melspectrogram/mfcc/delta with defaults (sr=22050, Slaney mel, DCT-II ortho)."""
    x = mx.array(y)
    y64 = y.astype(np.float64)
    assert_close(
        to_np(shim.feature.melspectrogram(y=x)), librosa.feature.melspectrogram(y=y64), 1e-5, "mel"
    )
    ref_mfcc = librosa.feature.mfcc(y=y64, n_mfcc=13, lifter=22, htk=True)
    assert_close(
        to_np(shim.feature.mfcc(y=x, n_mfcc=13, lifter=22, htk=True)), ref_mfcc, 1e-5, "mfcc"
    )
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y64))
    assert_close(
        to_np(shim.feature.mfcc(S=mx.array(S.astype(np.float32)))),
        librosa.feature.mfcc(S=S),
        1e-5,
        "mfcc S",
    )
    assert_close(
        to_np(shim.feature.delta(mx.array(S.astype(np.float32)))),
        librosa.feature.delta(S),
        1e-5,
        "delta",
    )
    assert_close(
        to_np(shim.feature.delta(mx.array(S.T.astype(np.float32)), axis=0)),
        librosa.feature.delta(S.T, axis=0),
        1e-5,
        "delta axis=0",
    )


def test_conversions_and_filters(y):
    """librosa's scalar conversions, filters.mel (htk and Slaney), util.frame, get_window."""
    assert shim.hz_to_mel(1000.0) == pytest.approx(librosa.hz_to_mel(1000.0))
    assert shim.mel_to_hz(20.0, htk=True) == pytest.approx(librosa.mel_to_hz(20.0, htk=True))
    assert_close(
        to_np(shim.filters.mel(sr=16000, n_fft=512, htk=True)),
        librosa.filters.mel(sr=16000, n_fft=512, htk=True),
        1e-6,
    )
    assert_close(to_np(shim.fft_frequencies()), librosa.fft_frequencies(), 1e-7)
    assert_close(to_np(shim.mel_frequencies(40)), librosa.mel_frequencies(40), 1e-7)
    frames = shim.util.frame(mx.array(y), frame_length=400, hop_length=160)
    np.testing.assert_array_equal(
        to_np(frames), librosa.util.frame(y, frame_length=400, hop_length=160)
    )
    assert_close(to_np(shim.get_window("hann", 400)), librosa.filters.get_window("hann", 400), 1e-7)
    S = np.abs(librosa.stft(y.astype(np.float64)))
    assert_close(
        to_np(shim.amplitude_to_db(mx.array(S.astype(np.float32)))),
        librosa.amplitude_to_db(S),
        1e-5,
    )


def test_unsupported_options_are_refused(y):
    with pytest.raises(ParameterError, match=r"\[compat.librosa.stft\] dtype="):
        shim.stft(mx.array(y), dtype=np.complex128)
    with pytest.raises(ParameterError, match=r"\[compat.librosa.util.frame\] axis=0"):
        shim.util.frame(mx.array(y), frame_length=4, hop_length=2, axis=0)


# --- API drift: every exported name is librosa 0.11's, with its parameters and defaults ---

# Exported before this check existed; librosa 0.11 has get_window only under filters (kept for old users).
_NOT_IN_LIBROSA = {"get_window"}


def _exported(module, ref, prefix=""):
    for name in module.__all__ if hasattr(module, "__all__") else dir(module):
        obj = getattr(module, name)
        if name.startswith("_") or name in _NOT_IN_LIBROSA and not prefix:
            continue
        if isinstance(obj, types.ModuleType):
            if obj.__name__.startswith("mlxdsp.compat"):
                yield from _exported(obj, getattr(ref, name), f"{prefix}{name}.")
        elif callable(obj) and obj.__module__.startswith("mlxdsp.compat"):
            yield f"{prefix}{name}", obj, getattr(ref, name, None)


def _positional(sig):
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in sig.parameters.values() if p.kind in kinds]


def test_every_export_has_librosas_signature():
    """Names, positional parameters, keyword-only parameters, defaults and **kwargs as librosa 0.11."""
    exported = list(_exported(shim, librosa))
    assert len(exported) >= 59
    for name, ours, theirs in exported:
        assert theirs is not None, f"librosa has no {name}"
        so, st = inspect.signature(ours), inspect.signature(theirs)
        assert _positional(so) == _positional(st), name
        assert list(so.parameters) == list(st.parameters), name
        for p in st.parameters.values():
            q = so.parameters[p.name]
            assert q.kind == p.kind, f"{name}({p.name})"
            assert q.default is p.default or q.default == p.default, f"{name}({p.name}) default"
