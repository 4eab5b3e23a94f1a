"""Effects against librosa 0.11: phase vocoder, time stretch, pitch shift, Griffin-Lim, mel/MFCC inversion,
HPSS, trim/split. Tolerances are the figures reached, stated per test."""

from __future__ import annotations

import librosa
import mlx.core as mx
import numpy as np
import pytest

import mlxdsp
from mlxdsp import ParameterError
from tests.conftest import rel_err, to_np

SR = 22050


@pytest.fixture(scope="module")
def y():
    rng = np.random.default_rng(0)
    t = np.arange(SR) / SR
    sig = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 1234 * t * (1 + 0.1 * t))
    sig = sig + 0.05 * rng.standard_normal(t.size)
    sig[::2000] += 1.0  # clicks for the percussive part
    return sig


def f32(a):
    return mx.array(np.asarray(a, dtype=np.complex64 if np.iscomplexobj(a) else np.float32))


@pytest.mark.parametrize("rate", [0.8, 1.25, 2.0])
def test_phase_vocoder_and_time_stretch(y, rate):
    D = librosa.stft(y, n_fft=1024)
    out = mlxdsp.phase_vocoder(f32(D), rate=rate)
    ref = librosa.phase_vocoder(D, rate=rate)
    assert out.shape == ref.shape and out.dtype == mx.complex64
    # running product of unit phasors, no float32 phase sum: measured 4e-7..1e-6 (1e-6..3e-6 stretched)
    assert rel_err(to_np(out), ref) <= 1e-5
    ref = librosa.effects.time_stretch(y, rate=rate, n_fft=1024)
    run = lambda a: mlxdsp.time_stretch(a, rate=rate, n_fft=1024)  # noqa: E731
    for fn in (run, mx.compile(run)):
        out = fn(f32(y))
        assert out.shape == ref.shape and out.dtype == mx.float32
        assert rel_err(to_np(out), ref) <= 1e-5


@pytest.mark.parametrize("seconds", [4, 6])
@pytest.mark.parametrize("rate", [0.8, 1.25])
def test_time_stretch_long_signal_two_streams(y, rate, seconds, monkeypatch):
    """6 s at n_fft 2048 (1025 x 259 bins): the vocoder splits the bins over two CPU streams (one stream
    with MLXDSP_CPU_STREAMS=0); 4 s: the STFT and iSTFT run in halves of frames around a one-stream
    vocoder; all match librosa."""
    ys = np.tile(y, seconds)
    ref = librosa.effects.time_stretch(ys, rate=rate)
    for streams in ("1", "0"):
        monkeypatch.setenv("MLXDSP_CPU_STREAMS", streams)
        out = mlxdsp.time_stretch(f32(ys), rate=rate)
        assert out.shape == ref.shape and out.dtype == mx.float32
        assert rel_err(to_np(out), ref) <= 1e-5  # measured 1e-6..4e-6


