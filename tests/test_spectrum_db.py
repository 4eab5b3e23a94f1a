"""spectrogram, magphase, power_to_db / amplitude_to_db (both top_db scopes), db_to_power / db_to_amplitude.

References: torch.stft(...).abs() ** power (torchaudio.functional.spectrogram's definition) and librosa
0.11 (float64); librosa.power_to_db / amplitude_to_db / db_to_power / db_to_amplitude / magphase; for
top_db_scope="per_example" a float64 NumPy transcription of torchaudio.functional.amplitude_to_DB
(torchaudio does not import here; see tests/cases/spectral.py).
"""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import mlxdsp
from tests.cases.spectral import (
    check_parity,
    librosa_stft64,
    rel_err,
    stft_configs,
    torch_stft64,
    torchaudio_amplitude_to_db64,
)

SMALL = dict(elements=100_000, max_frames=100)

# ------------------------------------------------------------------------------------------------
# spectrogram


@given(
    cfg=stft_configs(**SMALL), power=st.sampled_from([1.0, 2.0, 0.5, 1.5]), normalized=st.booleans()
)
def test_spectrogram_matches_torch(cfg, power, normalized):
    """torch.stft(...).abs() ** power in float64 (torchaudio.functional.spectrogram's definition with
    normalized="frame_length", i.e. torch.stft(normalized=True): a factor n_fft ** -0.5); pad_mode
    reflect/constant/replicate for our reflect/constant/edge."""
    x = (
        np.random.default_rng(cfg["length"])
        .standard_normal((*cfg["lead"], cfg["length"]))
        .astype(np.float32)
    )
    opts = {
        k: cfg[k] for k in ("n_fft", "win_length", "hop_length", "window", "center", "pad_mode")
    }
    expected = np.abs(torch_stft64(x, normalized=normalized, **opts)) ** power
    check_parity(
        lambda a: mlxdsp.spectrogram(a, power=power, normalized=normalized, **opts),
        (mx.array(x),),
        expected,
        dtype=mx.float32,
        what=f"spectrogram(power={power}) vs torch",
    )


@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge"])
def test_spectrogram_matches_librosa(power, pad_mode):
    """np.abs(librosa.stft(y, pad_mode=...)) ** power, librosa 0.11, float64."""
    x = np.random.default_rng(0).standard_normal((2, 3000))
    expected = np.abs(librosa_stft64(x, n_fft=400, hop_length=160, pad_mode=pad_mode)) ** power
    check_parity(
        lambda a: mlxdsp.spectrogram(a, n_fft=400, hop_length=160, pad_mode=pad_mode, power=power),
        (mx.array(x.astype(np.float32)),),
        expected,
        dtype=mx.float32,
        what=f"spectrogram(power={power}) vs librosa",
    )


def test_spectrogram_gradient_matches_torch_autograd():
    """d/dx sum(|stft(x)|) (power=1) against torch autograd in float64."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 500)).astype(np.float32)
    g = mx.grad(lambda a: mx.sum(mlxdsp.spectrogram(a, n_fft=64, hop_length=16, power=1.0)))(
        mx.array(x)
    )
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    w = torch.hann_window(64, dtype=torch.float64)
    torch.stft(
        xt, 64, 16, 64, w, center=True, pad_mode="reflect", return_complex=True
    ).abs().sum().backward()
    assert rel_err(np.array(g), xt.grad.numpy()) <= 1e-5


@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
def test_spectrogram_of_silence_has_zero_gradient(power):
    """Zero bins have a zero (not NaN) gradient, as torch's abs."""
    g = mx.grad(lambda a: mx.sum(mlxdsp.spectrogram(a, n_fft=32, hop_length=8, power=power)))(
        mx.zeros((100,))
    )
    g = np.array(g)
    assert np.isfinite(g).all() and not g.any()


@pytest.mark.parametrize("dtype", [mx.float16, mx.bfloat16, mx.int16])
def test_spectrogram_dtypes(dtype):
    """Half precision and integer inputs give float32 (documented)."""
    x = mx.array(np.arange(300) % 7).astype(dtype)
    S = mlxdsp.spectrogram(x, n_fft=32, hop_length=8)
    assert S.dtype == mx.float32 and S.shape == (17, 38)


# ------------------------------------------------------------------------------------------------
# magphase


@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
@pytest.mark.parametrize("shape", [(), (5,), (3, 9, 11)])
def test_magphase_matches_librosa(power, shape):
    """librosa.magphase(D, power=power) (complex128): magnitude ** power, and D / |D| with phase 1 where
    D == 0 (a quarter of the entries here)."""
    rng = np.random.default_rng(2)
    D = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    D = np.where(rng.random(shape) < 0.25, 0, D).astype(np.complex64)
    mag_ref, phase_ref = librosa.magphase(D.astype(np.complex128), power=power)
    check_parity(
        lambda z: mlxdsp.magphase(z, power=power)[0],
        (mx.array(D),),
        mag_ref,
        dtype=mx.float32,
        what="magphase magnitude vs librosa",
    )
    check_parity(
        lambda z: mlxdsp.magphase(z, power=power)[1],
        (mx.array(D),),
        phase_ref,
        dtype=mx.complex64,
        what="magphase phase vs librosa",
    )
    mag, phase = mlxdsp.magphase(mx.array(D), power=power)
    if power == 1.0:  # D == mag * phase
        assert rel_err(np.array(mag) * np.array(phase), D) <= 1e-6


