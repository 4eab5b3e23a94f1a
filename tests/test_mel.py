"""Mel scale, filterbanks and mel spectrograms: parity with librosa 0.11 and a torchaudio transcription.

References: librosa.hz_to_mel / mel_to_hz / fft_frequencies / mel_frequencies / filters.mel /
feature.melspectrogram / power_to_db, float64 (librosa's melspectrogram default pad_mode="constant");
torchaudio.transforms.MelSpectrogram transcribed with torch.stft (float64) and librosa's htk/None
filterbank (tests/cases/spectral.py says why sr and n_fft must then be even).
"""

from __future__ import annotations

import warnings

import librosa
import mlx.core as mx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from tests.cases.spectral import (
    check_parity,
    librosa_mel64,
    librosa_melspectrogram64,
    rel_err,
    stft_configs,
    torchaudio_melspectrogram64,
)

SCALES = [("slaney", False), ("htk", True)]

# ------------------------------------------------------------------------------------------------
# Mel scale


@pytest.mark.parametrize("scale,htk", SCALES)
@given(f=st.lists(st.floats(0.0, 48000.0), min_size=1, max_size=50))
def test_hz_to_mel_matches_librosa(scale, htk, f):
    """librosa.hz_to_mel(f, htk): NumPy in -> float64 NumPy out (equal to 1e-12), mx.array in -> float32
    mx.array out (rel_err <= 1e-5, eagerly and compiled)."""
    f64 = np.array(f)
    expected = librosa.hz_to_mel(f64, htk=htk)
    got = mlxdsp.hz_to_mel(f64, mel_scale=scale)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    check_parity(
        lambda a: mlxdsp.hz_to_mel(a, mel_scale=scale),
        (mx.array(f64.astype(np.float32)),),
        librosa.hz_to_mel(f64.astype(np.float32).astype(np.float64), htk=htk),
        dtype=mx.float32,
        what=f"hz_to_mel({scale}) vs librosa",
    )


@pytest.mark.parametrize("scale,htk", SCALES)
@given(m=st.lists(st.floats(0.0, 4000.0), min_size=1, max_size=50))
def test_mel_to_hz_matches_librosa(scale, htk, m):
    """librosa.mel_to_hz(m, htk), as test_hz_to_mel_matches_librosa."""
    # slaney: 0..80 mels covers 0..48 kHz and more
    m64 = np.array(m) if scale == "htk" else np.array(m) / 50.0
    expected = librosa.mel_to_hz(m64, htk=htk)
    got = mlxdsp.mel_to_hz(m64, mel_scale=scale)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    check_parity(
        lambda a: mlxdsp.mel_to_hz(a, mel_scale=scale),
        (mx.array(m64.astype(np.float32)),),
        librosa.mel_to_hz(m64.astype(np.float32).astype(np.float64), htk=htk),
        dtype=mx.float32,
        what=f"mel_to_hz({scale}) vs librosa",
    )


@pytest.mark.parametrize("scale,htk", SCALES)
def test_mel_scale_scalars_and_round_trip(scale, htk):
    """Python numbers give Python floats; mel_to_hz inverts hz_to_mel."""
    for f in (0.0, 440.0, 999.9, 1000.0, 1000.1, 8000.0):
        m = mlxdsp.hz_to_mel(f, mel_scale=scale)
        assert isinstance(m, float)
        assert m == pytest.approx(librosa.hz_to_mel(f, htk=htk), rel=1e-12)
        assert mlxdsp.mel_to_hz(m, mel_scale=scale) == pytest.approx(f, rel=1e-12, abs=1e-9)
    f = mx.array(np.linspace(0, 20000, 1001).astype(np.float32))
    back = mlxdsp.mel_to_hz(mlxdsp.hz_to_mel(f, mel_scale=scale), mel_scale=scale)
    assert rel_err(np.array(back), np.array(f)) <= 1e-6


