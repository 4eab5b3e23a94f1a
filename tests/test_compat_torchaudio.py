"""mlxdsp.compat.torchaudio against torch transcriptions of torchaudio 2.x's functional code.

torchaudio does not import on this machine (its wheel needs CUDA torch), so each reference below is
torchaudio's published algorithm written with torch CPU ops in float64: spectrogram = torch.stft
(+ window-norm scaling), melscale_fbanks = triangular filters on linspace(0, sr // 2, n_freqs),
amplitude_to_DB = clamp/log10 with per-example top_db, compute_deltas = conv1d with arange(-n, n+1).
"""

from __future__ import annotations

from pathlib import Path

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


# ---------------------------------------------------------------------------------------------------
# resampling, filtering, effects, inversion, I/O
# ---------------------------------------------------------------------------------------------------

REFERENCE = Path(__file__).parent / "reference"
SR = 16000


def _check(fn, args, ref, rtol=1e-5):
    """``fn(*args)`` and ``mx.compile(fn)(*args)`` against ``ref``: shape and dtype, then values."""
    ref = np.asarray(ref)
    for f in (fn, mx.compile(fn)):
        out = f(*args)
        assert out.shape == ref.shape
        want = mx.complex64 if np.iscomplexobj(ref) else mx.float32
        assert out.dtype == want
        assert_close(to_np(out), ref, rtol)


def test_resample_goldens():
    """functional.resample / transforms.Resample against recorded torchaudio 2.11 outputs."""
    data = np.load(REFERENCE / "torchaudio_resample.npz")
    x = mx.array(data["x"])
    for key in data.files:
        if not key.startswith("resample/"):
            continue
        _, method, orig, new = key.split("/")
        orig, new = int(orig), int(new)
        fn = lambda v, o=orig, n=new, m=method: ta.functional.resample(  # noqa: E731
            v, o, n, resampling_method=m
        )
        _check(fn, (x,), data[key])
        y = ta.transforms.Resample(orig, new, resampling_method=method)(x)
        assert_close(to_np(y), data[key], 1e-5, key)
    assert ta.functional.resample(x, 8000, 8000) is x
    with pytest.raises(ParameterError, match=r"resampling_method='hq' must be one of"):
        ta.functional.resample(x, 2, 3, resampling_method="hq")
    with pytest.raises(ParameterError, match=r"orig_freq=0, new_freq=3 must be positive"):
        ta.functional.resample(x, 0, 3)


BIQUADS = [  # same order and keys as tests/reference/generate_torchaudio.py
    ("lowpass", lambda v: ta.functional.lowpass_biquad(v, SR, 1000.0)),
    ("highpass", lambda v: ta.functional.highpass_biquad(v, SR, 500.0, Q=1.2)),
    ("allpass", lambda v: ta.functional.allpass_biquad(v, SR, 2000.0)),
    ("bandpass", lambda v: ta.functional.bandpass_biquad(v, SR, 1500.0, Q=2.0)),
    ("bandpass", lambda v: ta.functional.bandpass_biquad(v, SR, 1500.0, 2.0, True)),
    ("bandreject", lambda v: ta.functional.bandreject_biquad(v, SR, 3000.0)),
    ("equalizer", lambda v: ta.functional.equalizer_biquad(v, SR, 1000.0, 6.0, Q=1.5)),
    ("bass", lambda v: ta.functional.bass_biquad(v, SR, -4.0)),
    ("treble", lambda v: ta.functional.treble_biquad(v, SR, 3.0)),
    ("bass", lambda v: ta.functional.bass_biquad(v, SR, 5.0, central_freq=300.0)),
    ("treble", lambda v: ta.functional.treble_biquad(v, SR, -6.0, central_freq=4000.0)),
]


@pytest.mark.parametrize(
    "i", range(len(BIQUADS)), ids=[f"{k}{i}" for i, (k, _) in enumerate(BIQUADS)]
)
def test_biquad_goldens(i):
    """Named biquads against recorded torchaudio 2.11 outputs (2e-5: torchaudio's own float32
    sequential recursion contributes ~7e-6, as in tests/test_filter.py)."""
    data = np.load(REFERENCE / "torchaudio_biquad.npz")
    kind, fn = BIQUADS[i]
    _check(fn, (mx.array(data["x"]),), data[f"{kind}{i}"], 2e-5)


