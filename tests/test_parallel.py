"""The two-CPU-stream path (mlxdsp/_parallel.py) on inputs large enough to take it: bit-identical to the
single-stream path, exact against librosa, and transparent to compile, grad, jvp and vmap."""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from mlxdsp import _parallel
from tests.conftest import assert_close


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(3)
    return rng.standard_normal((2, 2, 70000)).astype(np.float32)  # 280k samples >= MIN_SAMPLES


def _mel(v):
    return mlxdsp.mel_spectrogram(v, sr=16000, n_fft=512, hop_length=160, n_mels=40)


def _spec(v):
    return mlxdsp.spectrogram(v, n_fft=400, hop_length=100, power=1.0)


def _stft(v):
    return mlxdsp.stft(v, n_fft=512, hop_length=128)


def _istft_of_stft(v):
    X = mlxdsp.stft(v, n_fft=512, hop_length=128)
    return mlxdsp.istft(X, n_fft=512, hop_length=128, length=v.shape[-1])


def test_large_inputs_take_the_split(x):
    assert x.size >= _parallel.MIN_SAMPLES and _parallel._applies(mx.array(x), 1)


@pytest.mark.parametrize(
    "fn",
    [_mel, _spec, _stft, _istft_of_stft],
    ids=["mel_spectrogram", "spectrogram", "stft", "istft"],
)
def test_split_is_bit_identical_to_single_stream(x, fn, monkeypatch):
    split = fn(mx.array(x))
    assert bool(mx.array_equal(mx.compile(fn)(mx.array(x)), split))
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert not _parallel._applies(mx.array(x), 1)
    single = fn(mx.array(x))
    assert split.shape == single.shape and split.dtype == single.dtype
    assert bool(mx.array_equal(split, single))


def test_split_matches_librosa(x):
    """librosa.feature.melspectrogram (float64, pad_mode='reflect', Slaney) on the same large batch."""
    ref = librosa.feature.melspectrogram(
        y=x.astype(np.float64), sr=16000, n_fft=512, hop_length=160, n_mels=40, pad_mode="reflect"
    )
    assert_close(np.array(_mel(mx.array(x))), ref, 1e-5, "mel_spectrogram (two streams)")
    assert_close(np.array(mx.compile(_mel)(mx.array(x))), ref, 1e-5, "compiled (two streams)")


def test_split_under_transforms(x, monkeypatch):
    xs = mx.array(x)

    def loss(v):
        return mx.sum(mx.log(_mel(v) + 1e-3))

    grad_split = mx.grad(loss)(xs)
    _, (jvp_split,) = mx.jvp(_mel, [xs], [xs])
    vmap_split = mx.vmap(_mel)(xs)
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", "0")
    assert bool(mx.array_equal(grad_split, mx.grad(loss)(xs)))
    assert bool(mx.array_equal(jvp_split, mx.jvp(_mel, [xs], [xs])[1][0]))
    assert bool(mx.array_equal(vmap_split, _mel(xs)))


def test_istft_split_matches_torch(x):
    """torch.istft (float64, hann, center=True) of torch.stft on the same large batch."""
    import torch

    flat = torch.from_numpy(x.reshape(-1, x.shape[-1]).astype(np.float64))
    window = torch.hann_window(512, dtype=torch.float64)
    X = torch.stft(flat, 512, 128, window=window, return_complex=True)
    ref = torch.istft(X, 512, 128, window=window, length=x.shape[-1]).numpy().reshape(x.shape)
    ours = mlxdsp.istft(
        mx.array(X.numpy().astype(np.complex64)).reshape(*x.shape[:-1], *X.shape[-2:]),
        n_fft=512,
        hop_length=128,
        length=x.shape[-1],
    )
    assert_close(np.array(ours), ref, 1e-5, "istft (two streams)")


def test_istft_normalized_with_array_window_round_trips():
    """An mx.array window is data: its envelope must come from the unscaled window also when
    normalized=True (torch.istft's normalized undoes stft's 1/sqrt(n_fft) before the envelope)."""
    rng = np.random.default_rng(9)
    x = mx.array(rng.standard_normal((2, 4000)).astype(np.float32))
    w = mx.array(np.hanning(256).astype(np.float32) + 0.1)
    X = mlxdsp.stft(x, n_fft=256, hop_length=64, window=w, normalized=True)
    back = mlxdsp.istft(X, n_fft=256, hop_length=64, window=w, normalized=True, length=4000)
    assert_close(np.array(back), np.array(x), 1e-5, "round trip")