@given(
    sr=st.one_of(st.sampled_from([8000, 16000, 22050, 44100, 48000]), st.floats(100.0, 192000.0)),
    n_fft=st.integers(1, 4096),
)
def test_fft_frequencies_matches_librosa(sr, n_fft):
    """librosa.fft_frequencies(sr=sr, n_fft=n_fft): k * sr / n_fft, k = 0..n_fft // 2."""
    check_parity(
        lambda: mlxdsp.fft_frequencies(sr=sr, n_fft=n_fft),
        (),
        librosa.fft_frequencies(sr=sr, n_fft=n_fft),
        dtype=mx.float32,
        what="fft_frequencies vs librosa",
    )


@pytest.mark.parametrize("scale,htk", SCALES)
@given(n_mels=st.integers(1, 300), fmin=st.floats(0.0, 4000.0), span=st.floats(1.0, 40000.0))
def test_mel_frequencies_matches_librosa(scale, htk, n_mels, fmin, span):
    """librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk)."""
    fmax = fmin + span
    check_parity(
        lambda: mlxdsp.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, mel_scale=scale),
        (),
        librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk),
        dtype=mx.float32,
        what="mel_frequencies vs librosa",
    )


def test_mel_frequencies_defaults():
    """Defaults are librosa's: 128 mels from 0 to 11025 Hz, Slaney scale."""
    assert rel_err(np.array(mlxdsp.mel_frequencies()), librosa.mel_frequencies()) <= 1e-6


# ------------------------------------------------------------------------------------------------
# Filterbanks