# ------------------------------------------------------------------------------------------------
# decibels


def _powers(shape, seed, low=-12.0, high=3.0, zeros=0.1):
    rng = np.random.default_rng(seed)
    S = 10.0 ** rng.uniform(low, high, shape)
    return np.where(rng.random(shape) < zeros, 0.0, S).astype(np.float32)


shapes = st.lists(st.integers(1, 6), min_size=0, max_size=5).map(tuple)


@given(
    shape=shapes,
    ref=st.sampled_from([1.0, 0.3, "max"]),
    amin=st.sampled_from([1e-10, 1e-5, 1e-3]),
    top_db=st.sampled_from([None, 80.0, 30.0, 0.0]),
    seed=st.integers(0, 100),
)
def test_power_to_db_matches_librosa(shape, ref, amin, top_db, seed):
    """librosa.power_to_db(S, ref=ref, amin=amin, top_db=top_db) (float64; whole-array max =
    top_db_scope="global"); ref="max" is ref=np.max for librosa and ref=mx.max for us."""
    S = _powers(shape, seed)
    expected = librosa.power_to_db(
        S.astype(np.float64), ref=np.max if ref == "max" else ref, amin=amin, top_db=top_db
    )
    our_ref = mx.max if ref == "max" else ref
    check_parity(
        lambda s: mlxdsp.power_to_db(s, ref=our_ref, amin=amin, top_db=top_db),
        (mx.array(S),),
        expected,
        dtype=mx.float32,
        what="power_to_db vs librosa",
    )


@given(
    shape=shapes,
    ref=st.sampled_from([1.0, 0.3, "max"]),
    amin=st.sampled_from([1e-5, 1e-3]),
    top_db=st.sampled_from([None, 80.0, 30.0]),
    seed=st.integers(0, 100),
    complex_input=st.booleans(),
)
def test_amplitude_to_db_matches_librosa(shape, ref, amin, top_db, seed, complex_input):
    """librosa.amplitude_to_db(|S|, ref, amin, top_db) (float64, global max); complex S is reduced to
    its magnitude (librosa does the same, with a warning, so it is given |S| here)."""
    rng = np.random.default_rng(seed)
    A = np.sqrt(_powers(shape, seed, low=-10.0))
    if complex_input:
        angle = rng.uniform(-np.pi, np.pi, shape)
        S = (A * np.exp(1j * angle)).astype(np.complex64)
    else:
        S = A.astype(np.float32)
    expected = librosa.amplitude_to_db(
        np.abs(S.astype(np.complex128 if complex_input else np.float64)),
        ref=np.max if ref == "max" else ref,
        amin=amin,
        top_db=top_db,
    )
    our_ref = mx.max if ref == "max" else ref
    check_parity(
        lambda s: mlxdsp.amplitude_to_db(s, ref=our_ref, amin=amin, top_db=top_db),
        (mx.array(S),),
        expected,
        dtype=mx.float32,
        what="amplitude_to_db vs librosa",
    )


# torchaudio's amplitude_to_DB indexes shape[-2]: it takes inputs of at least 2 dims.
per_example_shapes = st.lists(st.integers(1, 4), min_size=2, max_size=5).map(tuple)


@given(
    shape=per_example_shapes, seed=st.integers(0, 100), top_db=st.sampled_from([80.0, 20.0, 0.0])
)
def test_power_to_db_per_example_matches_torchaudio(shape, seed, top_db):
    """torchaudio.transforms.AmplitudeToDB("power", top_db) = amplitude_to_DB(x, 10, 1e-10, 0, top_db):
    each [..., C, F, T] example (inputs of up to 3 dims are one example) floored at its own max - top_db.
    Transcribed in float64 NumPy (torchaudio does not import here)."""
    S = _powers(shape, seed)
    expected = torchaudio_amplitude_to_db64(
        S, multiplier=10.0, amin=1e-10, db_multiplier=0.0, top_db=top_db
    )
    check_parity(
        lambda s: mlxdsp.power_to_db(s, amin=1e-10, top_db=top_db, top_db_scope="per_example"),
        (mx.array(S),),
        expected,
        dtype=mx.float32,
        what="power_to_db(per_example) vs torchaudio",
    )