def _scipy_lfilter(x, a, b, clamp):
    import scipy.signal as ss

    y = ss.lfilter(np.asarray(b, np.float64), np.asarray(a, np.float64), x.astype(np.float64))
    return np.clip(y, -1, 1) if clamp else y


@pytest.mark.parametrize("clamp", [True, False])
def test_lfilter_filtfilt_biquad(clamp):
    """lfilter(waveform, a, b, clamp) and filtfilt (forward, then backward, no padding) against
    torchaudio's recursion (scipy.signal.lfilter from rest, float64; torchaudio's own tests use it)."""
    rng = np.random.default_rng(7)
    x = (0.8 * rng.standard_normal((3, 2, 900))).astype(np.float32)
    a, b = [1.0, -1.2, 0.5], [0.3, 0.2, 0.25]
    fn = lambda v: ta.functional.lfilter(v, mx.array(a), mx.array(b), clamp=clamp)  # noqa: E731
    _check(fn, (mx.array(x),), _scipy_lfilter(x, a, b, clamp))
    ref = _scipy_lfilter(_scipy_lfilter(x, a, b, False)[..., ::-1], a, b, clamp)[..., ::-1]
    fn = lambda v: ta.functional.filtfilt(v, mx.array(a), mx.array(b), clamp=clamp)  # noqa: E731
    _check(fn, (mx.array(x),), ref)
    if clamp:
        fn = lambda v: ta.functional.biquad(v, *b, *a)  # noqa: E731
        _check(fn, (mx.array(x),), _scipy_lfilter(x, a, b, True))


def test_lfilter_batching():
    """2-D coefficients: batching=True pairs filter i with row i of axis -2; False applies all filters
    to every row, adding an n_filters axis."""
    rng = np.random.default_rng(8)
    x = (0.3 * rng.standard_normal((4, 2, 300))).astype(np.float32)
    a = np.array([[1.0, -0.5], [1.0, 0.3]])
    b = np.array([[0.5, 0.5], [1.0, -1.0]])
    ours = ta.functional.lfilter(mx.array(x), mx.array(a), mx.array(b))
    ref = np.stack([_scipy_lfilter(x[:, i], a[i], b[i], True) for i in range(2)], axis=1)
    assert ours.shape == x.shape
    assert_close(to_np(ours), ref, 1e-5)
    ours = ta.functional.lfilter(mx.array(x), mx.array(a), mx.array(b), batching=False)
    ref = np.stack([_scipy_lfilter(x, a[i], b[i], True) for i in range(2)], axis=-2)
    assert ours.shape == (4, 2, 2, 300)
    assert_close(to_np(ours), ref, 1e-5)
    with pytest.raises(ParameterError, match=r"waveform.shape=\(4, 300\) must have 2 rows"):
        ta.functional.lfilter(mx.array(x[:, 0]), mx.array(a), mx.array(b))
    with pytest.raises(ParameterError, match=r"a_coeffs.shape=\(2, 2\) and b_coeffs.shape=\(2,\)"):
        ta.functional.lfilter(mx.array(x), mx.array(a), mx.array(b[0]))