@given(
    sr=st.one_of(st.sampled_from([8000, 16000, 22050, 44100, 48000]), st.floats(1000.0, 96000.0)),
    n_fft=st.integers(16, 4096),
    n_mels=st.integers(1, 256),
    fmin_frac=st.floats(0.0, 0.45),
    fmax_frac=st.one_of(st.none(), st.floats(0.5, 1.2)),
    scale=st.sampled_from(SCALES),
    norm=st.sampled_from(["slaney", None]),
)
def test_mel_filterbank_matches_librosa(sr, n_fft, n_mels, fmin_frac, fmax_frac, scale, norm):
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype=float64); fmax=None is sr / 2
    and fmax above sr / 2 is allowed (triangles past Nyquist), as in librosa."""
    fmin = fmin_frac * sr
    fmax = None if fmax_frac is None else fmax_frac * sr / 2 + fmin_frac * sr
    mel_scale, htk = scale
    expected = librosa_mel64(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm
    )
    check_parity(
        lambda: mlxdsp.mel_filterbank(
            sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, mel_scale=mel_scale, norm=norm
        ),
        (),
        expected,
        dtype=mx.float32,
        what="mel_filterbank vs librosa.filters.mel",
    )


def test_mel_filterbank_defaults():
    """Defaults: 128 mels, 0..sr/2, Slaney scale, Slaney norm = librosa.filters.mel(sr, n_fft)."""
    fb = mlxdsp.mel_filterbank(sr=22050, n_fft=2048)
    assert fb.shape == (128, 1025) and fb.dtype == mx.float32
    assert rel_err(np.array(fb), librosa_mel64(sr=22050, n_fft=2048)) <= 1e-6


# ------------------------------------------------------------------------------------------------
# Mel spectrograms


@st.composite
def mel_configs(draw):
    cfg = draw(stft_configs(elements=100_000, max_frames=80))
    sr = draw(st.sampled_from([8000, 16000, 22050, 44100]), label="sr")
    n_mels = draw(st.integers(1, 160), label="n_mels")
    fmin = draw(st.floats(0.0, sr / 8), label="fmin")
    fmax = draw(st.one_of(st.none(), st.floats(sr / 4, sr / 2)), label="fmax")
    scale = draw(st.sampled_from(SCALES), label="scale")
    norm = draw(st.sampled_from(["slaney", None]), label="norm")
    power = draw(st.sampled_from([1.0, 2.0]), label="power")
    return cfg, dict(
        sr=sr, n_mels=n_mels, fmin=fmin, fmax=fmax, scale=scale, norm=norm, power=power
    )


def _signal(cfg, seed=0):
    rng = np.random.default_rng(seed + cfg["length"])
    return rng.standard_normal((*cfg["lead"], cfg["length"])).astype(np.float32)


def _stft_options(cfg):
    return {
        k: cfg[k] for k in ("n_fft", "win_length", "hop_length", "window", "center", "pad_mode")
    }


@given(config=mel_configs())
def test_mel_spectrogram_matches_librosa(config):
    """librosa.feature.melspectrogram(y (float64), sr, n_fft, hop_length, win_length, window, center,
    pad_mode, power, n_mels, fmin, fmax, htk, norm), pad_mode as drawn (librosa's default is "constant")."""
    cfg, mel = config
    x = _signal(cfg)
    mel_scale, htk = mel["scale"]
    common = dict(
        sr=mel["sr"],
        n_mels=mel["n_mels"],
        fmin=mel["fmin"],
        fmax=mel["fmax"],
        power=mel["power"],
        norm=mel["norm"],
    )
    expected = librosa_melspectrogram64(x, htk=htk, **_stft_options(cfg), **common)
    check_parity(
        lambda a: mlxdsp.mel_spectrogram(a, mel_scale=mel_scale, **_stft_options(cfg), **common),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="mel_spectrogram vs librosa",
    )


@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_mel_spectrogram_librosa_defaults(pad_mode):
    """librosa.feature.melspectrogram(y, sr=22050) defaults (n_fft 2048, hop 512, 128 Slaney mels,
    power 2) with pad_mode="constant" (librosa's default) and "reflect" (ours)."""
    x = np.random.default_rng(1).standard_normal((2, 22050))
    expected = librosa_melspectrogram64(x, sr=22050, pad_mode=pad_mode)
    check_parity(
        lambda a: mlxdsp.mel_spectrogram(a, sr=22050, pad_mode=pad_mode),
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what="mel_spectrogram vs librosa (defaults)",
    )


@given(
    sr=st.sampled_from([8000, 16000, 32000, 44100, 48000]),
    n_fft=st.integers(8, 1024).map(lambda n: 2 * n),
    hop_frac=st.floats(0.1, 1.0),
    n_mels=st.integers(1, 128),
    power=st.sampled_from([1.0, 2.0]),
    lead=st.lists(st.integers(1, 3), max_size=2).map(tuple),
    length_frac=st.floats(0.6, 6.0),
)
def test_mel_spectrogram_matches_torchaudio(sr, n_fft, hop_frac, n_mels, power, lead, length_frac):
    """torchaudio.transforms.MelSpectrogram(sr, n_fft, hop_length=hop, n_mels, power) with its defaults
    (periodic hann, center, pad_mode="reflect", mel_scale="htk", norm=None, f_min 0, f_max sr/2):
    transcribed as torch.stft (float64) + librosa.filters.mel(htk=True, norm=None). Even sr and n_fft
    only: torchaudio's bins linspace(0, sr // 2, n_fft // 2 + 1) equal librosa's k * sr / n_fft then."""
    hop = max(1, int(hop_frac * n_fft))
    length = max(n_fft // 2 + 1, int(length_frac * n_fft))
    x = np.random.default_rng(n_fft).standard_normal((*lead, length)).astype(np.float32)
    expected = torchaudio_melspectrogram64(
        x, sr=sr, n_fft=n_fft, hop_length=hop, power=power, n_mels=n_mels
    )
    check_parity(
        lambda a: mlxdsp.mel_spectrogram(
            a,
            sr=sr,
            n_fft=n_fft,
            hop_length=hop,
            n_mels=n_mels,
            power=power,
            mel_scale="htk",
            norm=None,
        ),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="mel_spectrogram vs torchaudio",
    )


def test_explicit_filterbank_equals_built_one_and_is_differentiable():
    """filterbank=mel_filterbank(...) gives the built-in result; d/dfb sum(mel) = sum over frames of the
    power spectrogram (a learned filterbank gets its gradient)."""
    x = mx.array(np.random.default_rng(2).standard_normal((2, 4000)).astype(np.float32))
    opts = dict(sr=16000, n_fft=256, hop_length=64)
    fb = mlxdsp.mel_filterbank(sr=16000, n_fft=256, n_mels=40)
    built = np.array(mlxdsp.mel_spectrogram(x, n_mels=40, **opts))
    given_fb = np.array(mlxdsp.mel_spectrogram(x, filterbank=fb, **opts))
    assert rel_err(given_fb, built) <= 1e-6
    g = mx.grad(lambda f: mx.sum(mlxdsp.mel_spectrogram(x, filterbank=f, **opts)))(fb)
    spec = np.array(mlxdsp.spectrogram(x, n_fft=256, hop_length=64), dtype=np.float64)
    expected = np.broadcast_to(spec.sum(axis=(0, 2)), (40, 129))
    assert g.shape == (40, 129) and rel_err(np.array(g), expected) <= 1e-5


@pytest.mark.parametrize("per_group", [1, 2, 4, 8, 16])
@pytest.mark.parametrize(
    ("n_fft", "n_mels", "norm"), [(64, 80, "slaney"), (512, 40, None), (2048, 128, "slaney")]
)
def test_column_projection_and_its_adjoint_match_librosa_filters(per_group, n_fft, n_mels, norm):
    """The CPU's banded projection (any group size, incl. filters too narrow to touch a bin) is
    librosa.filters.mel @ S, its custom vjp is filters.T @ cotangent and its jvp the forward map."""
    from mlxdsp._mel import _column_projection

    options = (16000.0, n_fft, n_mels, 0.0, 8000.0, "slaney", norm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # librosa: "Empty filters detected"
        W = librosa.filters.mel(sr=16000, n_fft=n_fft, n_mels=n_mels, norm=norm, dtype=np.float64)
    rng = np.random.default_rng(per_group)
    spec = rng.uniform(size=(2, n_fft // 2 + 1, 9))
    cot = rng.standard_normal((2, n_mels, 9))
    _, project = _column_projection(options, per_group)
    out, (back,) = mx.vjp(project, [mx.array(spec, mx.float32)], [mx.array(cot, mx.float32)])
    _, (tangent_out,) = mx.jvp(project, [mx.array(spec, mx.float32)], [mx.array(spec, mx.float32)])
    assert out[0].shape == (2, n_mels, 9) and back.shape == spec.shape
    assert rel_err(np.array(out[0]), W @ spec) <= 1e-6
    assert rel_err(np.array(tangent_out), W @ spec) <= 1e-6
    assert rel_err(np.array(back), W.T @ cot) <= 1e-6


@given(
    config=mel_configs(),
    ref=st.sampled_from([1.0, 1e-3, "max"]),
    amin=st.sampled_from([1e-10, 1e-5]),
    top_db=st.sampled_from([None, 80.0, 40.0]),
)
def test_log_mel_spectrogram_matches_librosa(config, ref, amin, top_db):
    """librosa.power_to_db(librosa.feature.melspectrogram(...), ref, amin, top_db) (global max)."""
    cfg, mel = config
    x = _signal(cfg, seed=1)
    mel_scale, htk = mel["scale"]
    common = dict(
        sr=mel["sr"],
        n_mels=mel["n_mels"],
        fmin=mel["fmin"],
        fmax=mel["fmax"],
        power=mel["power"],
        norm=mel["norm"],
    )
    S = librosa_melspectrogram64(x, htk=htk, **_stft_options(cfg), **common)
    expected = librosa.power_to_db(S, ref=np.max if ref == "max" else ref, amin=amin, top_db=top_db)
    our_ref = mx.max if ref == "max" else ref
    check_parity(
        lambda a: mlxdsp.log_mel_spectrogram(
            a,
            ref=our_ref,
            amin=amin,
            top_db=top_db,
            mel_scale=mel_scale,
            **_stft_options(cfg),
            **common,
        ),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what="log_mel_spectrogram vs librosa",
    )


@pytest.mark.parametrize("dtype", [mx.float16, mx.bfloat16, mx.int16])
def test_mel_dtypes(dtype):
    """Half precision and integer signals give float32 mel and log-mel spectrograms."""
    x = mx.array(np.arange(2000) % 13).astype(dtype)
    for fn in (mlxdsp.mel_spectrogram, mlxdsp.log_mel_spectrogram):
        y = fn(x, sr=16000, n_fft=256, hop_length=64, n_mels=32)
        assert y.dtype == mx.float32 and y.shape == (32, 32)