def test_split_is_skipped_for_large_outputs(x):
    """Past MAX_OUTPUT_BYTES the halves are not worth concatenating: fn runs once on everything."""
    calls = []

    def fn(v):
        calls.append(v.shape)
        return v * 2

    _parallel.batch_halves(fn, mx.array(x), output_bytes=_parallel.MAX_OUTPUT_BYTES + 1)
    assert calls == [x.shape]
    calls.clear()
    _parallel.batch_halves(fn, mx.array(x), output_bytes=_parallel.MAX_OUTPUT_BYTES)
    assert calls == [(2, x.shape[-1]), (2, x.shape[-1])]


@pytest.mark.parametrize("streams", ["1", "0"], ids=["two-streams", "one-stream"])
def test_row_pieces_cover_the_batch_in_order(x, streams, monkeypatch):
    """row_bytes splits each half into pieces under PIECE_BYTES: every row once, in order."""
    monkeypatch.setenv("MLXDSP_CPU_STREAMS", streams)
    calls = []

    def fn(v):
        calls.append(v.shape[0])
        return v[..., :3] * 2

    flat = x.reshape(-1, x.shape[-1])
    out = _parallel.batch_halves(fn, mx.array(x), row_bytes=_parallel.PIECE_BYTES)
    assert calls == [1, 1, 1, 1]
    assert out.shape == (*x.shape[:-1], 3)
    np.testing.assert_array_equal(np.array(out).reshape(-1, 3), flat[:, :3] * 2)


@pytest.mark.parametrize("fn", [_mel, _spec, _istft_of_stft], ids=["mel", "spectrogram", "istft"])
def test_row_pieces_are_bit_identical(x, fn, monkeypatch):
    """One row per piece (a tiny PIECE_BYTES) gives exactly the unsplit result."""
    whole = fn(mx.array(x))
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 1)
    pieces = fn(mx.array(x))
    assert pieces.shape == whole.shape and bool(mx.array_equal(pieces, whole))


@pytest.mark.parametrize(
    "options",
    [
        dict(n_fft=512, hop_length=160, center=True, pad_mode="reflect"),
        dict(n_fft=511, hop_length=100, win_length=400, center=True, pad_mode="constant"),
        dict(n_fft=256, hop_length=256, center=False, pad_mode="edge"),
    ],
    ids=["reflect", "odd-n_fft,win<n_fft,constant", "uncentred"],
)
def test_frame_pieces_are_bit_identical(options, monkeypatch):
    """A long signal's mel spectrogram in runs of frames equals the unsplit one exactly, and librosa."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 48000)).astype(np.float32)

    def mel(v):
        return mlxdsp.mel_spectrogram(v, sr=16000, n_mels=40, **options)

    whole = mel(mx.array(x))
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 40 * 8 * options["n_fft"])  # 40 frames a piece
    from mlxdsp import _stft

    plan = _stft._frame_pieces(
        mx.array(x), options["n_fft"], options["hop_length"], options.get("win_length"),
        options["center"], options["pad_mode"],
    )  # fmt: skip
    assert plan is not None and plan[-1] == 40
    pieces = mel(mx.array(x))
    assert pieces.shape == whole.shape and bool(mx.array_equal(pieces, whole))
    assert bool(mx.array_equal(mx.compile(mel)(mx.array(x)), pieces))
    window = np.hanning(options.get("win_length", options["n_fft"]) + 1)[:-1]  # periodic Hann
    ref = librosa.feature.melspectrogram(
        y=x.astype(np.float64), sr=16000, n_mels=40, window=window, **options
    )
    assert_close(np.array(pieces), ref, 1e-5, "mel_spectrogram in frame pieces vs librosa")


@pytest.mark.parametrize(
    "name",
    [
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_rolloff",
        "spectral_flatness",
        "chroma_stft",
        "poly_features",
    ],
)
def test_descriptors_in_frame_pieces_are_bit_identical(name, monkeypatch):
    """Frame-wise descriptors of a waveform, computed in runs of frames, equal the whole computation."""
    x = mx.array(np.random.default_rng(6).standard_normal((2, 30000)).astype(np.float32))
    options = dict(n_fft=512, hop_length=128) | (
        {} if name == "spectral_flatness" else dict(sr=16000)
    )
    fn = getattr(mlxdsp, name)
    whole = fn(x, **options)
    monkeypatch.setattr(_parallel, "PIECE_BYTES", 2 * 40 * 8 * 512)  # 40 frames a piece, 2 rows
    pieces = fn(x, **options)
    assert pieces.shape == whole.shape and bool(mx.array_equal(pieces, whole))