def test_emphasis_and_mu_law(wave):
    """preemphasis/deemphasis (deemphasis clamped: torchaudio runs it through lfilter) and mu-law,
    against torch transcriptions of torchaudio's code."""
    x = torch.from_numpy(0.4 * wave).double()
    pre = x.clone()
    pre[..., 1:] -= 0.9 * x[..., :-1]
    _check(lambda v: ta.functional.preemphasis(v, 0.9), (mx.array(0.4 * wave),), pre.numpy())
    _check(ta.transforms.Preemphasis(), (mx.array(0.4 * wave),), ta_pre(x, 0.97))
    de = _scipy_lfilter(0.4 * wave, [1.0, -0.97], [1.0, 0.0], True)
    assert np.abs(de).max() == 1.0  # the clamp is exercised
    _check(ta.functional.deemphasis, (mx.array(0.4 * wave),), de)
    _check(ta.transforms.Deemphasis(), (mx.array(0.4 * wave),), de)

    xt = torch.from_numpy(np.clip(0.5 * wave, -1, 1))
    mu = torch.tensor(255.0)
    enc = (
        (torch.sign(xt) * torch.log1p(mu * xt.abs()) / torch.log1p(mu) + 1) / 2 * mu + 0.5
    ).long()
    codes = ta.transforms.MuLawEncoding()(mx.array(xt.numpy()))
    assert codes.shape == tuple(enc.shape) and codes.dtype == mx.int32
    assert np.mean(to_np(codes) == enc.numpy()) > 0.9999
    dec = enc.double() / mu * 2 - 1.0
    dec = torch.sign(dec) * (torch.exp(dec.abs() * torch.log1p(mu)) - 1.0) / mu
    _check(ta.transforms.MuLawDecoding(), (mx.array(enc.numpy().astype(np.int32)),), dec.numpy())
    _check(lambda c: ta.functional.mu_law_decoding(c, 256), (mx.array(enc.numpy()),), dec.numpy())


def ta_pre(x, coeff):
    y = x.clone()
    y[..., 1:] -= coeff * x[..., :-1]
    return y.numpy()


def _torch_convolve(x, y, mode):
    n = x.shape[-1] + y.shape[-1] - 1
    full = torch.fft.irfft(torch.fft.rfft(x, n=n) * torch.fft.rfft(y, n=n), n=n)
    if mode == "same":
        start = (n - x.shape[-1]) // 2
        return full[..., start : start + x.shape[-1]]
    if mode == "valid":
        m, k = max(x.shape[-1], y.shape[-1]), min(x.shape[-1], y.shape[-1])
        return full[..., k - 1 : k - 1 + m - k + 1]
    return full


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve(mode):
    """fftconvolve/convolve: torchaudio's rfft product and _apply_convolve_mode, leading dims broadcast."""
    rng = np.random.default_rng(9)
    x, h = rng.standard_normal((2, 3, 200)), rng.standard_normal((3, 31))
    ref = _torch_convolve(torch.from_numpy(x), torch.from_numpy(h), mode).numpy()
    args = (mx.array(x.astype(np.float32)), mx.array(h.astype(np.float32)))
    _check(lambda a, b: ta.functional.fftconvolve(a, b, mode), args, ref)
    _check(lambda a, b: ta.functional.convolve(a, b, mode), args, ref)


def _torch_griffinlim(spec, window, n_fft, hop, win, power, n_iter, momentum, length):
    spec = spec.pow(1 / power)
    angles = torch.ones(spec.shape, dtype=torch.complex128)
    tprev = torch.tensor(0.0, dtype=torch.float64)
    geo = dict(n_fft=n_fft, hop_length=hop, win_length=win, window=window)
    for _ in range(n_iter):
        inverse = torch.istft(spec * angles, length=length, **geo)
        rebuilt = torch.stft(inverse, pad_mode="reflect", return_complex=True, **geo)
        angles = rebuilt
        if momentum:
            angles = angles - tprev.mul_(momentum / (1 + momentum))
        angles = angles.div(angles.abs().add(1e-16))
        tprev = rebuilt
    return torch.istft(spec * angles, length=length, **geo)


