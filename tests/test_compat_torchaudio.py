"""mlxdsp.compat.torchaudio against torch transcriptions of torchaudio 2.x's functional code.

torchaudio does not import on this machine (its wheel needs CUDA torch), so each reference below is
torchaudio's published algorithm written with torch CPU ops in float64: spectrogram = torch.stft
(+ window-norm scaling), melscale_fbanks = triangular filters on linspace(0, sr // 2, n_freqs),
amplitude_to_DB = clamp/log10 with per-example top_db, compute_deltas = conv1d with arange(-n, n+1).
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np
import pytest
import torch
from mlxdsp.compat import torchaudio as ta

from mlxdsp import ParameterError
from tests.conftest import assert_close, to_np


def _torch_mel_fb(n_freqs, f_min, f_max, n_mels, sr, norm, htk=True):
    all_freqs = torch.linspace(0, sr // 2, n_freqs, dtype=torch.float64)
    if htk:
        to_mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
        m = torch.linspace(to_mel(f_min), to_mel(f_max), n_mels + 2, dtype=torch.float64)
        f_pts = 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    else:
        import librosa

        m = np.linspace(librosa.hz_to_mel(f_min), librosa.hz_to_mel(f_max), n_mels + 2)
        f_pts = torch.from_numpy(librosa.mel_to_hz(m))
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    fb = torch.clamp(torch.min(-slopes[:, :-2] / f_diff[:-1], slopes[:, 2:] / f_diff[1:]), min=0)
    if norm == "slaney":
        fb *= 2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels])
    return fb


def _torch_amplitude_to_db(x, multiplier, amin, db_multiplier, top_db):
    x_db = multiplier * torch.log10(torch.clamp(x, min=amin)) - multiplier * db_multiplier
    if top_db is not None:
        shape = x_db.size()
        packed = shape[-3] if x_db.dim() > 2 else 1
        x_db = x_db.reshape(-1, packed, shape[-2], shape[-1])
        x_db = torch.max(x_db, (x_db.amax(dim=(-3, -2, -1)) - top_db).view(-1, 1, 1, 1))
        x_db = x_db.reshape(shape)
    return x_db


@pytest.fixture(scope="module")
def wave():
    rng = np.random.default_rng(5)
    return rng.standard_normal((2, 3, 8000)).astype(np.float32)


@pytest.mark.parametrize("normalized", [False, True, "frame_length"])
@pytest.mark.parametrize("power", [None, 1.0, 2.0])
def test_spectrogram(wave, normalized, power):
    """torchaudio.functional.spectrogram with pad=3, Hann window, reflect padding."""
    window = torch.hann_window(300, dtype=torch.float64)
    ours = ta.functional.spectrogram(
        mx.array(wave),
        3,
        mx.array(window.numpy().astype(np.float32)),
        512,
        128,
        300,
        power,
        normalized,
    )
    x = torch.nn.functional.pad(torch.from_numpy(wave).double(), (3, 3))
    spec = torch.stft(
        x.reshape(-1, x.shape[-1]),
        512,
        128,
        300,
        window,
        normalized=normalized == "frame_length",
        return_complex=True,
    )
    spec = spec.reshape(*wave.shape[:-1], *spec.shape[-2:])
    if normalized is True:
        spec = spec / window.pow(2.0).sum().sqrt()
    ref = spec if power is None else spec.abs().pow(power)
    assert ours.shape == tuple(ref.shape)
    assert_close(to_np(ours), ref.numpy(), 1e-5)


@pytest.mark.parametrize(
    "sr,norm,htk", [(16000, None, True), (22050, "slaney", False), (8000, "slaney", True)]
)
def test_melscale_fbanks(sr, norm, htk):
    """torchaudio.functional.melscale_fbanks layout [n_freqs, n_mels], bins at linspace(0, sr // 2)."""
    ours = ta.functional.melscale_fbanks(257, 0.0, sr / 2, 40, sr, norm, "htk" if htk else "slaney")
    assert_close(to_np(ours), _torch_mel_fb(257, 0.0, sr / 2, 40, sr, norm, htk).numpy(), 1e-6)


@pytest.mark.parametrize("shape", [(6, 7), (3, 6, 7), (2, 3, 6, 7)])
def test_amplitude_to_db_per_example(shape):
    """torchaudio.functional.amplitude_to_DB: per-example top_db over the last three axes."""
    rng = np.random.default_rng(1)
    x = (rng.random(shape) ** 6).astype(np.float32)
    for multiplier, top_db in [(10.0, 20.0), (20.0, 30.0), (10.0, None)]:
        ours = ta.functional.amplitude_to_DB(mx.array(x), multiplier, 1e-10, 0.5, top_db)
        ref = _torch_amplitude_to_db(torch.from_numpy(x).double(), multiplier, 1e-10, 0.5, top_db)
        assert_close(to_np(ours), ref.numpy(), 1e-5)


def test_mel_spectrogram_and_mfcc(wave):
    """transforms.MelSpectrogram / MFCC defaults (n_fft=400, hop=200, 128 HTK mels, top_db=80)."""
    x = torch.from_numpy(wave).double()
    window = torch.hann_window(400, dtype=torch.float64)
    spec = torch.stft(x.reshape(-1, 8000), 400, 200, 400, window, return_complex=True).abs().pow(2)
    spec = spec.reshape(2, 3, *spec.shape[-2:])
    fb = _torch_mel_fb(201, 0.0, 8000.0, 128, 16000, None)
    mel = torch.matmul(spec.transpose(-1, -2), fb).transpose(-1, -2)
    assert_close(to_np(ta.transforms.MelSpectrogram()(mx.array(wave))), mel.numpy(), 1e-5)
    db = _torch_amplitude_to_db(mel, 10.0, 1e-10, 0.0, 80.0)
    import scipy.fft

    dct = torch.from_numpy(scipy.fft.dct(np.eye(128), type=2, norm="ortho", axis=0)[:40].T.copy())
    mfcc = torch.matmul(db.transpose(-1, -2), dct).transpose(-1, -2)
    assert_close(to_np(ta.transforms.MFCC()(mx.array(wave))), mfcc.numpy(), 1e-5)


def test_compute_deltas():
    """torchaudio.functional.compute_deltas: conv1d with arange(-n, n + 1) / (n (n + 1) (2n + 1) / 3)."""
    rng = np.random.default_rng(2)
    spec = rng.standard_normal((2, 10, 50))
    n = 2
    padded = torch.nn.functional.pad(
        torch.from_numpy(spec).reshape(1, -1, 50), (n, n), mode="replicate"
    )
    kernel = torch.arange(-n, n + 1, dtype=torch.float64).repeat(20, 1, 1)
    ref = torch.nn.functional.conv1d(padded, kernel, groups=20) / (n * (n + 1) * (2 * n + 1) / 3)
    ours = ta.functional.compute_deltas(mx.array(spec.astype(np.float32)))
    assert_close(to_np(ours), ref.reshape(2, 10, 50).numpy(), 1e-5)
    with pytest.raises(ParameterError, match=r"win_length=4 must be odd"):
        ta.functional.compute_deltas(mx.array(spec.astype(np.float32)), win_length=4)


@pytest.mark.parametrize("sr", [16000, 22051])
def test_mel_spectrogram_sparse_and_dense_paths(wave, sr):
    """Even rates take mlxdsp's banded projection, odd rates torchaudio's dense filterbank: both exact."""
    x = torch.from_numpy(wave[0]).double()
    window = torch.hann_window(512, dtype=torch.float64)
    spec = torch.stft(x, 512, 256, 512, window, return_complex=True).abs()
    fb = _torch_mel_fb(257, 20.0, sr / 2 - 100, 60, sr, "slaney")
    ref = torch.matmul(spec.transpose(-1, -2), fb).transpose(-1, -2)
    transform = ta.transforms.MelSpectrogram(
        sample_rate=sr,
        n_fft=512,
        f_min=20.0,
        f_max=sr / 2 - 100,
        n_mels=60,
        power=1.0,
        norm="slaney",
    )
    assert (transform.sparse is not None) == (sr % 2 == 0)
    assert_close(to_np(transform(mx.array(wave[0]))), ref.numpy(), 1e-5)