@given(shape=per_example_shapes, seed=st.integers(0, 100), top_db=st.sampled_from([80.0, 20.0]))
def test_amplitude_to_db_per_example_matches_torchaudio(shape, seed, top_db):
    """torchaudio.transforms.AmplitudeToDB("magnitude", top_db) = amplitude_to_DB(x, 20, 1e-10, 0, top_db),
    transcribed in float64 NumPy; ours with amin=1e-10 (in amplitude units, as torchaudio's clamp)."""
    A = np.sqrt(_powers(shape, seed, low=-10.0))
    expected = torchaudio_amplitude_to_db64(
        A, multiplier=20.0, amin=1e-10, db_multiplier=0.0, top_db=top_db
    )
    check_parity(
        lambda s: mlxdsp.amplitude_to_db(s, amin=1e-10, top_db=top_db, top_db_scope="per_example"),
        (mx.array(A),),
        expected,
        dtype=mx.float32,
        what="amplitude_to_db(per_example) vs torchaudio",
    )


def test_scopes_differ_only_across_examples():
    """With a loud and a quiet example, "global" floors the quiet one at the loud peak - top_db, while
    "per_example" floors each at its own; with one example (<= 3 dims) the scopes agree."""
    S = np.full((2, 1, 4, 5), 1e-6, dtype=np.float32)
    S[0, 0, 0, 0] = 1.0  # loud example: peak 0 dB
    S[1, 0, 0, 0] = 1e-3  # quiet example: peak -30 dB, floor of the rest at -50 dB
    glob = np.array(mlxdsp.power_to_db(mx.array(S), top_db=20.0))
    per = np.array(mlxdsp.power_to_db(mx.array(S), top_db=20.0, top_db_scope="per_example"))
    assert glob[1].min() == pytest.approx(-20.0) and glob[1].max() == pytest.approx(-20.0)
    assert per[1].max() == pytest.approx(-30.0) and per[1].min() == pytest.approx(-50.0)
    assert per[0].min() == pytest.approx(-20.0)
    one = mx.array(S[1])
    np.testing.assert_array_equal(
        np.array(mlxdsp.power_to_db(one, top_db=20.0)),
        np.array(mlxdsp.power_to_db(one, top_db=20.0, top_db_scope="per_example")),
    )


@given(shape=shapes, ref=st.sampled_from([1.0, 2.5, 1e-3]), seed=st.integers(0, 100))
def test_db_to_power_and_amplitude_match_librosa(shape, ref, seed):
    """librosa.db_to_power(S_db, ref) = ref * 10 ** (S_db / 10); db_to_amplitude = ref * 10 ** (S_db / 20)."""
    D = np.random.default_rng(seed).uniform(-120.0, 30.0, shape).astype(np.float32)
    check_parity(
        lambda d: mlxdsp.db_to_power(d, ref=ref),
        (mx.array(D),),
        librosa.db_to_power(D.astype(np.float64), ref=ref),
        dtype=mx.float32,
        what="db_to_power vs librosa",
    )
    check_parity(
        lambda d: mlxdsp.db_to_amplitude(d, ref=ref),
        (mx.array(D),),
        librosa.db_to_amplitude(D.astype(np.float64), ref=ref),
        dtype=mx.float32,
        what="db_to_amplitude vs librosa",
    )


@pytest.mark.parametrize("ref", [1.0, 0.25, 40.0])
def test_db_inverses(ref):
    """db_to_power(power_to_db(S, ref, top_db=None), ref) == S where S > amin, likewise for amplitudes."""
    S = _powers((4, 50), 3, low=-8.0, high=2.0, zeros=0.0)
    back = mlxdsp.db_to_power(mlxdsp.power_to_db(mx.array(S), ref=ref, top_db=None), ref=ref)
    assert back.dtype == mx.float32
    assert rel_err(np.array(back), S) <= 1e-5
    A = np.sqrt(S)
    back = mlxdsp.db_to_amplitude(
        mlxdsp.amplitude_to_db(mx.array(A), ref=ref, top_db=None), ref=ref
    )
    assert rel_err(np.array(back), A) <= 1e-5


@pytest.mark.parametrize(
    "fn", [mlxdsp.power_to_db, mlxdsp.amplitude_to_db, mlxdsp.db_to_power, mlxdsp.db_to_amplitude]
)
@pytest.mark.parametrize("dtype", [mx.float16, mx.bfloat16, mx.int32])
def test_db_dtypes(fn, dtype):
    """Half precision and integer inputs give float32 (documented)."""
    x = mx.array(np.arange(1, 13).reshape(3, 4)).astype(dtype)
    y = fn(x)
    assert y.dtype == mx.float32 and y.shape == (3, 4)
    np.testing.assert_allclose(np.array(y), np.array(fn(x.astype(mx.float32))), rtol=1e-6)


def test_db_of_scalars():
    """0-d arrays are accepted (min_ndim=0)."""
    assert mlxdsp.power_to_db(mx.array(100.0)).item() == pytest.approx(20.0)
    assert mlxdsp.amplitude_to_db(mx.array(10.0)).item() == pytest.approx(20.0)
    assert mlxdsp.db_to_power(mx.array(20.0)).item() == pytest.approx(100.0)
    assert mlxdsp.db_to_amplitude(mx.array(20.0)).item() == pytest.approx(10.0)