@pytest.mark.parametrize("momentum,length", [(0.99, None), (0.0, 2000)])
def test_griffinlim_and_inverse_spectrogram(wave, momentum, length):
    """griffinlim (rand_init=False: phase zero) and inverse_spectrogram against torch.stft/istft."""
    x = torch.from_numpy(wave[0, :2, :2000]).double()
    window = torch.hann_window(256, dtype=torch.float64)
    X = torch.stft(x, 256, 64, 256, window, return_complex=True)
    w32 = mx.array(window.numpy().astype(np.float32))
    S = X.abs().pow(2)
    ref = _torch_griffinlim(S, window, 256, 64, 256, 2.0, 6, momentum, length)
    fn = lambda s: ta.functional.griffinlim(  # noqa: E731
        s, w32, 256, 64, 256, 2.0, 6, momentum, length, False
    )
    _check(fn, (mx.array(S.numpy().astype(np.float32)),), ref.numpy())
    gl = ta.transforms.GriffinLim(
        256, 6, hop_length=64, momentum=momentum, length=length, rand_init=False
    )
    assert_close(to_np(gl(mx.array(S.numpy().astype(np.float32)))), ref.numpy(), 1e-5)
    y = ta.transforms.GriffinLim(256, 2, hop_length=64, length=length)(
        mx.array(S.numpy().astype(np.float32)), key=mx.random.key(1)
    )
    assert y.shape == ref.shape
    with pytest.raises(ParameterError, match=r"momentum=1.0 must be in \[0, 1\)"):
        ta.transforms.GriffinLim(momentum=1.0)

    Xc = mx.array(X.numpy().astype(np.complex64))
    for normalized in (False, True):
        ref = torch.istft(
            X * (window.pow(2).sum().sqrt() if normalized else 1), 256, 64, 256, window
        )
        fn = lambda s, n=normalized: ta.functional.inverse_spectrogram(  # noqa: E731
            s, None, 0, w32, 256, 64, 256, n
        )
        _check(fn, (Xc,), ref.numpy())
    inv = ta.transforms.InverseSpectrogram(256, hop_length=64, pad=5)
    ref = torch.istft(X, 256, 64, 256, window, length=1990)[..., 5:-5]
    assert_close(to_np(inv(Xc, 1980)), ref.numpy(), 1e-5)
    with pytest.raises(ParameterError, match=r"spectrogram dtype=.*float32 must be complex"):
        inv(mx.abs(Xc))


def _torch_phase_vocoder(spec, rate, phase_advance):
    time_steps = torch.arange(0, spec.size(-1), rate, dtype=spec.real.dtype)
    alphas = time_steps % 1.0
    phase_0 = spec[..., :1].angle()
    spec = torch.nn.functional.pad(spec, [0, 2])
    s0 = spec.index_select(-1, time_steps.long())
    s1 = spec.index_select(-1, (time_steps + 1).long())
    phase = s1.angle() - s0.angle() - phase_advance
    phase = phase - 2 * np.pi * torch.round(phase / (2 * np.pi))
    phase = torch.cat([phase_0, (phase + phase_advance)[..., :-1]], dim=-1)
    mag = alphas * s1.abs() + (1 - alphas) * s0.abs()
    return torch.polar(mag, torch.cumsum(phase, -1))


@pytest.mark.parametrize("rate", [1.3, 0.7])
def test_time_stretch_phase_vocoder(wave, rate):
    """TimeStretch / phase_vocoder against a torch transcription of torchaudio's phase_vocoder."""
    x = torch.from_numpy(wave[0, :2, :4000]).double()
    X = torch.stft(
        x, 400, 200, 400, torch.hann_window(400, dtype=torch.float64), return_complex=True
    )
    adv = torch.linspace(0, np.pi * 200, 201, dtype=torch.float64)[..., None]
    ref = _torch_phase_vocoder(X, rate, adv).numpy()
    Xc = mx.array(X.numpy().astype(np.complex64))
    _check(lambda s: ta.transforms.TimeStretch(fixed_rate=rate)(s), (Xc,), ref)
    _check(lambda s: ta.functional.phase_vocoder(s, rate, adv.numpy()), (Xc,), ref)
    assert ta.transforms.TimeStretch()(Xc, 1.0) is Xc
    with pytest.raises(ParameterError, match=r"overriding_rate=None needs fixed_rate"):
        ta.transforms.TimeStretch()(Xc)