@pytest.mark.parametrize("rate", [0.84, 1.25])
def test_phase_vocoder_pieces_match_one_piece(rate, monkeypatch):
    """Long spectra run the vocoder in several pieces of bins per stream (each bin's steps are
    independent): bit-identical to one piece."""
    from mlxdsp import _vocoder

    rng = np.random.default_rng(3)
    D = f32(rng.standard_normal((1025, 300)) + 1j * rng.standard_normal((1025, 300)))
    whole = to_np(mlxdsp.phase_vocoder(D, rate=rate))
    monkeypatch.setattr(_vocoder, "_PIECE_BYTES", 1 << 20)  # ~50 bins per piece
    pieces = to_np(mlxdsp.phase_vocoder(D, rate=rate))
    assert pieces.shape == whole.shape == (1025, -(-300 // rate))
    np.testing.assert_array_equal(pieces, whole)


@pytest.mark.parametrize("n_frames", [1, 2, 8, 9, 17])
def test_phase_vocoder_short_spectra(n_frames):
    """Step counts around the prefix product's block of 8 (a single chain, padded blocks)."""
    rng = np.random.default_rng(4)
    D = rng.standard_normal((3, 65, n_frames)) + 1j * rng.standard_normal((3, 65, n_frames))
    D[..., 0, :] = 0  # zero bins: unit phasor 1
    for rate in (0.84, 1.0, 1.25):
        ref = librosa.phase_vocoder(D, rate=rate, hop_length=32, n_fft=128)
        out = mlxdsp.phase_vocoder(f32(D), rate=rate)
        assert out.shape == ref.shape and out.dtype == mx.complex64
        assert rel_err(to_np(out), ref) <= 1e-5


def test_phase_vocoder_no_frames():
    assert mlxdsp.phase_vocoder(mx.zeros((5, 0), dtype=mx.complex64), rate=0.5).shape == (5, 0)


@pytest.mark.parametrize("n_steps", [4, -3])
def test_pitch_shift_matches_librosa_fft(y, n_steps):
    ref = librosa.effects.pitch_shift(y, sr=SR, n_steps=n_steps, res_type="fft", n_fft=1024)
    out = mlxdsp.pitch_shift(f32(y), sr=SR, n_steps=n_steps, method="fft", n_fft=1024)
    assert out.shape == ref.shape
    assert rel_err(to_np(out), ref) <= 1e-5  # measured 1.6e-6..1.8e-6


@pytest.mark.parametrize("n_steps", [3, 4])
def test_pitch_shift_fft_long_signal_matches_librosa(y, n_steps):
    """4 s: the DFT resampling to librosa's own length ceil(n * rate) (a fraction's length differed by a
    sample there and re-timed the whole signal: 0.16 relative error at +3)."""
    ys = np.tile(y, 4)
    ref = librosa.effects.pitch_shift(ys, sr=SR, n_steps=n_steps, res_type="fft")
    out = mlxdsp.pitch_shift(f32(ys), sr=SR, n_steps=n_steps, method="fft")
    assert out.shape == ref.shape and out.dtype == mx.float32
    assert rel_err(to_np(out), ref) <= 1e-5


def test_pitch_shift_moves_a_tone():
    t = np.arange(SR) / SR
    tone = np.sin(2 * np.pi * 440 * t)
    out = to_np(mlxdsp.pitch_shift(f32(tone), sr=SR, n_steps=12))
    spec = np.abs(np.fft.rfft(out[4000:-4000] * np.hanning(out.size - 8000)))
    peak = np.argmax(spec) * SR / (out.size - 8000)
    assert abs(peak - 880) < 5


@pytest.mark.parametrize("n_iter", [1, 32])
def test_griffin_lim_fixed_random_init(y, n_iter):
    S = np.abs(librosa.stft(y, n_fft=1024))
    phases = np.exp(2j * np.pi * np.random.default_rng(3).random(S.shape))
    ref = librosa.griffinlim(S, n_iter=n_iter, n_fft=1024, random_state=np.random.default_rng(3))
    out = mlxdsp.griffin_lim(f32(S), n_iter=n_iter, init=f32(phases))
    assert out.shape == ref.shape
    assert rel_err(to_np(out), ref) <= 2e-4  # measured 5e-5 after 32 iterations


@pytest.mark.parametrize(
    "kw", [dict(), dict(length=3 * SR - 100), dict(center=False), dict(pad_mode="reflect")]
)
def test_griffin_lim_long_signal_frame_domain(y, kw, monkeypatch):
    """517 frames: the frame-domain loop runs in two halves on two CPU streams (one stream with
    MLXDSP_CPU_STREAMS=0; reflect padding takes the signal-domain loop); each matches librosa, compiled too."""
    ys = np.tile(y, 3)
    S = np.abs(librosa.stft(ys, n_fft=512, center=kw.get("center", True)))
    phases = np.exp(2j * np.pi * np.random.default_rng(5).random(S.shape))
    ref = librosa.griffinlim(S, n_iter=8, n_fft=512, random_state=np.random.default_rng(5), **kw)
    run = lambda s, p: mlxdsp.griffin_lim(s, n_iter=8, init=p, **kw)  # noqa: E731
    for streams in ("1", "0"):
        monkeypatch.setenv("MLXDSP_CPU_STREAMS", streams)
        for fn in (run, mx.compile(run)):
            out = fn(f32(S), f32(phases))
            assert out.shape == ref.shape and out.dtype == mx.float32
            assert rel_err(to_np(out), ref) <= 2e-5  # measured 3e-6..4e-6


def test_griffin_lim_zero_init_no_momentum_and_random(y):
    S = np.abs(librosa.stft(y, n_fft=512))
    ref = librosa.griffinlim(S, n_iter=8, init=None, momentum=0.0, length=y.size)
    out = mlxdsp.griffin_lim(f32(S), n_iter=8, init="zeros", momentum=0.0, length=y.size)
    assert rel_err(to_np(out), ref) <= 1e-4
    a = mlxdsp.griffin_lim(f32(S), n_iter=2, key=mx.random.key(1))
    b = mlxdsp.griffin_lim(f32(S), n_iter=2, key=mx.random.key(1))
    assert np.array_equal(to_np(a), to_np(b))


def test_griffin_lim_gradient_small_step(y):
    """vjp through 2 momentum iterations vs float64 central differences of librosa.griffinlim (step 1e-6)."""
    S = np.abs(librosa.stft(y[:2000], n_fft=256))[None]
    S = S / S.max() + 0.1
    u = np.random.default_rng(7).standard_normal((1, 64 * (S.shape[-1] - 1)))
    v = np.random.default_rng(3).standard_normal(S.shape)
    fn = lambda s: mlxdsp.griffin_lim(s, n_iter=2, init="zeros", momentum=0.5)  # noqa: E731
    g = mx.grad(lambda s: mx.sum(fn(s) * f32(u)))(f32(S))
    ref = lambda s: np.sum(u * librosa.griffinlim(s, n_iter=2, init=None, momentum=0.5, n_fft=256))  # noqa: E731
    fd = (ref(S + 1e-6 * v) - ref(S - 1e-6 * v)) / 2e-6
    assert abs(float(np.sum(to_np(g) * v)) - fd) <= 1e-3 * abs(fd)


def test_mel_to_stft_fits_as_well_as_librosa(y):
    M = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, n_mels=64)
    basis = librosa.filters.mel(sr=SR, n_fft=1024, n_mels=64)
    ref = librosa.feature.inverse.mel_to_stft(M, sr=SR, n_fft=1024)
    out = to_np(mlxdsp.mel_to_stft(f32(M), sr=SR, n_fft=1024))
    assert out.shape == ref.shape and out.min() >= 0
    # the NNLS problem is under-determined: compare how well each solution explains M (ours 1.3e-3,
    # librosa's L-BFGS-B 4.8e-3), and that the two solutions are close (measured 0.13)
    assert rel_err(basis @ out**2, M) <= 1.5 * rel_err(basis @ ref**2, M)
    assert rel_err(out, ref) <= 0.2


def test_mfcc_to_mel_and_audio(y):
    mf = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20, n_mels=64)
    for lifter in (0, 22):
        ref = librosa.feature.inverse.mfcc_to_mel(mf, n_mels=64, lifter=lifter)
        assert rel_err(to_np(mlxdsp.mfcc_to_mel(f32(mf), n_mels=64, lifter=lifter)), ref) <= 1e-5
    audio = mlxdsp.mfcc_to_audio(f32(mf[:, :20]), sr=SR, n_mels=64, n_iter=4, init="zeros")
    assert audio.shape == (512 * 19,) and np.isfinite(to_np(audio)).all()
    M = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=1024, n_mels=64)
    audio = mlxdsp.mel_to_audio(f32(M), sr=SR, n_fft=1024, hop_length=512, n_iter=8, length=y.size)
    assert audio.shape == y.shape


