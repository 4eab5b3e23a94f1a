"""Spectral core: transform-table cases, and the float64 references the spectral tests share.

The references are independent of mlxdsp: torch (float64) for torch.stft/istft and for transcriptions of
torchaudio (which does not import on this machine), librosa 0.11 and SciPy with float64 input. The
helpers ``check_parity`` (JAX's ``_CheckAgainstNumpy`` + ``_CompileAndCheck``) and the hypothesis
strategies live here too so that every spectral test file uses the same ones.
"""

from __future__ import annotations

import json
import math
import os
import warnings

import librosa
import mlx.core as mx
import numpy as np
import scipy.fft
import scipy.signal
import torch
from hypothesis import strategies as st

import mlxdsp

from . import Case

# ----------------------------------------------------------------------------------------------------
# Parity checking: eager and compiled, shape and dtype before values.
# ----------------------------------------------------------------------------------------------------

_PARITY_LOG = os.environ.get("MLXDSP_PARITY_LOG")


def _np(y) -> np.ndarray:
    mx.eval(y)
    return np.array(y)


def rel_err(actual, expected) -> float:
    """Frobenius norm of the difference over that of the reference, in float64 (as conftest.rel_err)."""
    a = np.asarray(actual)
    e = np.asarray(expected)
    a = a.astype(np.complex128 if np.iscomplexobj(a) or np.iscomplexobj(e) else np.float64)
    e = e.astype(a.dtype)
    assert a.shape == e.shape, f"shape {a.shape} != reference {e.shape}"
    denom = np.linalg.norm(e.ravel())
    diff = np.linalg.norm((a - e).ravel())
    return float(diff / denom) if denom > 0 else float(diff)


def log_parity(what: str, err: float) -> None:
    """Append a measured parity figure to $MLXDSP_PARITY_LOG (JSON lines) when that is set."""
    if _PARITY_LOG:
        with open(_PARITY_LOG, "a") as f:
            f.write(json.dumps({"what": what, "rel_err": err}) + "\n")


def check_parity(fn, args, expected, *, dtype, what, rtol=1e-5, mask=None, compile=True) -> float:
    """Run ``fn(*args)`` eagerly and under ``mx.compile``; check shape, dtype, then rel_err <= rtol.

    ``expected`` is the float64/complex128 reference. ``mask`` (boolean, broadcastable to the output)
    restricts the value comparison to the samples where a documented convention makes them comparable.
    Returns the larger of the two relative errors.
    """
    outputs = [("eager", fn(*args))]
    if compile:
        outputs.append(("compiled", mx.compile(fn)(*args)))
    worst = 0.0
    expected = np.asarray(expected)
    for label, y in outputs:
        assert tuple(y.shape) == expected.shape, (
            f"{what} [{label}] shape {tuple(y.shape)} != {expected.shape}"
        )
        assert y.dtype == dtype, f"{what} [{label}] dtype {y.dtype} != {dtype}"
        got = _np(y)
        if mask is not None:
            m = np.broadcast_to(mask, expected.shape)
            err = rel_err(got[m], expected[m])
        else:
            err = rel_err(got, expected)
        assert err <= rtol, f"{what} [{label}] relative error {err:.3e} > {rtol:.1e}"
        worst = max(worst, err)
    log_parity(what, worst)
    return worst


# ----------------------------------------------------------------------------------------------------
# Windows and hypothesis strategies.
# ----------------------------------------------------------------------------------------------------

PLAIN_WINDOWS = (
    "hann",
    "hamming",
    "blackman",
    "bartlett",
    "boxcar",
    "rectangular",
    "ones",
    "cosine",
    "tukey",
)


def window_specs():
    """Every window family of get_window, with its parameter drawn where it has one."""
    return st.one_of(
        st.sampled_from(PLAIN_WINDOWS),
        st.tuples(st.just("kaiser"), st.floats(0.0, 20.0)),
        # (tiny alphas, e.g. subnormal, overflow -2/alpha in SciPy's formula and give NaN windows)
        st.tuples(st.just("tukey"), st.one_of(st.just(0.0), st.floats(1e-3, 1.0))),
        st.tuples(st.just("gaussian"), st.floats(0.5, 64.0)),
    )