def test_mel_scale_centroid_vol_db(wave):
    """MelScale, SpectralCentroid, Vol, gain and DB_to_amplitude against torch transcriptions."""
    x = torch.from_numpy(wave[0]).double()
    window = torch.hann_window(400, dtype=torch.float64)
    spec = torch.stft(x, 400, 200, 400, window, return_complex=True).abs()
    fb = _torch_mel_fb(201, 0.0, 8000.0, 128, 16000, None)
    ref = torch.matmul(spec.pow(2).transpose(-1, -2), fb).transpose(-1, -2)
    _check(
        ta.transforms.MelScale(), (mx.array(spec.pow(2).numpy().astype(np.float32)),), ref.numpy()
    )
    freqs = torch.linspace(0, 8000, 201, dtype=torch.float64).reshape(-1, 1)
    ref = (freqs * spec).sum(-2) / spec.sum(-2)
    _check(ta.transforms.SpectralCentroid(16000), (mx.array(wave[0]),), ref.numpy())

    v = 0.7 * wave
    for gain, gain_type, factor in [
        (1.5, "amplitude", 1.5),
        (4.0, "db", 10**0.2),
        (2.0, "power", 2**0.5),
    ]:
        _check(ta.transforms.Vol(gain, gain_type), (mx.array(v),), np.clip(v * factor, -1, 1))
    _check(lambda s: ta.functional.gain(s, -3.0), (mx.array(v),), v * 10 ** (-3.0 / 20))
    db = 10 * np.log10(np.abs(wave) + 1e-3)
    _check(
        lambda s: ta.functional.DB_to_amplitude(s, 2.0, 0.5),
        (mx.array(db),),
        2.0 * np.power(np.power(10.0, 0.1 * db.astype(np.float64)), 0.5),
    )
    with pytest.raises(ParameterError, match=r"gain_type='linear' must be one of"):
        ta.transforms.Vol(1.0, "linear")
    with pytest.raises(ParameterError, match=r"gain=-1.0 must be >= 0"):
        ta.transforms.Vol(-1.0)


def test_compute_deltas_transform():
    rng = np.random.default_rng(3)
    spec = rng.standard_normal((10, 40)).astype(np.float32)
    ours = ta.transforms.ComputeDeltas(win_length=7)(mx.array(spec))
    assert_close(to_np(ours), to_np(ta.functional.compute_deltas(mx.array(spec), 7)), 0)


def test_load_save_info(tmp_path):
    """load (frame_offset, num_frames, channels_first), save (default 32-bit float WAV, PCM_S 16)
    and info against soundfile."""
    import soundfile as sf

    rng = np.random.default_rng(11)
    data = (0.5 * rng.standard_normal((2, 5000))).astype(np.float32)
    path = tmp_path / "a.wav"
    ta.save(path, mx.array(data), 22050)
    ref, sr = sf.read(path, dtype="float32", always_2d=True)
    assert sr == 22050 and sf.info(path).subtype == "FLOAT"
    np.testing.assert_array_equal(ref.T, data)
    meta = ta.info(path)
    assert (meta.sample_rate, meta.num_frames, meta.num_channels) == (22050, 5000, 2)
    assert (meta.encoding, meta.bits_per_sample) == ("PCM_F", 32)

    y, sr = ta.load(path, frame_offset=123, num_frames=777)
    assert sr == 22050 and y.shape == (2, 777) and y.dtype == mx.float32
    np.testing.assert_array_equal(to_np(y), ref.T[:, 123:900])
    y, _ = ta.load(path, channels_first=False)
    np.testing.assert_array_equal(to_np(y), ref)

    path16 = tmp_path / "b.wav"
    ta.save(
        path16, mx.array(data.T), 8000, channels_first=False, encoding="PCM_S", bits_per_sample=16
    )
    assert sf.info(path16).subtype == "PCM_16"
    meta = ta.info(path16)
    assert (meta.encoding, meta.bits_per_sample, meta.num_frames) == ("PCM_S", 16, 5000)
    y, sr = ta.load(path16)
    np.testing.assert_array_equal(to_np(y), sf.read(path16, dtype="float32", always_2d=True)[0].T)
    ta.save(tmp_path / "c.wav", mx.array(data), 8000, bits_per_sample=32)
    assert sf.info(tmp_path / "c.wav").subtype == "PCM_32"

    with pytest.raises(ParameterError, match=r"normalize=False is not supported"):
        ta.load(path, normalize=False)
    with pytest.raises(ParameterError, match=r"num_frames=0 positive or -1"):
        ta.load(path, num_frames=0)
    with pytest.raises(ParameterError, match=r"format='flac' must match the file extension 'wav'"):
        ta.save(path, mx.array(data), 8000, format="flac")
    with pytest.raises(ParameterError, match=r"encoding='PCM_S' with bits_per_sample=8"):
        ta.save(path, mx.array(data), 8000, encoding="PCM_S", bits_per_sample=8)