@pytest.mark.parametrize(
    "kw", [dict(), dict(margin=2.0), dict(kernel_size=(17, 9), power=1.0), dict(mask=True)]
)
def test_hpss_matches_librosa(y, kw):
    D = librosa.stft(y, n_fft=1024)
    for S in (np.abs(D), D):
        rh, rp = librosa.decompose.hpss(S, **kw)
        h, p = mlxdsp.hpss(f32(S), **kw)
        assert rel_err(to_np(h), rh) <= 1e-5 and rel_err(to_np(p), rp) <= 1e-5


@pytest.mark.parametrize("size", [3, 5, 7, 31, 35, 37])
def test_median_filter_matches_scipy(size):
    """Min/max networks up to size 35 (four outputs per shared core), the gathered stack beyond; lengths
    around the network's threshold (size // 2 + 4) and not multiples of four; both axes; compiled."""
    import scipy.ndimage

    rng = np.random.default_rng(size)
    for n in sorted({size // 2 + 3, size // 2 + 4, size // 2 + 5, 2 * size + 1, 50}):
        x = rng.standard_normal((2, 3, n)).astype(np.float32)
        x[0, 0, 1::3] = x[0, 0, 0]  # ties
        for axis in (-1, 1):
            xs = np.swapaxes(x, -1, 1) if axis == 1 else x
            fp = [1] * 3
            fp[axis] = size
            ref = scipy.ndimage.median_filter(xs, size=fp, mode="reflect")
            run = lambda a, axis=axis: mlxdsp.median_filter(a, size=size, axis=axis)  # noqa: E731
            for fn in (run, mx.compile(run)):
                out = fn(mx.array(xs))
                assert out.shape == xs.shape and out.dtype == mx.float32
                assert np.array_equal(to_np(out), ref), (size, n, axis)


def test_trim_and_split_match_librosa(y):
    ys = np.concatenate([np.zeros(5000), y, np.zeros(7000), y[:3000], np.zeros(4000)])
    out, (s, e) = mlxdsp.trim(f32(ys))
    _, ref = librosa.effects.trim(ys)
    assert (s, e) == tuple(ref) and out.shape == (e - s,)
    for top_db in (20, 30, 60):
        assert (
            mlxdsp.split(f32(ys), top_db=top_db).tolist()
            == librosa.effects.split(ys, top_db=top_db).tolist()
        )
    stereo = np.stack([ys, 0.5 * ys])
    assert (
        mlxdsp.split(f32(stereo), top_db=20).tolist()
        == librosa.effects.split(stereo, top_db=20).tolist()
    )


def test_errors():
    with pytest.raises(ParameterError, match=r"\[phase_vocoder\] rate=0.0 must be > 0.0"):
        mlxdsp.phase_vocoder(mx.zeros((5, 4), dtype=mx.complex64), rate=0)
    with pytest.raises(
        ParameterError, match=r"\[griffin_lim\] init='ones' must be one of 'random', 'zeros'"
    ):
        mlxdsp.griffin_lim(mx.zeros((5, 4)), init="ones")
    with pytest.raises(ParameterError, match=r"\[hpss\] kernel_size=30 must be odd"):
        mlxdsp.hpss(mx.zeros((5, 4)), kernel_size=30)
    with pytest.raises(ParameterError, match=r"\[mel_to_stft\] mel_scale='mel' must be one of"):
        mlxdsp.mel_to_stft(mx.ones((8, 3)), sr=8000, n_fft=64, mel_scale="mel")
    with pytest.raises(
        ParameterError, match=r"\[mfcc_to_mel\] dct_type=3, norm='ortho': only dct_type=2"
    ):
        mlxdsp.mfcc_to_mel(mx.zeros((5, 4)), dct_type=3)