def scipy_window(spec, n: int, periodic: bool = True) -> np.ndarray:
    """The float64 reference window (scipy.signal.get_window; fftbins=periodic)."""
    return scipy.signal.get_window(spec, n, fftbins=periodic)


def padded_window(spec, win_length: int, n_fft: int) -> np.ndarray:
    """The periodic window zero-padded (centred) to n_fft, as torch.stft and librosa.util.pad_center."""
    w = scipy_window(spec, win_length)
    left = (n_fft - win_length) // 2
    return np.pad(w, (left, n_fft - win_length - left))


def leading_shapes():
    """0 to 3 leading batch dims of sizes 1..3."""
    return st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


def _n_frames(length, n_fft, hop, center):
    padded = length + 2 * (n_fft // 2) if center else length
    return 1 + (padded - n_fft) // hop


PAD_MODES = ("reflect", "constant", "edge")
# Bound on batch * n_frames * n_fft for one drawn example (keeps hop=1 with n_fft=4096 in check).
ELEMENTS = 400_000


@st.composite
def stft_configs(draw, *, pad_modes=PAD_MODES, elements=ELEMENTS, max_frames=400):
    """n_fft 16..4096 (odd included), win_length <= n_fft, hop 1..n_fft, every window, both centers,
    every pad mode, 0-3 leading dims; the signal length keeps batch * n_frames * n_fft bounded."""
    n_fft = draw(st.one_of(st.integers(16, 300), st.integers(16, 4096)), label="n_fft")
    win_length = draw(st.one_of(st.just(n_fft), st.integers(1, n_fft)), label="win_length")
    center = draw(st.booleans(), label="center")
    pad_mode = draw(st.sampled_from(pad_modes), label="pad_mode")
    lead = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple), label="lead")
    batch = math.prod(lead)
    frames_budget = max(2, min(max_frames, elements // (n_fft * batch)))
    # The shortest signal the options allow, and the hop that keeps it within the budget.
    if not center:
        min_length = n_fft
    elif pad_mode == "reflect":
        # reflect padding must be shorter than the signal (torch, NumPy)
        min_length = n_fft // 2 + 1
    else:
        min_length = 1
    min_hop = 1
    while _n_frames(min_length, n_fft, min_hop, center) > frames_budget:
        min_hop += max(1, min_hop // 2)
    min_hop = min(min_hop, n_fft)
    hop = draw(
        st.one_of(st.integers(min_hop, max(min_hop, win_length // 4)), st.integers(min_hop, n_fft)),
        label="hop",
    )
    max_length = min_length
    while (
        _n_frames(max_length + hop, n_fft, hop, center) <= frames_budget
        and max_length < min_length + 20000
    ):
        max_length += hop
    max_length += hop - 1
    length = draw(st.integers(min_length, max_length), label="length")
    window = draw(window_specs(), label="window")
    return dict(
        n_fft=n_fft,
        win_length=win_length,
        hop_length=hop,
        window=window,
        center=center,
        pad_mode=pad_mode,
        lead=lead,
        length=length,
    )


# ----------------------------------------------------------------------------------------------------
# float64 references.
# ----------------------------------------------------------------------------------------------------

TORCH_PAD = {"reflect": "reflect", "constant": "constant", "edge": "replicate"}


def _flat(x: np.ndarray) -> tuple[tuple, torch.Tensor]:
    x = np.ascontiguousarray(x, dtype=np.float64)
    return x.shape[:-1], torch.from_numpy(x.reshape(-1, x.shape[-1]))


def torch_stft64(
    x,
    *,
    n_fft,
    hop_length,
    win_length=None,
    window="hann",
    center=True,
    pad_mode="reflect",
    normalized=False,
    onesided=True,
):
    """torch.stft in float64 (window = scipy's periodic window; our "edge" is torch's "replicate")."""
    win_length = n_fft if win_length is None else win_length
    lead, xt = _flat(x)
    w = torch.from_numpy(np.asarray(scipy_window(window, win_length), dtype=np.float64))
    X = torch.stft(
        xt,
        n_fft,
        hop_length,
        win_length,
        w,
        center=center,
        pad_mode=TORCH_PAD[pad_mode],
        normalized=normalized,
        onesided=onesided,
        return_complex=True,
    )
    return X.numpy().reshape(*lead, *X.shape[-2:])


def torch_istft64(
    X,
    *,
    n_fft,
    hop_length,
    win_length=None,
    window="hann",
    center=True,
    normalized=False,
    onesided=True,
    length=None,
):
    """torch.istft in complex128/float64 with scipy's periodic window."""
    win_length = n_fft if win_length is None else win_length
    X = np.ascontiguousarray(X, dtype=np.complex128)
    lead = X.shape[:-2]
    Xt = torch.from_numpy(X.reshape(-1, *X.shape[-2:]))
    w = torch.from_numpy(np.asarray(scipy_window(window, win_length), dtype=np.float64))
    # torch warns "padded with zeros in the tail" when length is longer: intended here.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The length of signal is shorter", category=UserWarning
        )
        y = torch.istft(
            Xt,
            n_fft,
            hop_length,
            win_length,
            w,
            center=center,
            normalized=normalized,
            onesided=onesided,
            length=length,
        )
    return y.numpy().reshape(*lead, y.shape[-1])


def librosa_stft64(x, *, n_fft, hop_length, win_length=None, window="hann", center=True, pad_mode):
    """librosa 0.11 stft on float64 input (complex128 out); its "n_fft too large" warning (a signal
    shorter than n_fft, centred) is not ours to raise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_fft=.* is too large", category=UserWarning)
        return librosa.stft(
            np.asarray(x, dtype=np.float64),
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )


def librosa_istft64(
    X, *, n_fft, hop_length, win_length=None, window="hann", center=True, length=None
):
    """librosa 0.11 istft on complex128 input (float64 out)."""
    return librosa.istft(
        np.asarray(X, dtype=np.complex128),
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        length=length,
    )


def librosa_mel64(**kwargs):
    """librosa.filters.mel in float64; its "empty filters" warning is not ours to raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return librosa.filters.mel(dtype=np.float64, **kwargs)


def librosa_melspectrogram64(x, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return librosa.feature.melspectrogram(y=np.asarray(x, dtype=np.float64), **kwargs)


def librosa_mfcc64(x, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return librosa.feature.mfcc(y=np.asarray(x, dtype=np.float64), **kwargs)


def torchaudio_amplitude_to_db64(x, *, multiplier, amin, db_multiplier, top_db):
    """float64 NumPy transcription of torchaudio.functional.amplitude_to_DB (torchaudio 2.x).

    torchaudio does not import on this machine (its wheel needs CUDA torch), so its per-example clipping
    is transcribed line by line: ``x_db = multiplier * log10(clamp(x, amin)) - multiplier * db_multiplier``,
    then the input is packed as ``[-1, C, F, T]`` (C = shape[-3] when ndim > 2, else 1) and each packed
    example is floored at its own max - top_db. ``AmplitudeToDB(stype, top_db)`` calls it with
    multiplier 10 (power) or 20 (magnitude), amin=1e-10, db_multiplier=log10(max(amin, ref=1)) = 0.
    """
    x = np.asarray(x, dtype=np.float64)
    x_db = multiplier * np.log10(np.maximum(x, amin))
    x_db = x_db - multiplier * db_multiplier
    if top_db is not None:
        shape = x_db.shape
        packed_channels = shape[-3] if x_db.ndim > 2 else 1
        packed = x_db.reshape(-1, packed_channels, shape[-2], shape[-1])
        peak = packed.max(axis=(-3, -2, -1)) - top_db
        packed = np.maximum(packed, peak.reshape(-1, 1, 1, 1))
        x_db = packed.reshape(shape)
    return x_db


def torchaudio_melspectrogram64(
    x, *, sr, n_fft, hop_length, win_length=None, power=2.0, n_mels=128, fmin=0.0, fmax=None
):
    """Transcription of torchaudio.transforms.MelSpectrogram (defaults: periodic hann, center=True,
    pad_mode="reflect", normalized=False, mel_scale="htk", norm=None) in float64.

    Spectrogram from torch.stft (float64); filterbank from librosa.filters.mel(htk=True, norm=None).
    torchaudio's melscale_fbanks uses bin frequencies linspace(0, sr // 2, n_fft // 2 + 1), which equal
    librosa's k * sr / n_fft only when sr and n_fft are both even: callers must use even sr and n_fft.
    """
    assert sr % 2 == 0 and n_fft % 2 == 0, (
        "torchaudio's bins equal librosa's only for even sr, n_fft"
    )
    X = torch_stft64(
        x, n_fft=n_fft, hop_length=hop_length, win_length=win_length, pad_mode="reflect"
    )
    spec = np.abs(X) ** power
    fb = librosa_mel64(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=True, norm=None)
    return np.einsum("mf,...ft->...mt", fb, spec)


def torchaudio_mfcc64(x, *, sr, n_mfcc, n_fft, hop_length, n_mels, dct_norm="ortho", top_db=80.0):
    """Transcription of torchaudio.transforms.MFCC (dct_type=2, log_mels=False): MelSpectrogram as
    above, AmplitudeToDB("power", top_db) (per-example clipping), then torchaudio's create_dct matrix."""
    mel = torchaudio_melspectrogram64(x, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)
    mel_db = torchaudio_amplitude_to_db64(
        mel, multiplier=10.0, amin=1e-10, db_multiplier=0.0, top_db=top_db
    )
    # torchaudio.functional.create_dct(n_mfcc, n_mels, norm)
    n = np.arange(float(n_mels))
    k = np.arange(float(n_mfcc))[:, None]
    dct_mat = np.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if dct_norm is None:
        dct_mat *= 2.0
    else:
        dct_mat[0] *= 1.0 / math.sqrt(2.0)
        dct_mat *= math.sqrt(2.0 / float(n_mels))
    return np.einsum("km,...mt->...kt", dct_mat, mel_db)


def overlap_add64(frames: np.ndarray, hop_length: int, length: int | None = None) -> np.ndarray:
    """Plain loop overlap-add of [..., frame_length, n_frames]."""
    frames = np.asarray(frames)
    frame_length, count = frames.shape[-2], frames.shape[-1]
    total = frame_length + hop_length * (count - 1)
    out = np.zeros((*frames.shape[:-2], total), dtype=frames.dtype)
    for t in range(count):
        out[..., t * hop_length : t * hop_length + frame_length] += frames[..., :, t]
    if length is not None:
        out = (
            out[..., :length]
            if length <= total
            else np.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, length - total)])
        )
    return out


def frame64(x: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    return np.ascontiguousarray(
        librosa.util.frame(np.asarray(x), frame_length=frame_length, hop_length=hop_length, axis=-1)
    )


# ----------------------------------------------------------------------------------------------------
# Transform-table cases. Inputs: leading batch axis of 3, small sizes.
# ----------------------------------------------------------------------------------------------------


def _noise(*shape):
    return lambda rng: (rng.standard_normal((3, *shape)).astype(np.float32),)


def _complex(*shape):
    return lambda rng: (
        rng.standard_normal((3, *shape)).astype(np.float32),
        rng.standard_normal((3, *shape)).astype(np.float32),
    )


def _uniform(low, high, *shape):
    return lambda rng: (rng.uniform(low, high, (3, *shape)).astype(np.float32),)


def _two_level(*shape):
    """Half the entries 20-40 dB below the peak, half within 15 dB of it: with top_db=20 the clipping is
    active, and no entry lies near the clipping threshold (finite differences would straddle it)."""

    def make(rng):
        low = rng.random((3, *shape)) < 0.5
        exponent = np.where(
            low, rng.uniform(-4.0, -3.0, low.shape), rng.uniform(-1.5, 0.0, low.shape)
        )
        return ((10.0**exponent).astype(np.float32),)

    return make


def _stft_case(label, *, T, ref, **opts):
    return Case(
        "stft",
        lambda x: mlxdsp.stft(x, **opts),
        _noise(T),
        ref64=ref,
        label=label,
    )


_MEL = dict(sr=8000, n_fft=128, hop_length=32, n_mels=20)
_MEL_LIBROSA = dict(sr=8000, n_fft=128, hop_length=32, n_mels=20, pad_mode="reflect")

CASES = [
    # --- stft ---
    _stft_case(
        "reflect",
        T=256,
        n_fft=32,
        hop_length=8,
        ref=lambda x: librosa_stft64(x, n_fft=32, hop_length=8, pad_mode="reflect"),
    ),
    _stft_case(
        "constant,odd,win<n_fft,kaiser",
        T=200,
        n_fft=31,
        hop_length=7,
        win_length=20,
        window=("kaiser", 6.0),
        pad_mode="constant",
        ref=lambda x: librosa_stft64(
            x, n_fft=31, hop_length=7, win_length=20, window=("kaiser", 6.0), pad_mode="constant"
        ),
    ),
    _stft_case(
        "edge,normalized,two-sided",
        T=150,
        n_fft=24,
        hop_length=10,
        pad_mode="edge",
        normalized=True,
        onesided=False,
        ref=lambda x: torch_stft64(
            x, n_fft=24, hop_length=10, pad_mode="edge", normalized=True, onesided=False
        ),
    ),
    _stft_case(
        "no-center,hop=1(gather path)",
        T=100,
        n_fft=40,
        hop_length=1,
        center=False,
        ref=lambda x: librosa_stft64(x, n_fft=40, hop_length=1, center=False, pad_mode="constant"),
    ),
    # --- istft (input: a complex spectrum built from two real arrays inside fn) ---
    Case(
        "istft",
        lambda re, im: mlxdsp.istft(re + 1j * im, n_fft=32, hop_length=8),
        _complex(17, 9),
        grad_argnums=(0, 1),
        ref64=lambda re, im: librosa_istft64(re + 1j * im, n_fft=32, hop_length=8),
        label="hann,n_fft=32,hop=8",
    ),
    Case(
        "istft",
        lambda re, im: mlxdsp.istft(
            re + 1j * im, n_fft=31, hop_length=5, win_length=24, window="hamming", length=50
        ),
        _complex(16, 11),
        grad_argnums=(0, 1),
        ref64=lambda re, im: librosa_istft64(
            re + 1j * im, n_fft=31, hop_length=5, win_length=24, window="hamming", length=50
        ),
        label="odd,win<n_fft,length",
    ),
    Case(
        "istft",
        lambda re, im: mlxdsp.istft(re + 1j * im, n_fft=40, hop_length=1),
        _complex(21, 12),
        grad_argnums=(0, 1),
        ref64=lambda re, im: librosa_istft64(re + 1j * im, n_fft=40, hop_length=1),
        label="hop=1(scatter path)",
    ),
    Case(
        "istft",
        lambda x: mlxdsp.istft(
            mlxdsp.stft(x, n_fft=32, hop_length=8), n_fft=32, hop_length=8, length=120
        ),
        _noise(120),
        ref64=lambda x: x,
        label="istft(stft(x))",
    ),
    # --- spectrogram, magphase ---
    Case(
        "spectrogram",
        lambda x: mlxdsp.spectrogram(x, n_fft=32, hop_length=8, power=2.0),
        _noise(200),
        ref64=lambda x: np.abs(librosa_stft64(x, n_fft=32, hop_length=8, pad_mode="reflect")) ** 2,
        label="power=2",
    ),
    Case(
        "spectrogram",
        lambda x: mlxdsp.spectrogram(x, n_fft=32, hop_length=8, power=1.0),
        _noise(200),
        ref64=lambda x: np.abs(librosa_stft64(x, n_fft=32, hop_length=8, pad_mode="reflect")),
        label="power=1",
    ),
    Case(
        "magphase",
        lambda re, im: mlxdsp.magphase(re + 1j * im, power=2.0)[0],
        _complex(9, 10),
        grad_argnums=(0, 1),
        ref64=lambda re, im: librosa.magphase(re + 1j * im, power=2.0)[0],
        label="magnitude**2",
    ),
    Case(
        "magphase",
        lambda re, im: mlxdsp.magphase(re + 1j * im)[1],
        _complex(9, 10),
        grad_argnums=(0, 1),
        ref64=lambda re, im: librosa.magphase(re + 1j * im)[1],
        label="phase",
    ),
    # --- decibels ---
    Case(
        "power_to_db",
        lambda S: mlxdsp.power_to_db(S, top_db=80.0),
        _uniform(0.01, 1.0, 8, 10),
        ref64=lambda S: librosa.power_to_db(S, top_db=80.0),
        label="global,no clipping",
    ),
    Case(
        "power_to_db",
        lambda S: mlxdsp.power_to_db(S, amin=1e-10, top_db=20.0, top_db_scope="per_example"),
        _two_level(1, 8, 10),
        ref64=lambda S: torchaudio_amplitude_to_db64(
            S, multiplier=10.0, amin=1e-10, db_multiplier=0.0, top_db=20.0
        ),
        label="per_example,clipping",
    ),
    Case(
        "amplitude_to_db",
        lambda S: mlxdsp.amplitude_to_db(S, ref=0.5),
        _uniform(0.05, 1.0, 8, 10),
        ref64=lambda S: librosa.amplitude_to_db(S, ref=0.5),
        label="global,ref=0.5",
    ),
    Case(
        "amplitude_to_db",
        lambda S: mlxdsp.amplitude_to_db(S, amin=1e-10, top_db=40.0, top_db_scope="per_example"),
        _two_level(1, 8, 10),
        ref64=lambda S: torchaudio_amplitude_to_db64(
            S, multiplier=20.0, amin=1e-10, db_multiplier=0.0, top_db=40.0
        ),
        label="per_example,clipping",
    ),
    Case(
        "db_to_power",
        lambda S: mlxdsp.db_to_power(S, ref=2.0),
        _uniform(-40.0, 10.0, 8, 10),
        ref64=lambda S: librosa.db_to_power(S, ref=2.0),
    ),
    Case(
        "db_to_amplitude",
        lambda S: mlxdsp.db_to_amplitude(S, ref=2.0),
        _uniform(-40.0, 10.0, 8, 10),
        ref64=lambda S: librosa.db_to_amplitude(S, ref=2.0),
    ),
    # --- mel scale ---
    Case(
        "hz_to_mel",
        lambda f: mlxdsp.hz_to_mel(f),
        _uniform(0.0, 8000.0, 16),
        ref64=lambda f: librosa.hz_to_mel(f, htk=False),
        label="slaney",
    ),
    Case(
        "hz_to_mel",
        lambda f: mlxdsp.hz_to_mel(f, mel_scale="htk"),
        _uniform(0.0, 8000.0, 16),
        ref64=lambda f: librosa.hz_to_mel(f, htk=True),
        label="htk",
    ),
    Case(
        "mel_to_hz",
        lambda m: mlxdsp.mel_to_hz(m),
        _uniform(0.0, 45.0, 16),
        ref64=lambda m: librosa.mel_to_hz(m, htk=False),
        label="slaney",
    ),
    Case(
        "mel_to_hz",
        lambda m: mlxdsp.mel_to_hz(m, mel_scale="htk"),
        _uniform(0.0, 2800.0, 16),
        ref64=lambda m: librosa.mel_to_hz(m, htk=True),
        label="htk",
    ),
    Case(
        "mel_spectrogram",
        lambda x: mlxdsp.mel_spectrogram(x, pad_mode="reflect", **_MEL),
        _noise(512),
        ref64=lambda x: librosa_melspectrogram64(x, **_MEL_LIBROSA),
        label="slaney",
    ),
    Case(
        "mel_spectrogram",
        lambda x: mlxdsp.mel_spectrogram(x, power=1.0, mel_scale="htk", norm=None, **_MEL),
        _noise(512),
        ref64=lambda x: librosa_melspectrogram64(x, power=1.0, htk=True, norm=None, **_MEL_LIBROSA),
        label="htk,norm=None,power=1",
    ),
    Case(
        "log_mel_spectrogram",
        lambda x: mlxdsp.log_mel_spectrogram(x, pad_mode="reflect", **_MEL),
        _noise(512),
        ref64=lambda x: librosa.power_to_db(librosa_melspectrogram64(x, **_MEL_LIBROSA)),
    ),
    Case(
        "mfcc",
        lambda x: mlxdsp.mfcc(x, n_mfcc=13, pad_mode="reflect", **_MEL),
        _noise(512),
        ref64=lambda x: librosa_mfcc64(x, n_mfcc=13, **_MEL_LIBROSA),
        label="dct2,ortho",
    ),
    Case(
        "mfcc",
        lambda x: mlxdsp.mfcc(
            x, n_mfcc=10, dct_type=3, norm=None, lifter=22.0, pad_mode="reflect", **_MEL
        ),
        _noise(512),
        ref64=lambda x: librosa_mfcc64(
            x, n_mfcc=10, dct_type=3, norm=None, lifter=22.0, **_MEL_LIBROSA
        ),
        label="dct3,lifter",
    ),
    Case(
        "dct",
        lambda x: mlxdsp.dct(x),
        _noise(4, 16),
        ref64=lambda x: scipy.fft.dct(x, type=2, norm="ortho"),
        label="type2,ortho",
    ),
    Case(
        "dct",
        lambda x: mlxdsp.dct(x, type=3, norm=None, axis=-2, n_out=5),
        _noise(12, 4),
        ref64=lambda x: scipy.fft.dct(x, type=3, axis=-2)[..., :5, :],
        label="type3,axis=-2,n_out",
    ),
    Case(
        "delta",
        lambda x: mlxdsp.delta(x),
        _noise(4, 20),
        ref64=lambda x: librosa.feature.delta(x),
        label="interp,width=9",
    ),
    Case(
        "delta",
        lambda x: mlxdsp.delta(x, width=5, order=2, mode="wrap"),
        _noise(4, 20),
        ref64=lambda x: librosa.feature.delta(x, width=5, order=2, mode="wrap"),
        label="wrap,order=2",
    ),
    # --- framing ---
    Case(
        "frame",
        lambda x: mlxdsp.frame(x, frame_length=16, hop_length=4),
        _noise(64),
        ref64=lambda x: frame64(x, 16, 4),
        label="slices",
    ),
    Case(
        "frame",
        lambda x: mlxdsp.frame(x, frame_length=40, hop_length=1),
        _noise(60),
        ref64=lambda x: frame64(x, 40, 1),
        label="hop=1(gather path)",
    ),
    Case(
        "overlap_add",
        lambda F: mlxdsp.overlap_add(F, hop_length=4),
        _noise(16, 9),
        ref64=lambda F: overlap_add64(F, 4),
        label="slices",
    ),
    Case(
        "overlap_add",
        lambda F: mlxdsp.overlap_add(F, hop_length=1, length=60),
        _noise(40, 10),
        ref64=lambda F: overlap_add64(F, 1, 60),
        label="hop=1(scatter path),length",
    ),
]

NOT_ARRAY_FUNCTIONS = {
    "get_window": "options only (name, length); returns a constant",
    "fft_frequencies": "options only (sr, n_fft); returns a constant",
    "mel_frequencies": "options only (n_mels, fmin, fmax); returns a constant",
    "mel_filterbank": "options only; returns a constant (pass it to mel_spectrogram(filterbank=) to learn it)",
}