def _torch_fade(waveform, fade_in_len, fade_out_len, shape):
    """torchaudio.transforms.Fade._fade_in * _fade_out * waveform, transcribed (float64)."""
    n = waveform.shape[-1]
    fade = torch.linspace(0, 1, fade_in_len, dtype=torch.float64)
    fade = {
        "linear": fade,
        "exponential": torch.pow(2, (fade - 1)) * fade,
        "logarithmic": torch.log10(0.1 + fade) + 1,
        "quarter_sine": torch.sin(fade * np.pi / 2),
        "half_sine": torch.sin(fade * np.pi - np.pi / 2) / 2 + 0.5,
    }[shape]
    fade_in = torch.cat((fade, torch.ones(n - fade_in_len, dtype=torch.float64))).clamp_(0, 1)
    fade = torch.linspace(0, 1, fade_out_len, dtype=torch.float64)
    fade = {
        "linear": -fade + 1,
        "exponential": torch.pow(2, -fade) * (1 - fade),
        "logarithmic": torch.log10(1.1 - fade) + 1,
        "quarter_sine": torch.sin(fade * np.pi / 2 + np.pi / 2),
        "half_sine": torch.sin(fade * np.pi + np.pi / 2) / 2 + 0.5,
    }[shape]
    fade_out = torch.cat((torch.ones(n - fade_out_len, dtype=torch.float64), fade)).clamp_(0, 1)
    return (fade_in * fade_out * waveform).numpy()


@pytest.mark.parametrize(
    "shape", ["linear", "exponential", "logarithmic", "quarter_sine", "half_sine"]
)
def test_fade(wave, shape):
    """transforms.Fade against a torch transcription of torchaudio's _fade_in/_fade_out."""
    x = wave[0, :, :3000]
    for fade_in, fade_out in [(500, 1200), (0, 3000), (3000, 0)]:
        ref = _torch_fade(torch.from_numpy(x).double(), fade_in, fade_out, shape)
        _check(ta.transforms.Fade(fade_in, fade_out, shape), (mx.array(x),), ref)
    with pytest.raises(ParameterError, match=r"fade_shape='cosine' must be one of"):
        ta.transforms.Fade(fade_shape="cosine")
    with pytest.raises(ParameterError, match=r"fade_out_len=3001 must not exceed .* 3000"):
        ta.transforms.Fade(0, 3001)(mx.array(x))


@pytest.mark.parametrize("n_steps,sr", [(12, 8000), (-12, 8000), (6, 4000)])
def test_pitch_shift(wave, n_steps, sr):
    """functional.pitch_shift / transforms.PitchShift: torchaudio's _stretch_waveform transcribed in
    torch float64 (stft, phase_vocoder, istft to round(n / rate)), then resampled by the shim's
    ``resample`` (checked above against the torchaudio goldens; torchaudio's resample cannot run here),
    cut or zero-padded to n. Octave shifts keep the sinc ratio reducible (2:1, 1:2, 5656:4000)."""
    x = wave[0, :2, :3000]
    n_fft, hop = 512, 128
    rate = 2.0 ** (-n_steps / 12)
    window = torch.hann_window(n_fft, dtype=torch.float64)
    X = torch.stft(torch.from_numpy(x).double(), n_fft, hop, n_fft, window, return_complex=True)
    adv = torch.linspace(0, np.pi * hop, X.shape[-2], dtype=torch.float64)[..., None]
    stretched = torch.istft(
        _torch_phase_vocoder(X, rate, adv), n_fft, hop, n_fft, window, length=round(3000 / rate)
    )
    shifted = to_np(ta.functional.resample(mx.array(stretched.numpy()), int(sr / rate), sr))
    ref = (
        shifted[..., :3000]
        if shifted.shape[-1] >= 3000
        else np.pad(shifted, [(0, 0), (0, 3000 - shifted.shape[-1])])
    )
    _check(lambda v: ta.functional.pitch_shift(v, sr, n_steps), (mx.array(x),), ref)
    assert_close(to_np(ta.transforms.PitchShift(sr, n_steps)(mx.array(x))), ref, 1e-5)
